"""The PDF manual: the markup template → ReportLab flowables → A4 PDF.

Why ReportLab and not HTML + WeasyPrint: WeasyPrint needs Pango from the
operating system, so `pip install .` alone would not give a working PDF on a
fresh machine. ReportLab is pure Python (BSD), lays out CJK text with proper
line-breaking rules (no 。 at a line start), splits long tables across pages
with repeated headers, builds the table of contents with page numbers in a
second pass, and embeds a subset of a TrueType font (engine/render/fonts.py).

The layout still comes from a Jinja2 template (manual.pdf.xml.j2), written in
a small markup this module reads; its words come from the message catalogue
(engine/render/words.py), in the manual's language, none from this module.
Page furniture is drawn once the page count is known: a running header
"受控文件 · 编号 · 版本 · 第 N 页 共 M 页" counted per controlled document, and the
manual's own page number in the footer, which the contents refer to.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any, cast

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import paragraph as rl_paragraph
from reportlab.platypus.paragraph import cleanBlockQuotedText
from reportlab.platypus.paraparser import ParaParser

from engine.i18n import message
from engine.render.escape import reportlab, visible
from engine.render.fonts import fonts_for
from engine.render.layout import PRINT
from engine.render.locale import convert, is_traditional
from engine.render.manual import Manual, Progress, layouts
from engine.render.pdf_draw import COLUMN_GAP, MIN_SCALE, chart_parts, newspaper
from engine.render.templating import render

# Symbols source texts use that Noto Sans CJK has no glyph for, and the nearest
# one it has; anything else missing is reported rather than printed as a box.
SUBSTITUTES = str.maketrans(
    {
        "➢": "▶",
        "➤": "▶",
        "►": "▶",
        "▸": "▷",
        "▹": "▷",
        "✔": "✓",
        "✗": "×",
        "✘": "×",
        "☐": "□",
        "☑": "√",
        "☒": "×",
        "↩": "↑",
        "↪": "↓",
    }
)
FONT_MISSING = message(
    "render.font-missing",
    "警告: 字体中没有这些字符, PDF 中会印成空框 / not in the font: {missing}",
    "warning: the font has none of these characters, the PDF prints boxes for them"
    " / not in the font: {missing}",
)
FURNITURE_KEYS = ("top-left", "top-right", "version", "bottom-left", "bottom-right")
PAGE_W, PAGE_H = A4
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 18 * mm, 22 * mm, 18 * mm
FRAME_W = PAGE_W - 2 * MARGIN_X
FRAME_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM
# Landscape pages, for flowcharts too wide to be legible on a portrait page.
WIDE_W, WIDE_H = landscape(A4)
WIDE_FRAME_W = WIDE_W - 2 * MARGIN_X
WIDE_FRAME_H = WIDE_H - MARGIN_TOP - MARGIN_BOTTOM
# A long chart is set in two columns if its labels stay at 8 pt or more.
COLUMNS_MIN_SCALE = 8.0 / 11.0
STAMP_PAD = 14.0  # points between the cover stamp's words and its frame, each side
INK = colors.HexColor("#1d2733")
MUTED = colors.HexColor("#5b6673")
ACCENT = colors.HexColor("#0b5cad")
CRIT = colors.HexColor("#b3261e")
RULE = colors.HexColor("#c9d1da")
SOFT = colors.HexColor("#f0f3f7")


@dataclass(frozen=True)
class Fonts:
    regular: str
    bold: str


def register_fonts(text: str, locale: str) -> tuple[Fonts, str]:
    """Embed-ready subsets of the CJK font for exactly this document's text,
    and the characters the font cannot draw."""
    pair = fonts_for(text, "tc" if is_traditional(locale) else "sc")
    tag = hashlib.sha256(pair.regular).hexdigest()[:8]
    regular, bold = f"{pair.name}-{tag}", f"{pair.name}-Bold-{tag}"
    if regular not in pdfmetrics.getRegisteredFontNames():
        for name, data in ((regular, pair.regular), (bold, pair.bold)):
            font = TTFont(name, io.BytesIO(data))
            # ReportLab keeps one font per PostScript name: a later subset
            # named like an earlier one would be drawn with the earlier one's
            # glyphs (its missing characters come out as blanks).
            font.face.name += b"-" + tag.encode()
            pdfmetrics.registerFont(font)
        pdfmetrics.registerFontFamily(
            regular, normal=regular, bold=bold, italic=regular, boldItalic=bold
        )
    return Fonts(regular, bold), pair.missing


def styles(f: Fonts) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle(
        "body",
        fontName=f.regular,
        fontSize=9.5,
        leading=14.5,
        textColor=INK,
        wordWrap="CJK",
        spaceAfter=3,
        bulletFontName=f.regular,
    )

    def make(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)

    return {
        "body": base,
        "muted": make("muted", textColor=MUTED, fontSize=8.5, leading=12.5),
        "center": make("center", alignment=TA_CENTER),
        "h1": make("h1", fontName=f.bold, fontSize=17, leading=23, spaceBefore=2, spaceAfter=8),
        "h2": make(
            "h2",
            fontName=f.bold,
            fontSize=11.5,
            leading=16,
            textColor=ACCENT,
            spaceBefore=9,
            spaceAfter=4,
        ),
        "h3": make("h3", fontName=f.bold, fontSize=10, leading=14.5, spaceBefore=7, spaceAfter=2),
        "org": make("org", fontSize=15, leading=22, alignment=TA_CENTER),
        "cover-title": make(
            "cover-title", fontName=f.bold, fontSize=26, leading=36, alignment=TA_CENTER
        ),
        "stamp": make(
            "stamp",
            fontName=f.bold,
            fontSize=15,
            leading=22,
            alignment=TA_CENTER,
            textColor=CRIT,
            borderColor=CRIT,
            borderWidth=2,
            borderPadding=6,
            leftIndent=FRAME_W / 2 - 55,  # 110 pt wide; Builder.stamp fits it to its words
            rightIndent=FRAME_W / 2 - 55,
        ),
        "sheet-title": make(
            "sheet-title",
            fontName=f.bold,
            fontSize=15,
            leading=22,
            alignment=TA_CENTER,
            spaceBefore=6,
            spaceAfter=10,
        ),
        "cell": make("cell", fontSize=8.8, leading=12.5, spaceAfter=0),
        "cell-head": make("cell-head", fontName=f.bold, fontSize=8.8, leading=12.5, spaceAfter=0),
        "fact-label": make("fact-label", textColor=MUTED, fontSize=8.5, leading=13.5, spaceAfter=0),
        "fact": make("fact", spaceAfter=0, leading=13.5),
        "fact-muted": make("fact-muted", spaceAfter=0, fontSize=8.5, leading=12.5, textColor=MUTED),
        "li": make("li", leftIndent=14, bulletIndent=2, spaceAfter=1.5),
        "toc0": make("toc0", fontSize=10, leading=17),
    }


# -- the page furniture ------------------------------------------------------
@dataclass(frozen=True)
class DocInfo:
    """The controlled document a page belongs to (what its header says)."""

    index: int
    number: str
    version: str
    header: str
    cover: bool = False


def plain_frags(text: str, style: ParagraphStyle) -> list[Any]:
    """The fragments ReportLab's parser makes of text without markup, made by
    the parser's own steps minus the HTML tokenizer (what <para>text</para>
    feeds it): the same result at a fraction of the cost."""
    parser = ParaParser()
    parser._setup_for_parse(style)
    parser.start_para({})
    parser.handle_data(text)
    parser.end_para()
    _, frags, _ = parser._complete_parse()
    cast(Any, rl_paragraph).textTransformFrags(frags, style)
    return cast(list[Any], frags)


class Para(Paragraph):
    """A paragraph that remembers its last line breaking: ReportLab asks a
    paragraph for its size several times at the same width (a table measures
    its cells, then draws them; a kept-together step is measured, then laid
    out), and CJK line breaking is most of what a manual costs to print.
    Text without markup skips the HTML tokenizer (`plain_frags`)."""

    _sop_wrapped: tuple[float, tuple[float, float]] | None = None

    def __init__(  # Paragraph's signature: its split() makes more of the same class
        self,
        text: str | None,
        style: ParagraphStyle | None = None,
        bulletText: str | None = None,
        frags: list[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if frags is None and style is not None and text and "<" not in text and "&" not in text:
            cleaned = cleanBlockQuotedText(text)
            if cleaned:
                text, frags = cleaned, plain_frags(cleaned, style)
        super().__init__(cast(str, text), style, bulletText, frags, **kwargs)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        hit = self._sop_wrapped
        if hit is not None and hit[0] == availWidth and "blPara" in self.__dict__:
            self.width, self.height = availWidth, hit[1][1]
            return hit[1]
        size: tuple[float, float] = super().wrap(availWidth, availHeight)
        self._sop_wrapped = (availWidth, size)
        return size


class MemoTable(Table):
    """A table that remembers its last complete measurement: a step is measured
    whole (to keep it together) and then again where it is placed, at the same
    width; when the second call has room for all of it, the first answer
    stands. The table's row and column sizes are those of its most recent
    real measurement, so only that one is remembered."""

    _sop_natural: tuple[float, tuple[float, float]] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        hit = self._sop_natural
        if hit is not None and hit[0] == availWidth and hit[1][1] <= availHeight:
            self.availWidth = availWidth
            return hit[1]
        size: tuple[float, float] = super().wrap(availWidth, availHeight)
        self._sop_natural = (availWidth, size) if size[1] <= availHeight else None
        return size


class Facts(Flowable):
    """A step's facts: a muted label (要做, 要说 …) and its text per row, an
    accent rule down the left. Drawn directly rather than as a Table, which
    would measure every cell twice and apply a style to each: most of a
    manual is steps. Too tall for the space left, it splits between rows."""

    LABEL_W = 16 * mm  # at least; as wide as the widest label (Facts.label_width)
    LABEL_SIZE = 8.5
    PAD_X, PAD_Y = 3.0, 1.2

    def __init__(
        self, rows: list[tuple[str, Flowable]], font: str, label_w: float = LABEL_W
    ) -> None:
        super().__init__()
        self.rows = rows
        self.font = font
        self.label_w = label_w
        self._heights: list[float] = []

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        text_w = availWidth - self.label_w - 2 * self.PAD_X - 4
        self._heights = [p.wrap(text_w, availHeight)[1] + 2 * self.PAD_Y for _, p in self.rows]
        self.width, self.height = availWidth, sum(self._heights)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self.wrap(availWidth, availHeight)
        used, cut = 0.0, 0
        for height in self._heights:
            if used + height > availHeight:
                break
            used, cut = used + height, cut + 1
        if cut == len(self.rows):
            return []
        if cut == 0:  # the first row alone is too tall: split its text
            label, para = self.rows[0]
            text_w = availWidth - self.label_w - 2 * self.PAD_X - 4
            parts = para.split(text_w, availHeight - 2 * self.PAD_Y)
            if len(parts) != 2:
                return []
            return [
                Facts([(label, parts[0])], self.font, self.label_w),
                Facts([("", parts[1]), *self.rows[1:]], self.font, self.label_w),
            ]
        return [
            Facts(self.rows[:cut], self.font, self.label_w),
            Facts(self.rows[cut:], self.font, self.label_w),
        ]

    @classmethod
    def label_width(cls, labels: Iterable[str], font: str) -> float:
        """Room for the widest of these labels (English ones are longer), 16 mm at least."""
        widest = max((pdfmetrics.stringWidth(t, font, cls.LABEL_SIZE) for t in labels), default=0)
        return max(cls.LABEL_W, widest + cls.PAD_X + 6)

    def draw(self) -> None:
        canv: Any = self.canv
        y = self.height
        canv.saveState()
        canv.setStrokeColor(ACCENT)
        canv.setLineWidth(2.2)
        canv.line(0, 0, 0, self.height)
        canv.setFillColor(MUTED)
        canv.setFont(self.font, self.LABEL_SIZE)
        for (label, para), height in zip(self.rows, self._heights, strict=True):
            y -= height
            if label:
                canv.drawString(self.PAD_X, y + height - self.PAD_Y - 9.5, label)
            para.drawOn(canv, self.label_w + self.PAD_X, y + self.PAD_Y)
        canv.restoreState()


class Heading(Para):
    """A heading that may be a bookmark (`key`) and a contents entry (`toc`)."""

    def __init__(self, text: str, style: ParagraphStyle, key: str | None, toc: str | None):
        super().__init__(text, style)
        self.sop_key = key
        self.sop_toc = toc


class DocMark(Flowable):
    """Zero-size marker: pages from here on belong to this document."""

    def __init__(self, info: DocInfo) -> None:
        super().__init__()
        self.info = info
        self.width = self.height = 0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        canvas: Any = self.canv  # ReportLab lets flowables leave notes on the canvas
        canvas._sop_doc = self.info


@dataclass(frozen=True)
class Furniture:
    """Header and footer wording, from the template (so it is localised like
    the rest); {header} {number} {version} {n} {total} {page} are filled per page."""

    fonts: Fonts
    top_left: str
    top_right: str
    version: str  # " · 版本 {version}", left out when a document has no version
    bottom_left: str
    bottom_right: str

    def fill(self, text: str, **values: object) -> str:
        """One pass, so a value that happens to contain `{page}` stays as written."""
        return re.sub(
            r"\{(\w+)\}",
            lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(),
            text,
        )


@dataclass(frozen=True)
class TocSlot:
    """Where a contents line was laid out (page index, position, width); its
    page number is written in when the pages are replayed at the end."""

    page: int
    x: float
    y: float
    width: float
    title: str
    key: str


class TocLine(Flowable):
    """One line of the contents: a fixed-height slot laid out in the one pass
    (so the contents never needs the second pass ReportLab's own contents
    takes); the canvas writes it, with dot leaders and the page number, once
    every heading's page is known."""

    def __init__(self, title: str, key: str, width: float, leading: float) -> None:
        super().__init__()
        self.title, self.key = title, key
        self.width, self.height = width, leading

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:
        canvas._sop_toc.append(TocSlot(len(canvas._saved), x, y, self.width, self.title, self.key))

    def draw(self) -> None:  # drawn by the canvas at the end
        return None


