"""Where a cursor is in a rulebook file: which key's value, or which
mapping's key, is being written.

While a designer types, the buffer is often not valid YAML (`  ro` with no
colon yet), so this reads the text around the cursor as an editor does: the
current line up to the cursor (with `{…}` / `[…]` flow collections on it)
and the keys of the lines above it with less indentation. It finds only
the path to the cursor; what is written there is read by the loader, and
what it means by the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ITEM = "-"  # a path element: an item of a list

_PREFIX = re.compile(r"[\w\-]*\Z")  # \w: a holiday is named in words (春节)
_LEAD = re.compile(r"(\s*)(-\s+)?")
_KEY = re.compile(r"""([A-Za-z_][\w-]*|"[^"]*"|'[^']*')\s*:(?=\s|$)""")
_FLOW = re.compile(
    r"""\s+|"(?:[^"\\]|\\.)*"?|'(?:[^']|'')*'?|[{}\[\],]|[A-Za-z_][\w-]*\s*:(?=\s|$)|[^{}\[\],\s]+"""
)


@dataclass(frozen=True, slots=True)
class Where:
    path: tuple[str, ...]  # keys from the top ("-": a list item) to the node at the cursor
    key: bool  # a key of the mapping at `path` is being written (else its value)
    prefix: str  # the partial word before the cursor
    col: int  # 0-based column where `prefix` starts
    template: bool  # inside {{ }} or {% %}: names of inputs


def _unquote(key: str) -> str:
    return key[1:-1] if key[:1] in ("'", '"') else key


def where(text: str, line: int, col: int) -> Where:
    """The context at 0-based `line`, `col` of `text`."""
    lines = text.split("\n")
    src = lines[line] if 0 <= line < len(lines) else ""
    before = src[: min(col, len(src))]
    m = _PREFIX.search(before)
    assert m is not None
    prefix, start = m.group(), m.start()
    head = before[:start]
    template = head.rfind("{{") > head.rfind("}}") or head.rfind("{%") > head.rfind("%}")
    lead = _LEAD.match(head)
    assert lead is not None
    path: list[str] = []
    own_col = lead.end()
    threshold = own_col
    if lead.group(2):
        path.append(ITEM)
        threshold = len(lead.group(1))
    rest = head[lead.end() :]
    own = _KEY.match(rest)
    inner: list[str] = []
    is_key = True
    if own is not None:
        inner.append(_unquote(own.group(1)))
        is_key = False
        flow = rest[own.end() :]
        inner, is_key = _flow(flow, inner)
    elif rest.strip():  # `- {to: a, wh`, `- [a, b`, or text before the word
        inner, is_key = _flow(rest, [])
    parents = _ancestors(lines, line, threshold)
    full = tuple(parents + path[::-1] + inner)
    return Where(full, is_key, prefix, start, template)


def _flow(text: str, inner: list[str]) -> tuple[list[str], bool]:
    """The path inside `{…}` / `[…]` written after a key on one line, and
    whether a key is being written there."""
    stack: list[tuple[str, list[str]]] = []  # (kind, path before it)
    path = list(inner)
    is_key = False
    for tok in _FLOW.findall(text):
        if tok == "{":
            stack.append(("{", list(path)))
            is_key = True
        elif tok == "[":
            stack.append(("[", list(path)))
            path.append(ITEM)
            is_key = False
        elif tok in ("}", "]"):
            if stack:
                _, path = stack.pop()
            is_key = False
        elif tok == ",":
            if stack:
                path = list(stack[-1][1]) + ([ITEM] if stack[-1][0] == "[" else [])
                is_key = stack[-1][0] == "{"
        elif tok.strip() and tok.rstrip().endswith(":") and stack and stack[-1][0] == "{":
            path = [*stack[-1][1], _unquote(tok.rstrip()[:-1].rstrip())]
            is_key = False
    return path, is_key


def _ancestors(lines: list[str], line: int, threshold: int) -> list[str]:
    """The keys (and list items) of the lines above `line` that hold it."""
    found: list[str] = []
    for n in range(line - 1, -1, -1):
        src = lines[n]
        stripped = src.strip()
        if not stripped or stripped.startswith("#"):
            continue
        lead = _LEAD.match(src)
        assert lead is not None
        at = len(lead.group(1))
        if at >= threshold:
            continue
        key = _KEY.match(src, lead.end())
        if lead.group(2):
            key_col = lead.end()
            if key is not None and key_col < threshold:
                found.append(_unquote(key.group(1)))
            found.append(ITEM)
            threshold = at
        elif key is not None:
            found.append(_unquote(key.group(1)))
            threshold = at
        else:
            continue  # a text continued from the line above
        if threshold == 0:
            break
    return found[::-1]


def key_at(text: str, line: int, col: int) -> tuple[tuple[str, ...], tuple[int, int]] | None:
    """The key under the cursor: its path and its 0-based column span."""
    lines = text.split("\n")
    if not 0 <= line < len(lines):
        return None
    src = lines[line]
    for m in re.finditer(r"([A-Za-z_][\w-]*)\s*:(?=\s|$)", src):
        if m.start(1) <= col <= m.end(1):
            ctx = where(text, line, m.start(1))
            if not ctx.key:
                return None
            return (*ctx.path, m.group(1)), (m.start(1), m.end(1))
    return None
