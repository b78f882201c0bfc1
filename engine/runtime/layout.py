"""Fitting text to the terminal's width, where Chinese characters take two
columns (and combining marks none).

Every function here lays out text as the terminal will show it: with the
characters a terminal would act on already replaced by their visible
stand-ins (engine/screen.py), so that widths and cuts are those of what is
on the screen. Widths are wcwidth's, the terminal's own rules.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from functools import cache

from engine.screen import visible

WIDTH = 80  # for output that is not a terminal (a file, a pipe, a transcript)
NARROWEST = 40

# A line does not start with closing punctuation, nor end with opening
# punctuation (the usual rule of Chinese typesetting).
_CLOSING = frozenset("，。、；：？！）」』》〉】〕…—”’,.;:?!)]}%")
_OPENING = frozenset("（「『《〈【〔“‘([{")
# Separators between the parts of a line (" · ", " › "): a break falls before
# them, so a line never ends with one and the next starts with it.
_SEPARATORS = frozenset("·›")


# The characters most text is made of, whose width is known without asking
# wcwidth (loading its tables is most of what a short command costs): one
# column for printable Latin text, common punctuation and arrows, two for
# CJK ideographs and punctuation, kana, hangul and fullwidth forms. Code
# point ranges (first, last, columns); tests/test_layout.py checks every one
# of them against wcwidth.
KNOWN = (
    (0x0020, 0x007E, 1), (0x00A1, 0x00AC, 1), (0x00AE, 0x00FF, 1), (0x2010, 0x2027, 1),
    (0x2030, 0x205E, 1), (0x2190, 0x21FF, 1), (0x3000, 0x3029, 2), (0x3030, 0x303E, 2),
    (0x3041, 0x3096, 2), (0x30A0, 0x30FF, 2), (0x4E00, 0x9FFF, 2), (0xAC00, 0xD7A3, 2),
    (0xFF01, 0xFF60, 2), (0xFFE0, 0xFFE6, 2),
)  # fmt: skip
# The same as edges for bisect: the columns of the code points from edge i-1
# up to edge i are _COLUMNS[i] (0: not known here).
_EDGES = tuple(edge for first, last, _ in KNOWN for edge in (first, last + 1))
_COLUMNS = (0, *(c for _, _, columns in KNOWN for c in (columns, 0)))


def width(text: str) -> int:
    """Columns `text` takes on a terminal."""
    shown = visible(text)
    if shown.isascii() and shown.isprintable():
        return len(shown)
    each = list(map(_columns, shown))
    if 0 in each:  # a character not in KNOWN
        return _wcwidth(shown)
    return sum(each)


@cache
def _columns(ch: str) -> int:
    """Columns of a character in KNOWN (0: not known here). Each distinct
    character is looked up once: a call list measures thousands of names."""
    return _COLUMNS[bisect_right(_EDGES, ord(ch))]


def _wcwidth(shown: str) -> int:
    import unicodedata

    from wcwidth import wcswidth

    w = wcswidth(shown)
    if w >= 0:
        return int(w)
    # wcswidth gives up on a character it has no width for: count it as one.
    return sum(
        max(int(wcswidth(ch)), 1 if unicodedata.category(ch)[0] != "M" else 0) for ch in shown
    )


def wrap(
    text: str,
    indent: str = "",
    hang: str | None = None,
    limit: int = WIDTH,
    keep: Sequence[str] = (),
) -> list[str]:
    """Break `text` into lines of at most `limit` columns: the first line
    starts with `indent`, the others with `hang` (default: as many spaces).
    Breaks fall between words of Latin text and between Chinese characters,
    never inside a name in `keep` (a role, a title) unless it is longer than
    a line, never before closing punctuation or after opening punctuation."""
    shown = visible(text)
    if "\n" not in shown:
        # A line that fits whichever way its characters are measured (none
        # takes more than two columns) is itself: most lines of a prompt are,
        # and they need no tokens and no width of each.
        most = len(shown) if shown.isascii() else 2 * len(shown)
        if most + width(indent) <= limit:
            return [(indent + shown).rstrip()]
    hang = " " * width(indent) if hang is None else hang
    kept = [visible(k) for k in keep if k]
    lines: list[str] = []
    for paragraph in shown.split("\n"):
        line, used = indent if not lines else hang, width(indent if not lines else hang)
        start = used
        for token in _tokens(paragraph, kept):
            w = width(token)
            if used + w > limit and used > start:
                lines.append(line.rstrip())
                line, used = hang, width(hang)
                start = used
                if token == " ":
                    continue
            while used + w > limit and used == start and len(token) > 1:
                # Longer than a whole line: cut it where the line ends.
                head = shorten_to(token, limit - used)
                lines.append((line + head).rstrip())
                token = token[len(head) :]
                w = width(token)
                line, used = hang, width(hang)
                start = used
            line += token
            used += w
        lines.append(line.rstrip())
    return lines


def _tokens(text: str, keep: Sequence[str] = ()) -> list[str]:
    """Words of Latin text and names in `keep` stay whole; every other wide
    character is its own token; punctuation sticks to its neighbour."""
    out: list[str] = []
    word = ""
    i = 0
    while i < len(text):
        whole = next((k for k in keep if text.startswith(k, i)), None)
        if whole is not None:
            if word:
                out.append(word)
                word = ""
            out.append(whole)
            i += len(whole)
            continue
        ch = text[i]
        i += 1
        if ch == " " or width(ch) == 2:
            if word:
                out.append(word)
                word = ""
            out.append(ch)
        else:
            word += ch
    if word:
        out.append(word)
    # Closing punctuation joins the token before it; opening, the one after.
    glued: list[str] = []
    for token in out:
        if glued and glued[-1] != " " and (token[0] in _CLOSING or glued[-1][-1] in _OPENING):
            glued[-1] += token
        else:
            glued.append(token)
    # A separator with the space after it joins the token that follows it.
    joined: list[str] = []
    for token in glued:
        if len(joined) >= 2 and joined[-1] == " " and joined[-2] in _SEPARATORS:
            joined.pop()
            joined[-1] += " " + token
        else:
            joined.append(token)
    return joined


def shorten_to(text: str, columns: int) -> str:
    """The longest start of `text` that fits `columns` (at least one character)."""
    out, used = "", 0
    for ch in text:
        w = width(ch)
        if used + w > columns and out:
            break
        out += ch
        used += w
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
