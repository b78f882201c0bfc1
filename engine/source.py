"""Source: file bytes → text → plain data with the position of every node.

This is the only module that touches YAML. It reads the libyaml event stream
(C speed) and composes the data itself, so it decides every rule of the
strict dialect in one place: only `true`/`false` are booleans, `8:30`, `yes`,
`0101` and dates stay the text written, duplicate keys, anchors, aliases,
tags and multiple documents are refused, and nesting, file and scalar sizes
are bounded. Nothing here can run code or take unbounded time or memory.
"""

from __future__ import annotations

import errno
import gc
import os
import re
import stat as _stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from engine.i18n import os_reason
from engine.problems import Fix, Pos, Problem, Said

__all__ = [
    "Document",
    "Loaded",
    "Pieces",
    "char_name",
    "decode",
    "load_file",
    "load_text",
    "parse",
    "visible",
]

MAX_FILE_BYTES = 1024 * 1024
MAX_SCALAR_CHARS = 10_000
MAX_DEPTH = 32
MAX_REPORTED_CHARS = 5  # stray-character reports per file; the rest are noise

# (line, col, end_line, end_col, style): 1-based, style is "" for plain,
# '"' / "'" for quoted, "|" / ">" for block scalars, "{" / "[" for flow.
Mark = tuple[int, int, int, int, str]
Path = tuple[str | int, ...]

_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,17})\Z")
_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]+\Z")

# Control, format (invisible) and line/paragraph-separator characters; tab,
# LF and CR are the only controls YAML text needs.
_STRAY = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f"
    "\u0890\u0891\u08e2\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f"
    "\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
# In a parsed value a carriage return can only come from an escape (a
# backslash and r): YAML reads every line break of the file as a newline. It
# would overwrite the line on a terminal, so it is refused there too.
_VALUE_STRAY = re.compile(_STRAY.pattern[:-1] + "\r]")

# Names Unicode gives only as aliases (unicodedata.name has none for controls).
_CONTROL_NAMES = {
    0x00: "NULL",
    0x07: "BELL",
    0x08: "BACKSPACE",
    0x0B: "LINE TABULATION",
    0x0C: "FORM FEED",
    0x0D: "CARRIAGE RETURN",
    0x1B: "ESCAPE",
    0x7F: "DELETE",
    0x85: "NEXT LINE",
    0x9B: "CONTROL SEQUENCE INTRODUCER",
}


def char_name(ch: str) -> str:
    """The Unicode name of a stray character, for a message: "ZERO WIDTH
    SPACE", "RIGHT-TO-LEFT OVERRIDE", "ESCAPE"."""
    import unicodedata

    return unicodedata.name(ch, "") or _CONTROL_NAMES.get(ord(ch), "CONTROL CHARACTER")


def visible(text: str) -> str:
    """`text` with its stray characters written out as <U+XXXX> (newline and
    tab as \\n, \\t), so a message quoting it shows what is there."""
    if _VALUE_STRAY.search(text) is None and "\n" not in text and "\t" not in text:
        return text
    text = text.replace("\n", "\\n").replace("\t", "\\t")
    return _VALUE_STRAY.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


_KEY_LINE = re.compile(r"^([ \t\u3000]*)(?:-[ \t]+)?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*([：:])(.?)")


@dataclass
class Document:
    """A loaded file: its data, and the marks of every value and key by path."""

    path: str
    text: str
    data: Any
    marks: dict[Path, Mark] = field(default_factory=dict)
    key_marks: dict[Path, Mark] = field(default_factory=dict)
    # Double-quoted scalars (values and keys) holding a stray character,
    # which a backslash escape may have written: checked after parsing.
    quoted_strays: list[Mark] = field(default_factory=list)

    def pos(self, path: Path, key: bool = False) -> Pos:
        """The position of the value at `path` (or of its key), falling back to
        the nearest enclosing node that has one."""
        table = self.key_marks if key else self.marks
        p = tuple(path)
        while True:
            m = table.get(p)
            if m is None and table is self.key_marks:
                m = self.marks.get(p)
            if m is not None:
                # (made as a plain tuple is: NamedTuple's own __new__ is Python)
                return tuple.__new__(Pos, (self.path, m[0], m[1], m[2], m[3]))
            if not p:
                return Pos(self.path, 1, 1)
            p = p[:-1]

    def style(self, path: Path) -> str:
        m = self.marks.get(tuple(path))
        return m[4] if m else ""


