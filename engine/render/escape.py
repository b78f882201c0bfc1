"""Escaping for every place text from a rulebook, a person or a journal is
written: one function per output language, each total over any string.

Data is never markup. The template environments (engine/render/templating.py)
apply these to every `{{ }}` of a template automatically, by its extension;
code that builds output without a template calls them directly.

- `visible`  control, bidi-override and other characters no document should
             carry raw, shown as 〈U+XXXX〉 (applied to every template's output)
- `md`       Markdown (CommonMark + GFM tables/strikethrough): inline markup,
             raw HTML, links, entities, and line starts (headings, lists,
             quotes, indented code, setext underlines)
- `mermaid`  inside a quoted Mermaid label, as Mermaid entity codes
- `dot`      inside a quoted DOT string
- `css_string` inside a quoted CSS string
- `reportlab` ReportLab paragraph markup
- `csv_cell`, `csv_text`  CSV that spreadsheets will not run as formulas
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

from engine.screen import FORMAT_CHARACTERS

# What a terminal would act on (engine/screen.py's set: C0 and C1 controls,
# DEL, format characters such as bidi overrides and zero-width characters,
# line/paragraph separators, lone surrogates), less the tab and newline a
# document may hold, plus the two non-characters XML refuses.
_INVISIBLE = re.compile(
    "\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff"
    + FORMAT_CHARACTERS
    + "]"
)
# Every way a string can end a line for some reader (CommonMark, Python, JS).
_LINE_BREAKS = re.compile("\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def _shown(match: re.Match[str]) -> str:
    return f"〈U+{ord(match.group()):04X}〉"


def visible(text: str) -> str:
    """Characters that would act instead of print (controls, bidi overrides
    that reorder what follows, characters XML cannot hold) as 〈U+XXXX〉; tab,
    newline and CRLF stay. The same characters as the terminal's
    engine.screen.visible, another stand-in: a printed manual's font has no
    control pictures (␛) or ⟨⟩, but has 〈〉. Idempotent."""
    return _INVISIBLE.sub(_shown, text)


def one_line(text: str) -> str:
    """`visible` text on one line: the line breaks left (LF, CRLF) as spaces."""
    return _LINE_BREAKS.sub(" ", visible(text))


# -- Markdown -----------------------------------------------------------------
# Inline syntax: escapes, code, emphasis, links/images/footnotes, raw HTML and
# autolinks, entities, GFM tables and strikethrough, math on GitHub.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>&|~$#])")
# What a line may start with to become a block (quotes, headings, fences and
# tables are escaped wherever they are): a bullet or ordered-list marker
# (followed by a space or nothing), a thematic break or setext underline.
_MD_LINE_START = re.compile(r"^(?:[-+=](?=[-+= \t]|$)|[0-9]+[.)](?=[ \t]|$))")
# GFM extended autolinks: www.x, scheme://, e-mail.
_MD_AUTOLINK = re.compile(r"(?i)(?<=www)\.|:(?=//)|@")


def md(text: object) -> str:
    """Text for anywhere in a Markdown line: table cell, list item, heading,
    paragraph start. Breaks become spaces and surrounding spaces go (a
    leading run would be code, a trailing one a hard break, and either
    would stop the emphasis a template puts around the text)."""
    out = one_line(str(text)).strip()  # any Unicode space: ** 　x** would not be bold
    out = _MD_INLINE.sub(r"\\\1", out)
    out = _MD_AUTOLINK.sub(lambda m: "\\" + m.group(), out)
    return _MD_LINE_START.sub(lambda m: m.group()[:-1] + "\\" + m.group()[-1], out)


def web_url(url: object) -> str:
    """A link target only when it is a web address (http/https): `sop validate`
    requires that, and a javascript: or data: link must not come alive in a
    document whatever reached the renderer. Anything else gives ""."""
    text = one_line(str(url)).strip()
    return text if re.match(r"(?i)https?://", text) else ""


def md_url(url: object) -> str:
    """A web address for a Markdown autolink <…>: every character that could
    end it or start markup (spaces, <>, brackets, backslash, backtick) is
    percent-encoded, so the address stays one link and nothing else."""
    from urllib.parse import quote

    return quote(web_url(url), safe=":/?#@!$&'*+,;=%-._~")


# -- Mermaid ------------------------------------------------------------------
# Inside "…" Mermaid reads entity codes (#35; #quot;) and nothing else, but
# the text is also scanned for %%{directives}%%, `markdown strings` and the
# label's HTML; every character with a meaning anywhere becomes a code.
_MERMAID_SPECIAL = re.compile(r"[\"#%&`;<>\[\]|\\]")


def mermaid(text: object) -> str:
    """Text inside a quoted Mermaid label (or a %% comment)."""
    return _MERMAID_SPECIAL.sub(lambda m: f"#{ord(m.group())};", one_line(str(text)))


# -- DOT ----------------------------------------------------------------------
def dot(text: object) -> str:
    """Text inside a quoted DOT string. Backslashes are doubled, so Graphviz's
    own escapes (\\N, \\G, \\l) cannot be formed; breaks become spaces."""
    return one_line(str(text)).replace("\\", "\\\\").replace('"', '\\"')


# -- CSS ----------------------------------------------------------------------
_CSS_PLAIN = re.compile(r"[A-Za-z0-9 !#$%()*+,\-./:;=?@\[\]^_{|}~\u00a0-\U0010ffff]")


def css_string(text: object) -> str:
    """Text inside a double-quoted CSS string in a <style> element: quotes,
    backslashes, `<`, `>`, `&`, line breaks and other controls as hex escapes,
    so the string cannot end early and `</style>` cannot appear."""
    out = []
    for ch in str(text):
        if _CSS_PLAIN.fullmatch(ch) and not _INVISIBLE.match(ch):
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):x} ")
    return "".join(out)


# -- ReportLab ----------------------------------------------------------------
def reportlab(text: object) -> str:
    """Plain text as ReportLab paragraph markup (its parser reads &, < and >)."""
    return visible(str(text)).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- CSV ----------------------------------------------------------------------
# OWASP's CSV injection rule: a cell starting with one of these is a formula
# (or starts one) in Excel, LibreOffice or Google Sheets. Full-width forms too:
# spreadsheets in Chinese locales may read them as their ASCII twins.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def csv_cell(value: object) -> str | int | float:
    """One cell: numbers stay numbers; text that a spreadsheet would read as a
    formula gets a leading single quote, shown as text and never evaluated."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = visible("" if value is None else str(value))
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_text(rows: Iterable[Sequence[object]]) -> str:
    """Rows as CSV text the way spreadsheets expect it (CRLF, quoted as needed),
    every cell through `csv_cell`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return out.getvalue()
