"""Flowcharts drawn straight into the PDF as vectors, from the shared layout.

The same boxes, curves and labels as the SVG (engine/render/svg.py), scaled to
fit the page; text uses the embedded CJK font, so the chart stays sharp and
searchable when printed or zoomed.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.platypus import Flowable

from engine.render.layout import LABEL_FONT, NODE_FONT, Box, Layout, Route
from engine.render.svg import text_lines

INK = HexColor("#1d2733")
LINE = HexColor("#4a5560")
ACCENT = HexColor("#0b5cad")
SOFT = HexColor("#eef2f6")
CALL = HexColor("#b7791f")
CALL_FILL = HexColor("#fff8e6")
LABEL_RULE = HexColor("#d5dbe1")
CONNECTOR_FILL = HexColor("#f4f7fa")
WHITE = HexColor("#ffffff")


# No flowchart text is printed smaller than this; a chart too wide for a
# portrait page at this size goes on landscape pages, one too tall runs over
# several pages, joined by lettered connectors.
MIN_TEXT_PT = 7.0
MIN_SCALE = MIN_TEXT_PT / min(NODE_FONT, LABEL_FONT)
MARK_R = 6.5  # radius of an off-page connector, in points
MARK_ROOM = 2 * MARK_R + 6  # the band above or below a cut that holds the connectors
MARK_FONT = 7.5


@dataclass
class Mark:
    """An off-page connector: where a line leaves one part of a chart and
    enters the next, both ends carry the same letter. The letter is given
    when the first end is drawn, so letters run A, B, C in page order however
    often ReportLab tried a split it then threw away."""

    at: float  # layout x (on a horizontal cut) or y (on a vertical cut)
    letter: str = ""


@dataclass
class _Letters:
    """Connector letters of one chart: A, B, … Z, then AA, AB, … Counting
    restarts when the chart's first part is drawn again (ReportLab lays the
    document out twice, for the contents' page numbers)."""

    count: int = 0
    columns: list[Mark] = field(default_factory=list)  # marks made once, on column cuts

    def restart(self) -> None:
        self.count = 0
        for mark in self.columns:
            mark.letter = ""

    def next(self) -> str:
        n, out = self.count, ""
        self.count += 1
        while True:
            out = chr(ord("A") + n % 26) + out
            n = n // 26 - 1
            if n < 0:
                return out


def _bezier(pa: tuple[float, float], pb: tuple[float, float], t: float) -> tuple[float, float]:
    """A point of the curve drawn between two route points (vertical tangents)."""
    (xa, ya), (xb, yb) = pa, pb
    mid = (ya + yb) / 2
    u = 1 - t
    x = u**3 * xa + 3 * u * u * t * xa + 3 * u * t * t * xb + t**3 * xb
    y = u**3 * ya + 3 * u * u * t * mid + 3 * u * t * t * mid + t**3 * yb
    return x, y


def crossings(lay: Layout, axis: str, at: float, lo: float, hi: float) -> list[float]:
    """Where the chart's lines cross the line `axis` = `at` ("y": a horizontal
    cut, returns x positions; "x": a vertical cut, returns y), within lo..hi."""
    found: list[float] = []
    for route in lay.routes:
        if route.loop:
            continue
        for pa, pb in itertools.pairwise(route.points):
            prev = pa
            for k in range(1, 25):
                cur = _bezier(pa, pb, k / 24)
                a, b = (prev[1], cur[1]) if axis == "y" else (prev[0], cur[0])
                if (a - at) * (b - at) < 0 or (b == at and a != at):
                    f = (at - a) / (b - a)
                    other = (
                        prev[0] + f * (cur[0] - prev[0])
                        if axis == "y"
                        else prev[1] + f * (cur[1] - prev[1])
                    )
                    if lo <= other <= hi:
                        found.append(other)
                prev = cur
    return sorted(found)


def _gaps(spans: list[tuple[float, float]], lo: float, hi: float) -> list[float]:
    """Cut positions between lo and hi that pass no span: the middle of each gap."""
    out: list[float] = []
    reach = lo
    for a, b in sorted(spans):
        if a > reach:
            out.append((reach + a) / 2)
        reach = max(reach, b)
    return [c for c in out if lo < c < hi]