class LoadFailed(Exception):
    """Raised inside the composer to stop at the first fatal problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.rule)
        self.problem = problem


def _problem(
    rule: str, path: str, line: int = 1, col: int = 1, variant: str = "", **args: Any
) -> Problem:
    return Problem(rule, Pos(path, line, col), args, variant)


# ---------------------------------------------------------------- reading


def read_bytes(path: str, max_bytes: int = MAX_FILE_BYTES) -> bytes | Problem:
    """Read a file, refusing what is not a regular file of sane size."""
    try:
        st = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return _problem("not-a-file", path, variant="loop")
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return _problem("not-a-file", path, variant="missing")
        reason = Said(os_reason(exc, "zh"), os_reason(exc, "en"))
        return _problem("not-a-file", path, variant="unreadable", detail=reason)
    if _stat.S_ISDIR(st.st_mode):
        return _problem("not-a-file", path, variant="directory")
    if not _stat.S_ISREG(st.st_mode):
        return _problem("not-a-file", path, variant="special")
    if st.st_size > max_bytes:
        return _problem("file-too-large", path, size=st.st_size, limit=max_bytes)
    try:
        with open(path, "rb") as fh:
            raw = fh.read(max_bytes + 1)
    except OSError as exc:
        reason = Said(os_reason(exc, "zh"), os_reason(exc, "en"))
        return _problem("not-a-file", path, variant="unreadable", detail=reason)
    if len(raw) > max_bytes:
        return _problem("file-too-large", path, size=len(raw), limit=max_bytes)
    return raw


def decode(raw: bytes, path: str) -> str | Problem:
    """Bytes → text. UTF-8 (BOM optional) and UTF-16/32 with a BOM are read;
    anything else is named so the designer knows how to re-save it."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return _decode_or_problem(raw, "utf-32", path)
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode_or_problem(raw, "utf-16", path)
    if b"\x00" in raw:
        return _problem("binary-file", path)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        try:
            raw.decode("gb18030")
        except UnicodeDecodeError:
            byte = raw[exc.start : exc.start + 1].hex()
            return Problem("encoding", Pos(path, line, col), {"byte": byte}, "unknown")
        return Problem("encoding", Pos(path, line, col), {"encoding": "GBK/GB18030"}, "gbk")


def _decode_or_problem(raw: bytes, codec: str, path: str) -> str | Problem:
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError:
        return Problem("encoding", Pos(path, 1, 1), {"encoding": codec.upper()}, "broken")
    return text[1:] if text.startswith("\ufeff") else text


# ---------------------------------------------------------------- text scan


_KEY_COLON = re.compile(
    r"^([ \t\u3000]*(?:-[ \t]+)?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*(：|:(?=[^\s/]))", re.MULTILINE
)


# Where _KEY_COLON can match: a colon it could end with (most colons are
# followed by a space or the line's end, so few lines are tried).
_COLON_AT = re.compile(r"：|:[^\s/]")


def _key_colons(text: str) -> Iterator[re.Match[str]]:
    """`_KEY_COLON.finditer(text, re.MULTILINE)`, trying only the lines that
    hold a colon it could end with (a match never spans lines)."""
    start = 0
    for candidate in _COLON_AT.finditer(text):
        if candidate.start() < start:
            continue  # this line was tried
        line = text.rfind("\n", 0, candidate.start()) + 1
        start = text.find("\n", candidate.start())
        start = len(text) if start < 0 else start
        m = _KEY_COLON.match(text, line)
        if m is not None:
            yield m


def _may_hold_strays(text: str) -> bool:
    """False when `text` holds no stray character: Python prints none of
    them (tested), and telling that a text prints is a quick C loop where
    the character class is a slow one."""
    return not text.replace("\n", "").replace("\t", "").replace("\r", "").isprintable()


