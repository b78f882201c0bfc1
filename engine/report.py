"""Report: validation results as text (with snippets), JSON or GitHub annotations."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

from engine.messages import CLEAN, SUMMARY, render
from engine.problems import Problem, Severity
from engine.screen import json_text, style, visible

if TYPE_CHECKING:
    from engine.validate import Result


def _width(text: str) -> int:
    """Display width: CJK and full-width characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


@lru_cache(maxsize=64)
def _lines(path: str, encoding: str) -> tuple[str, ...]:
    try:
        with open(path, "rb") as fh:
            raw = fh.read(2 * 1024 * 1024)
        return tuple(raw.decode(encoding, errors="replace").split("\n"))
    except OSError:
        return ()


_NO_SNIPPET = frozenset({"binary-file", "not-a-file", "file-too-large"})
_WINDOW = 76  # display columns of source shown around the caret


def snippet(problem: Problem, color: bool) -> str:
    if problem.rule in _NO_SNIPPET:
        return ""
    lines = _lines(problem.pos.file, "gb18030" if problem.rule == "encoding" else "utf-8-sig")
    n = problem.pos.line
    if not 1 <= n <= len(lines):
        return ""
    src = lines[n - 1].rstrip("\r")
    col = max(problem.pos.col, 1)
    if col > len(src) + 1:
        col = len(src) + 1
    end = (
        problem.pos.end_col if problem.pos.end_line == n and problem.pos.end_col > col else col + 1
    )
    end = min(end, max(len(src) + 1, col + 1))
    # The line as the terminal will show it: a control or bidi character in
    # the source is quoted by its visible stand-in, the caret under it.
    before, marked = visible(src[: col - 1]), visible(src[col - 1 : end - 1])
    src, col = visible(src), len(before) + 1
    src, col, end = _window(src, col, col + len(marked))
    pad = " " * _width(src[: col - 1])
    marker = "^" + "~" * max(_width(src[col - 1 : end - 1]) - 1, 0)
    gutter = str(n)
    blank = " " * len(gutter)
    if color:
        marker = style(marker, "red" if problem.severity is Severity.ERROR else "yellow", bold=True)
    return f" {blank} |\n {gutter} | {src}\n {blank} | {pad}{marker}\n"


def _window(src: str, col: int, end: int) -> tuple[str, int, int]:
    """Cut a long line to about _WINDOW columns around the caret."""
    if _width(src) <= _WINDOW:
        return src, col, end
    start = max(col - 1 - 20, 0)
    stop = start
    while stop < len(src) and _width(src[start:stop]) < _WINDOW:
        stop += 1
    lead = "…" if start > 0 else ""
    tail = "…" if stop < len(src) else ""
    shift = start - len(lead)
    return lead + src[start:stop] + tail, col - shift, min(end - shift, stop - shift + 1)


def render_text(result: Result, lang: str, color: bool = False, summary: bool = True) -> str:
    out: list[str] = []
    for p in result.problems:
        sev = p.severity.value
        if color:
            sev = style(sev, "red" if p.severity is Severity.ERROR else "yellow", bold=True)
        head = f"{p.pos}: {sev}: {render(p, lang)} [{p.rule}]"
        out.append(head + "\n" + snippet(p, color))
    if summary:
        files = len(result.files)
        numbers = {"files": files, "errors": result.errors, "warnings": result.warnings}
        counts: dict[str, object] = dict(numbers)
        if lang == "en":  # Chinese has no plural; English does
            counts = {k: f"{v} {k[:-1] if v == 1 else k}" for k, v in numbers.items()}
        line = (SUMMARY if result.problems else CLEAN).template("en" if lang == "en" else "zh")
        line = line.format(**counts)
        out.append((style(line, dim=True) if color else line) + "\n")
    return "".join(out)


def _fix_json(p: Problem) -> dict[str, object]:
    """The edit the message offers: replace line:column up to end_line:end_column with text."""
    assert p.fix is not None
    at = p.fix.pos
    return {
        "line": at.line,
        "column": at.col,
        "end_line": at.end_line or at.line,
        "end_column": at.end_col or at.col,
        "text": p.fix.text,
    }


def render_json(result: Result, lang: str) -> str:
    items = [
        {
            "file": p.pos.file,
            "line": p.pos.line,
            "column": p.pos.col,
            "end_line": p.pos.end_line or p.pos.line,
            "end_column": p.pos.end_col or p.pos.col + 1,
            "severity": p.severity.value,
            "rule": p.rule,
            "message": render(p, lang),
            **({"fix": _fix_json(p)} if p.fix is not None else {}),
        }
        for p in result.problems
    ]
    doc = {
        "files": len(result.files),
        "errors": result.errors,
        "warnings": result.warnings,
        "problems": items,
    }
    return json_text(doc) + "\n"


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github(result: Result, lang: str) -> str:
    out = []
    for p in result.problems:
        kind = "error" if p.severity is Severity.ERROR else "warning"
        props = (
            f"file={_gh_escape(p.pos.file, True)},line={p.pos.line},col={p.pos.col},"
            f"title={_gh_escape(p.rule, True)}"
        )
        out.append(f"::{kind} {props}::{_gh_escape(render(p, lang))}\n")
    return "".join(out)