def column_cuts(lay: Layout, scale: float, width: float) -> list[float]:
    """Vertical cuts so each column of a chart too wide for `width` at `scale`
    fits: where the fewest boxes stand across the whole height (none, when
    there is such a gap), in the right half of what fits."""
    limit = width / scale
    spans = [(b.x - b.w / 2 - 2, b.x + b.w / 2 + 2) for b in lay.boxes]
    cuts: list[float] = []
    left = 0.0
    while lay.width - left > limit:
        candidates = [left + limit * k / 40 for k in range(20, 41)]
        cut = min(candidates, key=lambda c: (sum(a < c < b for a, b in spans), -c))
        cuts.append(cut)
        left = cut
    return cuts


class Chart(Flowable):
    """A window (x0..x1, y0..y1, layout units) of a flowchart at a fixed
    `scale`. Too tall for the space left on a page, it splits between rows of
    boxes; lines cut by a split end in a lettered connector at both sides."""

    def __init__(
        self,
        lay: Layout,
        font: str,
        scale: float,
        window: tuple[float, float, float, float] | None = None,
        marks: dict[str, tuple[Mark, ...]] | None = None,
        letters: _Letters | None = None,
    ) -> None:
        super().__init__()
        self.lay = lay
        self.font = font
        self.scale = scale
        self.window = window or (0.0, lay.width, 0.0, lay.height)
        self.marks = marks or {}
        self.letters = letters or _Letters()
        self.hAlign = "CENTER"

    # -- size and splitting ---------------------------------------------------
    def _room(self, side: str) -> float:
        return MARK_ROOM if self.marks.get(side) else 0.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        x0, x1, y0, y1 = self.window
        self.width = (x1 - x0) * self.scale + self._room("left") + self._room("right")
        self.height = (y1 - y0) * self.scale + self._room("top") + MARK_ROOM
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        x0, x1, y0, y1 = self.window
        room = (avail_height - self._room("top") - MARK_ROOM) / self.scale
        if room <= 0:
            return []
        inside = [
            b
            for b in self.lay.boxes
            if b.x + b.w / 2 > x0 and b.x - b.w / 2 < x1 and b.bottom > y0 and b.top < y1
        ]
        spans = [(b.top - 3, b.bottom + 3) for b in inside]
        # The part above a cut holds a box: a sliver of lines alone would be
        # one more pair of connectors (A, A, C, C … down the foot of a page).
        first = min((b.bottom for b in inside if b.top >= y0), default=y1)
        fitting = [c for c in _gaps(spans, y0, y1) if first < c <= y0 + room]
        if fitting:
            cut = fitting[-1]
        elif avail_height >= self.full_height:  # a row taller than a page: cut through it
            cut = y0 + room
        else:
            return []  # try again at the top of the next page
        marks = tuple(Mark(x) for x in crossings(self.lay, "y", cut, x0, x1))
        keep = {k: v for k, v in self.marks.items() if k in ("left", "right")}
        upper = Chart(
            self.lay,
            self.font,
            self.scale,
            (x0, x1, y0, cut),
            {**keep, "top": self.marks.get("top", ()), "bottom": marks},
            self.letters,
        )
        lower = Chart(
            self.lay,
            self.font,
            self.scale,
            (x0, x1, cut, y1),
            {**keep, "top": marks, "bottom": self.marks.get("bottom", ())},
            self.letters,
        )
        upper.full_height = lower.full_height = self.full_height
        return [upper, lower]

    full_height = 10_000.0  # the frame's height, set by whoever builds the chart

    # -- drawing ----------------------------------------------------------------
    # Layout y grows downward; PDF y grows upward.
    def _pt(self, x: float, y: float) -> tuple[float, float]:
        x0, _, y0, _ = self.window
        return (
            self._room("left") + (x - x0) * self.scale,
            self.height - self._room("top") - (y - y0) * self.scale,
        )

    def draw(self) -> None:
        canv: Any = self.canv
        x0, x1, y0, y1 = self.window
        if x0 == 0 and y0 == 0:  # the chart's first part: its letters start at A
            self.letters.restart()
        canv.saveState()
        left, top = self._pt(x0, y0)
        right, bottom = self._pt(x1, y1)
        clip = canv.beginPath()
        clip.rect(left, bottom, right - left, top - bottom)
        canv.clipPath(clip, stroke=0, fill=0)
        canv.setLineWidth(1.1 * self.scale)
        for route in self.lay.routes:
            xs = [p[0] for p in route.points]
            ys = [p[1] for p in route.points]
            if max(xs) >= x0 - 20 and min(xs) <= x1 + 20 and max(ys) >= y0 and min(ys) <= y1:
                self._route(canv, route)
        for box in self.lay.boxes:
            inside_x = box.x + box.w / 2 >= x0 and box.x - box.w / 2 <= x1
            if inside_x and box.bottom >= y0 and box.top <= y1:
                self._box(canv, box)
        canv.restoreState()
        self._marks(canv)

    def _marks(self, canv: Any) -> None:
        x0, x1, y0, y1 = self.window
        canv.saveState()
        canv.setLineWidth(0.8)
        canv.setDash([2, 1.5])
        for side in ("top", "bottom", "left", "right"):
            for mark in self.marks.get(side, ()):
                mark.letter = mark.letter or self.letters.next()
                if side in ("top", "bottom"):
                    x, edge = self._pt(mark.at, y0 if side == "top" else y1)
                    cy = edge + (MARK_ROOM / 2 + 1 if side == "top" else -MARK_ROOM / 2 - 1)
                    cx = x
                    canv.setStrokeColor(LINE)
                    canv.line(x, edge, x, cy + (-MARK_R if side == "top" else MARK_R))
                else:
                    edge, y = self._pt(x0 if side == "left" else x1, mark.at)
                    cx = edge + (-MARK_ROOM / 2 - 1 if side == "left" else MARK_ROOM / 2 + 1)
                    cy = y
                    canv.setStrokeColor(LINE)
                    canv.line(edge, y, cx + (MARK_R if side == "left" else -MARK_R), y)
                canv.setDash([])
                canv.setFillColor(CONNECTOR_FILL)
                canv.circle(cx, cy, MARK_R, stroke=1, fill=1)
                canv.setFillColor(INK)
                canv.setFont(self.font, MARK_FONT if len(mark.letter) == 1 else MIN_TEXT_PT)
                canv.drawCentredString(cx, cy - MARK_FONT * 0.35, mark.letter)
                canv.setDash([2, 1.5])
        canv.restoreState()

    def _route(self, canv: Any, route: Route) -> None:
        canv.setStrokeColor(LINE)
        canv.setDash([4 * self.scale, 2.5 * self.scale] if route.back else [])
        path = canv.beginPath()
        pts = route.points
        path.moveTo(*self._pt(*pts[0]))
        if route.loop:
            (x1, y1), (x2, y2), (x3, y3) = pts[1], pts[2], pts[3]
            path.curveTo(*self._pt(x1, y1 - 14), *self._pt(x2, y2 + 14), *self._pt(x3, y3))
            tail = self._pt(x2, y2 + 14)
        else:
            tail = self._pt(*pts[0])
            for (xa, ya), (xb, yb) in itertools.pairwise(pts):
                mid = (ya + yb) / 2
                path.curveTo(*self._pt(xa, mid), *self._pt(xb, mid), *self._pt(xb, yb))
                tail = self._pt(xb, mid)
        canv.drawPath(path, stroke=1, fill=0)
        canv.setDash([])
        self._arrow(canv, tail, self._pt(*pts[-1]))

    def _arrow(self, canv: Any, tail: tuple[float, float], tip: tuple[float, float]) -> None:
        dx, dy = tip[0] - tail[0], tip[1] - tail[1]
        length = math.hypot(dx, dy) or 1.0
        ux, uy = dx / length, dy / length
        size = 5.5 * self.scale
        back = (tip[0] - ux * size, tip[1] - uy * size)
        left = (back[0] - uy * size * 0.45, back[1] + ux * size * 0.45)
        right = (back[0] + uy * size * 0.45, back[1] - ux * size * 0.45)
        path = canv.beginPath()
        path.moveTo(*tip)
        path.lineTo(*left)
        path.lineTo(*right)
        path.close()
        canv.setFillColor(LINE)
        canv.drawPath(path, stroke=0, fill=1)

    def _box(self, canv: Any, box: Box) -> None:
        s = self.scale
        x, y = self._pt(box.x - box.w / 2, box.bottom)
        w, h = box.w * s, box.h * s
        ink = INK
        canv.setLineWidth(1.2 * s)
        if box.shape == "start":
            canv.setFillColor(ACCENT)
            canv.circle(x + w / 2, y + h / 2, w / 2, stroke=0, fill=1)
            ink = WHITE
        elif box.shape == "label":
            canv.setFillColor(WHITE)
            canv.setStrokeColor(LABEL_RULE)
            canv.setLineWidth(0.7 * s)
            canv.roundRect(x, y, w, h, 2.5 * s, stroke=1, fill=1)
        elif box.shape == "connector":
            canv.setFillColor(CONNECTOR_FILL)
            canv.setStrokeColor(LINE)
            canv.setDash([3 * s, 2 * s])
            canv.roundRect(x, y, w, h, h / 2, stroke=1, fill=1)
            canv.setDash([])
        elif box.shape == "end":
            canv.setFillColor(SOFT)
            canv.setStrokeColor(INK)
            canv.setLineWidth(2.2 * s)
            canv.roundRect(x, y, w, h, h / 2, stroke=1, fill=1)
        elif box.shape == "call":
            canv.setFillColor(CALL_FILL)
            canv.setStrokeColor(CALL)
            canv.rect(x, y, w, h, stroke=1, fill=1)
            canv.line(x + 5 * s, y, x + 5 * s, y + h)
            canv.line(x + w - 5 * s, y, x + w - 5 * s, y + h)
        else:
            canv.setFillColor(WHITE)
            canv.setStrokeColor(ACCENT)
            canv.roundRect(x, y, w, h, 5 * s, stroke=1, fill=1)
        canv.setFillColor(ink)
        canv.setFont(self.font, box.font * s)
        for line in text_lines(box):
            canv.drawCentredString(*self._pt(line.x, line.y), line.text)