def scan_text(text: str, path: str, known_keys: frozenset[str]) -> list[Problem]:
    """Find what a person must fix before YAML can be read as meant: stray
    invisible characters, and a known key followed by a full-width colon or
    no space (YAML would silently read the whole line as text)."""
    errors: list[Problem] = []
    for reported, m in enumerate(_STRAY.finditer(text) if _may_hold_strays(text) else ()):
        if reported == MAX_REPORTED_CHARS:
            break
        ch = m.group()
        at_line = text.count("\n", 0, m.start()) + 1
        col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        name = char_name(ch)
        errors.append(
            Problem(
                "stray-character",
                Pos(path, at_line, col, at_line, col + 1),
                {"code": f"U+{ord(ch):04X}", "name": name},
            )
        )
    for m in _key_colons(text):
        key = m.group(2)
        if key not in known_keys:
            continue
        line = text.count("\n", 0, m.start()) + 1
        col = m.start(3) - m.start() + 1
        rule = "fullwidth-colon" if m.group(3) == "：" else "colon-space"
        at = Pos(path, line, col, line, col + 1)
        errors.append(Problem(rule, at, {"key": key}, fix=Fix(at, ": ")))
    return errors


_ESCAPE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.DOTALL)
_NAMED_ESCAPES = {
    "0": "\x00",
    "r": "\r",
    "a": "\x07",
    "b": "\x08",
    "v": "\x0b",
    "f": "\x0c",
    "e": "\x1b",
    "N": "\x85",
    "L": "\u2028",
    "P": "\u2029",
}


def escaped_strays(doc: Document) -> list[Problem]:
    """Control, invisible and text-direction characters that a backslash
    escape in double quotes wrote ("\\e[2J", "\\u202e", "\\x07"): the text
    scan cannot see them, the screen and the printer would."""
    found: list[Problem] = []
    if not doc.quoted_strays:
        return found
    lines = doc.text.split("\n")
    for line, col, end_line, end_col, _ in doc.quoted_strays:
        for n in range(line, end_line + 1):
            src = lines[n - 1] if n <= len(lines) else ""
            start = col if n == line else 0  # after the opening quote
            stop = end_col - 1 if n == end_line else len(src)
            for m in _ESCAPE.finditer(src, start, stop):
                seq = m.group()
                ch = _NAMED_ESCAPES.get(seq[1], "") if len(seq) == 2 else chr(int(seq[2:], 16))
                if not ch or not _VALUE_STRAY.fullmatch(ch):
                    continue
                at = m.start() + 1
                found.append(
                    Problem(
                        "stray-character",
                        Pos(doc.path, n, at, n, at + len(seq)),
                        {"code": f"U+{ord(ch):04X}", "name": char_name(ch), "escape": seq},
                        "escaped",
                    )
                )
                if len(found) == MAX_REPORTED_CHARS:
                    return found
    return found


def indentation_hints(text: str, path: str, up_to_line: int) -> list[Problem]:
    """Tabs or full-width spaces in indentation: the likely cause of a YAML
    syntax error at or after them (computed only when one occurred)."""
    hints: list[Problem] = []
    for lineno, line in enumerate(text.split("\n")[:up_to_line], 1):
        stripped = line.lstrip(" ")
        if stripped[:1] in ("\t", "\u3000"):
            rest = stripped.lstrip("\t\u3000 ")
            if rest and not rest.startswith("#"):
                lead = len(line) - len(stripped)
                variant = "tab" if stripped[0] == "\t" else "fullwidth"
                hints.append(Problem("indentation", Pos(path, lineno, lead + 1), {}, variant))
    return hints


# ---------------------------------------------------------------- YAML


_YAML_MESSAGES = {
    "mapping values are not allowed": "mapping-values",
    "could not find expected ':'": "expected-colon",
    "found character that cannot start any token": "bad-start",
    "found a tab character": "tab",
    "did not find expected key": "expected-key",
    "did not find expected '-' indicator": "expected-dash",
    "found unexpected end of stream": "unexpected-end",
    "found undefined tag handle": "tag",
    "did not find expected node content": "node-content",
    "found unknown escape character": "escape",
    "while scanning a quoted scalar": "unclosed-quote",
    "found unexpected ':'": "mapping-values",
    "block sequence entries are not allowed": "sequence-here",
    "did not find expected ',' or ']'": "flow-end",
    "did not find expected ',' or '}'": "flow-end",
}


# Errors found only at the end of an unclosed construct: the line to edit is
# where it opened (the context mark), not where the parser gave up.
_AT_OPENING = frozenset({"flow-end", "unclosed-quote", "unexpected-end"})


