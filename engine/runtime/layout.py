"""Fitting text to a terminal where Chinese characters take two columns.

Every function here lays out text as the terminal will show it: with the
characters a terminal would act on already replaced by their visible
stand-ins (engine/screen.py), so that widths and cuts are those of what is
on the screen.
"""

from __future__ import annotations

import unicodedata

from engine.screen import visible

WIDTH = 80


def width(text: str) -> int:
    text = visible(text)
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def wrap(text: str, indent: str = "", hang: str | None = None, limit: int = WIDTH) -> list[str]:
    """Break `text` into lines of at most `limit` columns: the first line
    starts with `indent`, the others with `hang` (default: as many spaces).
    Breaks fall between words for Latin text and anywhere in Chinese text."""
    hang = " " * width(indent) if hang is None else hang
    lines: list[str] = []
    for paragraph in visible(text).split("\n"):
        line, used = indent if not lines else hang, width(indent if not lines else hang)
        start = used
        for token in _tokens(paragraph):
            w = width(token)
            if used + w > limit and used > start:
                lines.append(line.rstrip())
                line, used = hang, width(hang)
                start = used
                if token == " ":
                    continue
            line += token
            used += w
        lines.append(line.rstrip())
    return lines


def _tokens(text: str) -> list[str]:
    """Words of Latin text stay whole; every wide character is its own token."""
    out: list[str] = []
    word = ""
    for ch in text:
        if ch == " " or unicodedata.east_asian_width(ch) in ("W", "F"):
            if word:
                out.append(word)
                word = ""
            out.append(ch)
        else:
            word += ch
    if word:
        out.append(word)
    return out


def pad(text: str, columns: int) -> str:
    text = visible(text)
    return text + " " * max(columns - width(text), 0)


def shorten(text: str, columns: int) -> str:
    """`text` cut to fit `columns`, with "…" when cut."""
    text = visible(text)
    if width(text) <= columns:
        return text
    out, used = "", 0
    for ch in text:
        w = width(ch)
        if used + w > columns - 1:
            break
        out += ch
        used += w
    return out + "…"