def chart_parts(lay: Layout, font: str, width: float, full_height: float) -> list[Chart]:
    """The flowables of one chart for a frame `width` wide: one chart at the
    largest scale up to 1 that fits the width, never below MIN_SCALE; a chart
    still too wide is cut into columns, each joined to the next by connectors
    (the rows are cut as the pages fill)."""
    scale = max(MIN_SCALE, min(1.0, width / lay.width))
    letters = _Letters()
    cuts = column_cuts(lay, scale, width - 2 * MARK_ROOM) if lay.width * scale > width else []
    edges = [0.0, *cuts, lay.width]
    marks_at = {
        cut: tuple(Mark(y) for y in crossings(lay, "x", cut, 0.0, lay.height)) for cut in cuts
    }
    letters.columns = [mark for marks in marks_at.values() for mark in marks]
    parts = []
    for left, right in itertools.pairwise(edges):
        marks: dict[str, tuple[Mark, ...]] = {}
        if left in marks_at:
            marks["left"] = marks_at[left]
        if right in marks_at:
            marks["right"] = marks_at[right]
        part = Chart(lay, font, scale, (left, right, 0.0, lay.height), marks, letters)
        part.full_height = full_height
        parts.append(part)
    return parts


COLUMN_GAP = 18.0  # points between the columns of a chart set in columns