def _yaml_error(exc: Exception, path: str) -> Problem:
    mark: Any = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    text = " ".join(
        str(x) for x in (getattr(exc, "context", None), getattr(exc, "problem", None)) if x
    )
    variant = ""
    for needle, key in _YAML_MESSAGES.items():
        if needle in text:
            variant = key
            break
    opening = getattr(exc, "context_mark", None)
    if variant in _AT_OPENING and opening is not None:
        mark = opening
    line = mark.line + 1 if mark else 1
    col = mark.column + 1 if mark else 1
    return Problem("yaml-syntax", Pos(path, line, col, line, col + 1), {"detail": text}, variant)


def _reader_error(exc: Exception, text: str, path: str) -> Problem:
    index = getattr(exc, "position", 0) or 0
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    char = getattr(exc, "character", "")
    one = isinstance(char, str) and len(char) == 1
    return Problem(
        "stray-character",
        Pos(path, line, col, line, col + 1),
        {
            "code": f"U+{ord(char):04X}" if one else "?",
            "name": char_name(char) if one else "CONTROL CHARACTER",
        },
    )


_MAYBE_TYPED = frozenset("tfn~-0123456789")


def _resolve_plain(value: str) -> Any:
    if not value:
        return None
    if value[0] not in _MAYBE_TYPED:
        return value  # most values are text: skip the comparisons
    if value == "true":
        return True
    if value == "false":
        return False
    if value in ("", "null", "~"):
        return None
    if _INT.match(value):
        return int(value)
    if _FLOAT.match(value):
        return float(value)
    return value


def parse(text: str, path: str, strays: bool = False) -> Document:
    """Compose YAML text into plain data; raise LoadFailed on the first fatal
    problem. `strays`: the text holds stray characters (already reported),
    to be left out of the values."""
    from yaml import MarkedYAMLError, YAMLError
    from yaml._yaml import CParser
    from yaml.events import (
        AliasEvent,
        DocumentStartEvent,
        MappingEndEvent,
        MappingStartEvent,
        ScalarEvent,
        SequenceEndEvent,
        SequenceStartEvent,
    )

    doc = Document(path, text, None)
    marks = doc.marks
    key_marks = doc.key_marks
    # Each open container: [object, is_mapping, pending_key, path]
    stack: list[list[Any]] = []
    documents = 0
    result: Any = None
    parser = CParser(text)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # the collector re-scans the growing tree: super-linear on big files
    try:
        get = parser.get_event
        while True:
            try:
                ev: Any = get()
            except MarkedYAMLError as exc:
                raise LoadFailed(_yaml_error(exc, path)) from None
            except YAMLError as exc:  # ReaderError: a character YAML refuses
                raise LoadFailed(_reader_error(exc, text, path)) from None
            if ev is None:
                break
            t = type(ev)
            sm = ev.start_mark
            if t is ScalarEvent:
                if ev.anchor is not None or ev.tag is not None:
                    _refuse_anchor_or_tag(ev, path)
                raw = ev.value
                em = ev.end_mark
                if len(raw) > MAX_SCALAR_CHARS:
                    raise LoadFailed(
                        _problem(
                            "scalar-too-long",
                            path,
                            sm.line + 1,
                            sm.column + 1,
                            length=len(raw),
                            limit=MAX_SCALAR_CHARS,
                        )
                    )
                style = ev.style or ""
                mark = (sm.line + 1, sm.column + 1, em.line + 1, em.column + 1, style)
                if (style == '"' or strays) and _VALUE_STRAY.search(raw) is not None:
                    # Reported (by the text scan, or escaped_strays for an
                    # escape); read without them, so one stray character
                    # does not also make an unknown key or step.
                    if style == '"':
                        doc.quoted_strays.append(mark)
                    raw = _VALUE_STRAY.sub("", raw)
                # A key stays the text written; a value may be typed (most
                # values are text: no call).
                top = stack[-1] if stack else None
                if top is not None and top[1] and top[2] is None:
                    value = None
                elif style == "" and ev.implicit[0] and (not raw or raw[0] in _MAYBE_TYPED):
                    value = _resolve_plain(raw)
                else:
                    value = raw
                if top is None:
                    result = value
                    marks[()] = mark
                    continue
                if top[1]:
                    if top[2] is None:
                        key = raw if style != "" or raw != "" else None
                        if key is None:
                            raise LoadFailed(_problem("yaml-key", path, sm.line + 1, sm.column + 1))
                        if key in top[0]:  # (the first one's value is in by now)
                            first = key_marks[(*top[3], key)][0]
                            raise LoadFailed(
                                Problem(
                                    "duplicate-key",
                                    Pos(
                                        path, sm.line + 1, sm.column + 1, em.line + 1, em.column + 1
                                    ),
                                    {"key": key, "first_line": first},
                                )
                            )
                        top[2] = key
                        key_marks[(*top[3], key)] = mark
                    else:
                        marks[(*top[3], top[2])] = mark
                        top[0][top[2]] = value
                        top[2] = None
                else:
                    marks[(*top[3], len(top[0]))] = mark
                    top[0].append(value)
            elif t is MappingStartEvent or t is SequenceStartEvent:
                if ev.anchor is not None or ev.tag is not None:
                    _refuse_anchor_or_tag(ev, path)
                if len(stack) >= MAX_DEPTH:
                    raise LoadFailed(
                        _problem("too-deep", path, sm.line + 1, sm.column + 1, limit=MAX_DEPTH)
                    )
                is_map = t is MappingStartEvent
                new: Any = {} if is_map else []
                style = ("{" if is_map else "[") if ev.flow_style else ""
                if stack:
                    top = stack[-1]
                    if top[1]:
                        if top[2] is None:
                            raise LoadFailed(_problem("yaml-key", path, sm.line + 1, sm.column + 1))
                        npath: Path = (*top[3], top[2])
                        top[0][top[2]] = new
                        top[2] = None
                    else:
                        npath = (*top[3], len(top[0]))
                        top[0].append(new)
                else:
                    npath = ()
                    result = new
                marks[npath] = (sm.line + 1, sm.column + 1, sm.line + 1, sm.column + 1, style)
                stack.append([new, is_map, None, npath])
            elif t is MappingEndEvent or t is SequenceEndEvent:
                stack.pop()
            elif t is AliasEvent:
                raise LoadFailed(
                    _problem("yaml-alias", path, sm.line + 1, sm.column + 1, name=ev.anchor)
                )
            elif t is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise LoadFailed(_problem("multi-document", path, sm.line + 1, sm.column + 1))
    finally:
        if gc_was_enabled:
            gc.enable()
    doc.data = result
    return doc