class FurnishedCanvas(Canvas):
    """Holds pages back until the end, when page counts are known, then draws
    each page's header and footer (the usual "page N of M" technique) and the
    contents' page numbers."""

    def __init__(self, *args: Any, furniture: Furniture, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._furniture = furniture
        self._saved: list[dict[str, Any]] = []
        self._sop_toc: list[TocSlot] = []
        self._sop_pages: dict[str, int] = {}  # heading key -> page (1-based)
        self._sop_doc: DocInfo | None = None
        # Bookmarks must be made while their page is the current one, which
        # is only true when pages are replayed in save(): hold them till then.
        self._marks: dict[int, list[tuple[str, tuple[Any, ...]]]] = {}

    def bookmarkPage(  # same signature as Canvas; the destination comes at save()
        self,
        key: Any,
        fit: str = "Fit",
        left: Any = None,
        top: Any = None,
        bottom: Any = None,
        right: Any = None,
        zoom: Any = None,
    ) -> Any:
        where = {"fit": fit, "left": left, "top": top, "bottom": bottom, "right": right}
        self._marks.setdefault(len(self._saved), []).append(
            ("bookmark", (key, {**where, "zoom": zoom}))
        )

    def addOutlineEntry(
        self, title: str, key: str, level: int = 0, closed: bool | None = None
    ) -> None:
        self._marks.setdefault(len(self._saved), []).append(
            ("outline", (title, key, level, closed))
        )

    def showPage(self) -> None:
        self._saved.append(dict(self.__dict__))
        fresh: Any = self  # a new page, without emitting this one yet (ReportLab internal)
        fresh._startPage()

    def save(self) -> None:
        docs = [state.get("_sop_doc") for state in self._saved]
        totals: dict[int, int] = {}
        for info in docs:
            if info is not None:
                totals[info.index] = totals.get(info.index, 0) + 1
        seen: dict[int, int] = {}
        marks = self._marks
        # Annotations made now (the contents' links) number on from the last
        # page's count, not from each replayed page's own, or names would repeat.
        annotations: int = cast(Any, self)._annotationCount
        for page, state in enumerate(self._saved, start=1):
            self.__dict__.update(state)
            self._annotationCount = annotations
            for kind, args in marks.get(page - 1, []):
                if kind == "bookmark":
                    super().bookmarkPage(args[0], **args[1])
                else:
                    super().addOutlineEntry(*args)
            for slot in self._sop_toc:
                if slot.page == page - 1:
                    self._draw_toc_line(slot)
            info = state.get("_sop_doc")
            if info is not None and not info.cover:
                seen[info.index] = seen.get(info.index, 0) + 1
                self._draw_furniture(info, seen[info.index], totals[info.index], page)
            annotations = self._annotationCount
            super().showPage()
        super().save()

    def _draw_toc_line(self, slot: TocSlot) -> None:
        f = self._furniture
        size = 10.0
        number = str(self._sop_pages.get(slot.key, ""))
        y = slot.y + 5
        self.saveState()
        self.setFillColor(INK)
        self.setFont(f.fonts.regular, size)
        self.drawString(slot.x, y, slot.title)
        self.drawRightString(slot.x + slot.width, y, number)
        start = slot.x + pdfmetrics.stringWidth(slot.title, f.fonts.regular, size) + 6
        end = slot.x + slot.width - pdfmetrics.stringWidth(number, f.fonts.regular, size) - 6
        dot = pdfmetrics.stringWidth(" . ", f.fonts.regular, size)
        if end > start + dot:
            self.setFillColor(MUTED)
            self.drawRightString(end, y, " . " * int((end - start) / dot))
        self.linkRect("", slot.key, (slot.x, slot.y, slot.x + slot.width, slot.y + 15), relative=0)
        self.restoreState()

    def _draw_furniture(self, info: DocInfo, n: int, total: int, page: int) -> None:
        f = self._furniture
        page_w, page_h = cast(Any, self)._pagesize  # portrait, or landscape (wide charts)
        top = page_h - MARGIN_TOP + 9 * mm
        self.saveState()
        self.setFillColor(MUTED)
        self.setFont(f.fonts.regular, 7.5)
        self.drawString(MARGIN_X, top, f.top_left)
        version = f.fill(f.version, version=info.version) if info.version else ""
        values = {
            "header": info.header,
            "number": info.number,
            "version": version,
            "n": n,
            "total": total,
            "page": page,
        }
        self.drawRightString(page_w - MARGIN_X, top, f.fill(f.top_right, **values))
        self.setStrokeColor(RULE)
        self.setLineWidth(0.6)
        self.line(MARGIN_X, top - 2.5 * mm, page_w - MARGIN_X, top - 2.5 * mm)
        bottom = MARGIN_BOTTOM - 9 * mm
        self.line(MARGIN_X, bottom + 4 * mm, page_w - MARGIN_X, bottom + 4 * mm)
        self.drawString(MARGIN_X, bottom, f.fill(f.bottom_left, **values))
        self.drawRightString(page_w - MARGIN_X, bottom, f.fill(f.bottom_right, **values))
        self.restoreState()


class ManualDoc(BaseDocTemplate):
    def __init__(self, target: Any, **kwargs: Any) -> None:
        super().__init__(
            target,
            pagesize=A4,
            leftMargin=MARGIN_X,
            rightMargin=MARGIN_X,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            **kwargs,
        )
        frame = Frame(
            MARGIN_X,
            MARGIN_BOTTOM,
            FRAME_W,
            FRAME_H,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        wide = Frame(
            MARGIN_X,
            MARGIN_BOTTOM,
            WIDE_FRAME_W,
            WIDE_FRAME_H,
            id="wide",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        self.addPageTemplates(
            [
                PageTemplate(id="page", frames=[frame], pagesize=A4),
                PageTemplate(id="wide", frames=[wide], pagesize=landscape(A4)),
            ]
        )

    def afterFlowable(self, flowable: Any) -> None:
        if not isinstance(flowable, Heading) or flowable.sop_key is None:
            return
        key = flowable.sop_key
        canv: Any = self.canv
        canv.bookmarkPage(key)
        canv._sop_pages[key] = self.page
        title = flowable.sop_toc
        if title:
            canv.addOutlineEntry(title, key, level=0)  # plain text


# -- markup → flowables ----------------------------------------------------------
def inline(el: ET.Element) -> str:
    """The element's content as ReportLab paragraph markup (b, font, br)."""
    parts = [reportlab(el.text or "")]
    for child in el:  # our own b/font/br, their text (and tails) escaped by ElementTree
        parts.append(ET.tostring(child, encoding="unicode"))
    return "".join(parts).strip()


class Builder:
    def __init__(self, manual: Manual, fonts: Fonts, charts: dict[str, Any]) -> None:
        self.manual = manual
        self.fonts = fonts
        self.st = styles(fonts)
        self.charts = charts
        self.docs = 0
        self.label_w = Facts.LABEL_W  # set for the document's labels in story()

    def story(self, root: ET.Element) -> list[Any]:
        self.root = root
        labels = (fact.get("label", "") for fact in root.iter("fact"))
        self.label_w = Facts.label_width(labels, self.fonts.regular)
        out: list[Any] = []
        for el in root:
            out.extend(self.block(el))
        return out

    def blocks(self, el: ET.Element) -> list[Any]:
        return [flowable for child in el for flowable in self.block(child)]

    def block(self, el: ET.Element) -> Iterator[Any]:
        tag = el.tag
        if tag == "doc":
            if self.docs:
                yield PageBreak()
            yield DocMark(
                DocInfo(
                    self.docs,
                    el.get("number", ""),
                    el.get("version", ""),
                    el.get("header", ""),
                    el.get("cover") == "1",
                )
            )
            self.docs += 1
            yield from self.blocks(el)
        elif tag in ("h1", "h2", "h3"):
            para = Heading(inline(el), self.st[tag], el.get("key"), el.get("toc"))
            para.keepWithNext = True
            yield para
        elif tag == "p":
            style = self.st[el.get("class", "body").split()[0]]
            if style.name == "stamp":
                style = self.stamp(el.text or "")
            yield Para(inline(el), style)
        elif tag == "ul":
            for li in el:
                style = (
                    self.st["li"]
                    if li.get("class") != "muted"
                    else ParagraphStyle(
                        "li-muted",
                        parent=self.st["li"],
                        textColor=MUTED,
                        fontSize=8.5,
                        leading=12.5,
                    )
                )
                yield Para(inline(li), style, bulletText=li.get("mark", "·"))
        elif tag == "table":
            yield self.table(el)
        elif tag == "step":
            yield self.step(el)
        elif tag == "chart":
            yield from self.chart(el)
        elif tag == "toc":
            # One line per heading that goes into the contents, in order.
            for entry in self.root.iter():
                if entry.get("toc"):
                    yield TocLine(entry.get("toc", ""), entry.get("key", ""), FRAME_W, 17.0)
        elif tag == "pagebreak":
            yield PageBreak()
        elif tag == "space":
            yield Spacer(1, float(el.get("h", "6")))
        elif tag == "keep":
            yield KeepTogether(self.blocks(el))
        else:
            raise ValueError(f"unknown PDF markup element <{tag}>")

    def stamp(self, text: str) -> ParagraphStyle:
        """The cover's stamp, a frame around its words on one line (受控文件, or
        the longer Controlled document): as wide as the words, 110 pt at least."""
        base = self.st["stamp"]
        words = pdfmetrics.stringWidth(text, base.fontName, base.fontSize)
        indent = max(0.0, (FRAME_W - max(110.0, words + 2 * STAMP_PAD)) / 2)
        return ParagraphStyle("stamp-fit", parent=base, leftIndent=indent, rightIndent=indent)

    def chart(self, el: ET.Element) -> Iterator[Any]:
        """A flowchart under its heading: on this page if it is legible at the
        width of a portrait page, else on landscape pages of its own; it runs
        over as many pages as it needs (ReportLab splits it as pages fill)."""
        lay = self.charts[el.get("id", "")]
        wide = lay.width * MIN_SCALE > FRAME_W
        width, height = (WIDE_FRAME_W, WIDE_FRAME_H) if wide else (FRAME_W, FRAME_H)
        parts: list[Any] = chart_parts(lay, self.fonts.regular, width, height)
        split = len(parts) > 1 or lay.height * parts[0].scale + 40 > height
        if len(parts) == 1:  # tall and narrow: columns side by side
            # rows a little shorter than a page, so the first fits under its heading
            two = (width - COLUMN_GAP) / 2 / lay.width  # the scale that fits two columns
            scale = max(min(parts[0].scale, two), COLUMNS_MIN_SCALE)
            rows = newspaper(lay, self.fonts.regular, scale, width, height - 60)
            parts = rows or parts
        if wide:
            yield NextPageTemplate("wide")
            yield PageBreak()
        head = Heading(el.get("title", ""), self.st["h2"], None, None)
        head.keepWithNext = True
        yield head
        if split and el.get("split"):
            note = Para(el.get("split", ""), self.st["muted"])
            note.keepWithNext = True
            yield note
        yield from parts
        if wide:
            yield NextPageTemplate("page")
            yield PageBreak()

    def step(self, el: ET.Element) -> Any:
        """A step: its heading, then one row per fact, with an accent rule on the left."""
        head = Para(inline(el[0]), self.st["h3"])
        rows: list[tuple[str, Flowable]] = []
        for fact in el[1:]:
            muted = "muted" in fact.get("class", "")
            mark = fact.get("mark", "")
            text = inline(fact)
            if mark and "crit" in fact.get("class", ""):
                text = f'<font color="#b3261e">{reportlab(mark)}</font> {text}'
            elif mark:  # in the text's own colour: no markup, the paragraph's fast path
                text = f"{reportlab(mark)} {text}"
            rows.append(
                (fact.get("label", ""), Para(text, self.st["fact-muted" if muted else "fact"]))
            )
        table = Facts(rows, self.fonts.regular, self.label_w)
        return KeepTogether([head, table, Spacer(1, 5)])

    def table(self, el: ET.Element) -> Any:
        kind = el.get("class", "grid")
        head = el.get("head") == "1"
        rows: list[list[Any]] = []
        spans: list[tuple[Any, ...]] = []
        heights: list[float | None] = []
        for r, tr in enumerate(el):
            row: list[Any] = []
            height: float | None = None
            for td in tr:
                cls = td.get("class", "")
                style = "cell-head" if (head and r == 0) or "th" in cls else "cell"
                row.append(Para(inline(td), self.st[style]))
                span = int(td.get("span", "1"))
                if span > 1:
                    spans.append(("SPAN", (len(row) - 1, r), (len(row) + span - 2, r)))
                    row.extend([""] * (span - 1))
                if "tall" in cls:
                    height = 62.0
                elif "blank" in cls:
                    height = 26.0
            rows.append(row)
            heights.append(height)
        columns = max((len(row) for row in rows), default=1)
        if kind == "log":
            extra = int(el.get("rows", "12"))
            rows += [[""] * columns for _ in range(extra)]
            heights += [24.0] * extra
        width = FRAME_W * _percent(el.get("width", "100%"))
        given = el.get("widths")
        widths = (
            [width * _percent(w) for w in given.split(",")]
            if given
            else [width / columns] * columns
        )
        table = MemoTable(
            rows,
            colWidths=widths,
            rowHeights=heights,
            repeatRows=1 if head else 0,
            hAlign=cast(Any, el.get("align", "LEFT").upper()),
            splitInRow=1,  # a row taller than a page continues on the next one
        )
        commands: list[tuple[Any, ...]] = [
            ("GRID", (0, 0), (-1, -1), 0.6, RULE),
            ("FONTNAME", (0, 0), (-1, -1), self.fonts.regular),  # not Helvetica, unembedded
            ("VALIGN", (0, 0), (-1, -1), "TOP" if kind != "log" else "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), 2.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            *spans,
        ]
        if head:
            commands.append(("BACKGROUND", (0, 0), (-1, 0), SOFT))
        for r, tr in enumerate(el):
            for c, td in enumerate(tr):
                if "th" in td.get("class", ""):
                    commands.append(("BACKGROUND", (c, r), (c, r), SOFT))
        table.setStyle(TableStyle(commands))
        return table


def _percent(text: str) -> float:
    return float(text.strip().rstrip("%")) / 100


def render_pdf(
    manual: Manual,
    locale: str = "zh-CN",
    warn: Callable[[str], None] | None = None,
    progress: Progress | None = None,
) -> bytes:
    shapes = layouts(manual, locale, PRINT)
    markup = pdf_markup(manual, locale).translate(SUBSTITUTES)
    root = ET.fromstring(markup)
    furniture_text = [root.get(k, "") for k in FURNITURE_KEYS]
    for lay in shapes.values():
        for box in lay.boxes:
            box.lines = tuple(visible(line).translate(SUBSTITUTES) for line in box.lines)
    drawn = [line for lay in shapes.values() for box in lay.boxes for line in box.lines]
    fonts, missing = register_fonts("".join([markup, *furniture_text, *drawn]), locale)
    if missing and warn is not None:
        warn(FONT_MISSING.say(missing=missing))
    story = Builder(manual, fonts, shapes).story(root)
    furniture = Furniture(fonts, *furniture_text)
    buffer = io.BytesIO()
    doc = ManualDoc(
        buffer,
        title=root.get("title", ""),
        author=root.get("author", ""),
        subject=root.get("subject", ""),
        creator="sop",
        lang="en" if manual.w.lang == "en" else locale,
        invariant=1 if os.environ.get("SOURCE_DATE_EPOCH") else 0,
        initialFontName=fonts.regular,  # else every page starts in Helvetica, unembedded
    )
    if progress is not None:
        doc.setProgressCallBack(_progress(progress))
    # One pass: the contents' page numbers are written in at the end.
    doc.build(story, canvasmaker=partial(FurnishedCanvas, furniture=furniture))
    return buffer.getvalue()


def _progress(progress: Progress) -> Callable[[str, int], None]:
    """ReportLab's progress events as (laid out, in all)."""
    total = 0

    def hear(kind: str, value: int) -> None:
        nonlocal total
        if kind == "SIZE_EST":
            total = value
            progress(0, total)
        elif kind == "PROGRESS":
            progress(min(value, total), total)
        elif kind == "FINISHED":
            progress(total, total)

    return hear


def pdf_markup(manual: Manual, locale: str = "zh-CN") -> str:
    """The intermediate markup (also what golden files keep; the PDF bytes
    are checked by reading back), the manual's own words in its language."""
    return convert(render("manual.pdf.xml.j2", m=manual, w=manual.w), locale)