class ChartRow(Flowable):
    """Parts of one tall, narrow chart side by side on a page, like newspaper
    columns: each column continues the one to its left, joined by connectors."""

    def __init__(self, parts: list[Chart]) -> None:
        super().__init__()
        self.parts = parts
        self.hAlign = "CENTER"

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        sizes = [p.wrap(avail_width, avail_height) for p in self.parts]
        self.width = sum(w for w, _ in sizes) + COLUMN_GAP * (len(sizes) - 1)
        self.height = max(h for _, h in sizes)
        return self.width, self.height

    def draw(self) -> None:
        x = 0.0
        for part in self.parts:
            part.drawOn(self.canv, x, self.height - part.height)
            x += part.width + COLUMN_GAP


def newspaper(
    lay: Layout, font: str, scale: float, width: float, height: float
) -> list[ChartRow] | None:
    """A chart taller than a page but narrow enough for two or more columns
    side by side: its rows cut between boxes into columns of a page's height,
    set in rows of columns. None when the chart fits a page or is too wide."""
    column = lay.width * scale
    per_row = int((width + COLUMN_GAP) // (column + COLUMN_GAP))
    if per_row < 2 or lay.height * scale + MARK_ROOM <= height:
        return None
    band = (height - 2 * MARK_ROOM - 4) / scale
    spans = [(b.top - 3, b.bottom + 3) for b in lay.boxes]
    gaps = _gaps(spans, 0.0, lay.height)
    cuts: list[float] = []
    top = 0.0
    while lay.height - top > band:
        fitting = [c for c in gaps if top < c <= top + band]
        cut = fitting[-1] if fitting else top + band
        cuts.append(cut)
        top = cut
    marks = {c: tuple(Mark(x) for x in crossings(lay, "y", c, 0.0, lay.width)) for c in cuts}
    letters = _Letters(columns=[m for ms in marks.values() for m in ms])
    charts = [
        Chart(
            lay,
            font,
            scale,
            (0.0, lay.width, a, b),
            {"top": marks.get(a, ()), "bottom": marks.get(b, ())},
            letters,
        )
        for a, b in itertools.pairwise([0.0, *cuts, lay.height])
    ]
    return [ChartRow(charts[i : i + per_row]) for i in range(0, len(charts), per_row)]