def _refuse_anchor_or_tag(ev: Any, path: str) -> None:
    sm = ev.start_mark
    if ev.anchor is not None:
        raise LoadFailed(_problem("yaml-anchor", path, sm.line + 1, sm.column + 1, name=ev.anchor))
    if ev.tag is not None and not (ev.tag == "!" and ev.implicit):
        tag = str(ev.tag).replace("tag:yaml.org,2002:", "!!")
        raise LoadFailed(_problem("yaml-tag", path, sm.line + 1, sm.column + 1, tag=tag))


# ---------------------------------------------------------------- by pieces


# A procedure file's `steps:` block, cut at each step: a step's lines parse
# alone exactly as they do in the whole file when the block is plain block
# YAML (every step `  id:` on a line of its own, every other line indented
# further, blank, or a comment), so only the steps whose lines changed are
# parsed again. Anything else is parsed whole.
# (Each pattern starts at a line's "\n", which the regex engine finds fast.)
_STEPS_LINE = re.compile(r"\nsteps:[ ]*(?=\n)")
_BLOCK_END = re.compile(r"\n[^ #\n]")  # a line at column 0, not a comment
_STEP_LINE = re.compile(r"\n  ([A-Za-z0-9_-]+):[ ]*(?=\n|\Z)")
_NOT_IN_STEP = re.compile(r"\n(?!   |  [A-Za-z0-9_-]+:[ ]*(?:\n|\Z)|[ ]*#|[ ]*(?:\n|\Z))")
_OTHER_BREAK = re.compile("[\r\x85\u2028\u2029]")


