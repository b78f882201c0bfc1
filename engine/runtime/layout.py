"""Fitting text to a terminal where Chinese characters take two columns.

Every function here lays out text as the terminal will show it: with the
characters a terminal would act on already replaced by their visible
stand-ins (engine/screen.py), so that widths and cuts are those of what is
on the screen.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

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


def columns(default: int = 80) -> int:
    """The terminal's width now (COLUMNS, then the terminal itself, else
    `default`), never under 40: layouts are made for 40 columns and up."""
    import shutil

    return max(shutil.get_terminal_size((default, 24)).columns, 40)


def table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    flexible: Sequence[int],
    optional: Sequence[int] = (),
    limit: int | None = None,
    gap: int = 2,
) -> list[str]:
    """Rows laid out in columns that line up however wide their characters
    are, within `limit` columns: each fixed column as wide as its widest cell,
    the `flexible` ones sharing what is left (their cells shortened with "…",
    never running into the next column). When even that does not fit, the
    `optional` columns are left out, the last first."""
    limit = columns() if limit is None else limit
    keep = list(range(len(header)))
    widest = [max([width(r[i]) for r in rows] + [width(header[i])]) for i in keep]
    least = {i: min(widest[i], max(width(header[i]), 6)) for i in flexible}

    def fixed() -> int:
        return sum(widest[i] for i in keep if i not in least) + gap * (len(keep) - 1)

    drop = list(optional)
    while drop and fixed() + sum(least[i] for i in keep if i in least) > limit:
        keep.remove(drop.pop())
    sizes = dict(enumerate(widest))
    flex = [i for i in keep if i in least]
    room = max(limit - fixed(), sum(least[i] for i in flex))
    wanted = sum(widest[i] for i in flex)
    if wanted > room:
        # Each flexible column gets its least, then a share of the rest in
        # proportion to how much more it wants.
        spare = room - sum(least[i] for i in flex)
        more = sum(widest[i] - least[i] for i in flex) or 1
        for i in flex:
            sizes[i] = least[i] + (widest[i] - least[i]) * spare // more
    out = []
    for cells in [header, *rows]:
        parts = [shorten(cells[i], sizes[i]) for i in keep]
        line = (" " * gap).join(pad(p, sizes[i]) for p, i in zip(parts, keep, strict=True))
        out.append(line.rstrip())
    return out