@dataclass
class Pieces:
    """The parsed pieces of a file's last version (its text outside the
    steps, and each step's lines), kept by a caller that parses the file
    again and again as it is edited (an editor's language server):
    `parse(text)` parses only the pieces whose text changed and puts the
    rest together from before, giving the document `parse` would."""

    path: str
    head: tuple[str, Document, bool] | None = None  # blanked text, its document, clean
    steps: dict[str, Document] = field(default_factory=dict)  # a step's lines -> its piece
    # The pieces the text scan finds nothing in (for these known keys).
    scanned: dict[str, bool] = field(default_factory=dict)
    keys: frozenset[str] = frozenset()
    clean: bool = False  # the last text parsed: the scan finds nothing in any piece
    # The last document put together: its pieces, and its marks to patch.
    last: tuple[Document, list[Document], dict[Path, Mark], dict[Path, Mark]] | None = None

    def parse(self, text: str, known_keys: frozenset[str] = frozenset()) -> Document | None:
        """The document of `text`, or None when it is not cut into pieces
        (not plain block YAML there, or a piece does not parse alone):
        then `parse` reads it whole, as it would anyway. `clean` tells
        whether `scan_text(text, known_keys)` would find nothing (it reads
        each line on its own, so it finds nothing when no piece holds
        anything); the document is only right for a text it finds no stray
        character in."""
        self.clean = False
        if known_keys != self.keys:
            self.keys, self.scanned, self.head = known_keys, {}, None
        if _OTHER_BREAK.search(text) is not None:
            return None  # YAML breaks lines there too: lines are counted by "\n" here
        found = _STEPS_LINE.search(text)
        if found is None or _STEPS_LINE.search(text, found.end()) is not None:
            return None
        begin = found.end() + 1  # the line after "steps:"
        after = _BLOCK_END.search(text, found.end())
        end = after.start() + 1 if after is not None else len(text)
        last = end - 1 if after is not None else end  # the "\n" before the next key is not ours
        if begin > end or _NOT_IN_STEP.search(text, found.end(), last) is not None:
            return None
        heads = list(_STEP_LINE.finditer(text, found.end(), end))
        if not heads or text[begin : heads[0].start() + 1].strip(" \n"):
            return None  # only blank lines before the first step (comments: parse whole)
        if len({m.group(1) for m in heads}) != len(heads):
            return None  # a repeated step: the whole file's parse names it
        steps_line = text.count("\n", 0, found.start() + 1)  # 0-based
        try:
            head = self._head(text, begin, end, steps_line)
            if head is None:
                return None
            line = text.count("\n", 0, heads[0].start() + 1)
            pieces: list[Document] = []
            steps: dict[str, Document] = {}
            scanned: dict[str, bool] = {}
            clean = self.head is not None and self.head[1] is head and self.head[2]
            for k, m in enumerate(heads):
                stop = heads[k + 1].start() + 1 if k + 1 < len(heads) else end
                chunk = text[m.start() + 1 : stop]
                doc = self.steps.get(chunk)
                if doc is None:
                    doc = parse("steps:\n" + chunk, self.path)
                    doc.text = chunk
                    if line != 1:
                        doc = _shifted(doc, line - 1)
                elif doc.marks[("steps",)][0] != line + 1:
                    doc = _shifted(doc, line + 1 - doc.marks[("steps",)][0])
                steps[chunk] = doc
                pieces.append(doc)
                fine = self.scanned.get(chunk)
                if fine is None:
                    fine = not scan_text(chunk, self.path, known_keys)
                scanned[chunk] = fine
                clean = clean and fine
                line += chunk.count("\n")
        except LoadFailed:
            return None
        self.steps, self.scanned, self.clean = steps, scanned, clean
        return self._assemble(text, head, pieces)

    def _head(self, text: str, begin: int, end: int, steps_line: int) -> Document | None:
        """The file with the steps block's lines left blank."""
        blank = text[:begin] + "\n" * text.count("\n", begin, end) + text[end:]
        if self.head is not None and self.head[0] == blank:
            return self.head[1]
        self.head = None
        doc = parse(blank, self.path)
        key = doc.key_marks.get(("steps",))
        if not isinstance(doc.data, dict) or doc.data.get("steps", 0) is not None or key is None:
            return None
        if key[:2] != (steps_line + 1, 1):
            return None  # "steps:" was not the key it looked like
        self.head = (blank, doc, not scan_text(blank, self.path, self.keys))
        return doc

    def _assemble(self, text: str, head: Document, pieces: list[Document]) -> Document:
        """The whole file's document from its head and its steps, with its
        marks in the order the whole file's parse gives them (document order)."""
        steps: dict[str, Any] = {}
        for piece in pieces:
            steps.update(piece.data["steps"])
        data = dict(head.data)
        data["steps"] = steps
        last = self.last
        if (
            last is not None
            and last[0] is head
            and len(last[1]) == len(pieces)
            and all(
                a is b
                or (a.marks.keys() == b.marks.keys() and a.key_marks.keys() == b.key_marks.keys())
                for a, b in zip(last[1], pieces, strict=True)
            )
        ):
            # the same nodes as before: patch their marks where they moved or changed
            marks, key_marks = last[2], last[3]
            for a, b in zip(last[1], pieces, strict=True):
                if a is not b:
                    marks.update(b.marks)
                    key_marks.update(b.key_marks)
        else:
            marks, key_marks = {}, {}
            for p, m in head.marks.items():
                marks[p] = m
                if p == ("steps",):
                    for piece in pieces:
                        marks.update(piece.marks)
            for p, m in head.key_marks.items():
                key_marks[p] = m
                if p == ("steps",):
                    for piece in pieces:
                        key_marks.update(piece.key_marks)
        marks[()] = head.marks[()]
        marks[("steps",)] = pieces[0].marks[("steps",)]  # the mapping starts at the first step
        key_marks[("steps",)] = head.key_marks[("steps",)]
        self.last = (head, pieces, marks, key_marks)
        strays = sorted([*head.quoted_strays, *(m for p in pieces for m in p.quoted_strays)])
        return Document(self.path, text, data, marks.copy(), key_marks.copy(), strays)


def _shifted(doc: Document, by: int) -> Document:
    """A piece `by` lines further down."""

    def move(m: Mark) -> Mark:
        return (m[0] + by, m[1], m[2] + by, m[3], m[4])

    return Document(
        doc.path,
        doc.text,
        doc.data,
        {p: move(m) for p, m in doc.marks.items()},
        {p: move(m) for p, m in doc.key_marks.items()},
        [move(m) for m in doc.quoted_strays],
    )


# ---------------------------------------------------------------- all together


def _is_content(line: str) -> bool:
    return bool(line.strip()) and not line.lstrip().startswith("#")


def _has_content(text: str) -> bool:
    """Whether a line holds more than blanks and a comment. A file's first
    lines almost always answer, so they are looked at first (a content line
    cut short at the edge of the look is still one)."""
    if any(_is_content(ln) for ln in text[:4096].splitlines()):
        return True
    return any(_is_content(ln) for ln in text.splitlines())


@dataclass
class Loaded:
    """The outcome of loading one file: a document, or problems, or both
    (stray characters are reported but the file may still parse)."""

    path: str
    document: Document | None
    problems: list[Problem]


def load_text(
    text: str, path: str, known_keys: frozenset[str] = frozenset(), pieces: Pieces | None = None
) -> Loaded:
    """Load a file's text. With `pieces` kept from its last version (see
    Pieces), only what changed is parsed again; the result is the same."""
    if not _has_content(text):
        found = scan_text(text, path, known_keys)
        return Loaded(path, None, [*found, _problem("empty-file", path)])
    doc = pieces.parse(text, known_keys) if pieces is not None else None
    errors: list[Problem] = []
    if doc is not None and pieces is not None and pieces.clean:
        strays = False  # the scan would find nothing
    else:
        errors = scan_text(text, path, known_keys)
        strays = any(p.rule == "stray-character" for p in errors)
        if strays:
            doc = None  # the pieces were read with their stray characters
    try:
        if doc is None:
            doc = parse(text, path, strays)
        errors.extend(escaped_strays(doc))
    except LoadFailed as failed:
        problem = failed.problem
        if problem.rule == "yaml-syntax":
            # An indentation hint at or before the error line names the real cause.
            near = indentation_hints(text, path, problem.pos.line)
            if near or errors:
                return Loaded(path, None, [*errors, *near[-1:]] if near else errors)
        if problem.rule == "stray-character" and errors:
            return Loaded(path, None, errors)  # the scan already named the character
        return Loaded(path, None, [*errors, problem])
    return Loaded(path, doc, errors)


def load_file(
    path: str, known_keys: frozenset[str] = frozenset(), max_bytes: int = MAX_FILE_BYTES
) -> Loaded:
    raw = read_bytes(path, max_bytes)
    if isinstance(raw, Problem):
        return Loaded(path, None, [raw])
    text = decode(raw, path)
    if isinstance(text, Problem):
        return Loaded(path, None, [text])
    return load_text(text, path, known_keys)
