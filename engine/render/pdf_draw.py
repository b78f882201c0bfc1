"""Flowcharts drawn straight into the PDF as vectors, from the shared layout.

The same boxes, curves and labels as the SVG (engine/render/svg.py), scaled to
fit the page; text uses the embedded CJK font, so the chart stays sharp and
searchable when printed or zoomed.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.platypus import Flowable

from engine.render.layout import Box, Layout, Route
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


class Chart(Flowable):
    """A layout, scaled down (never up) to the frame's width and `max_height`."""

    def __init__(self, lay: Layout, font: str, max_height: float) -> None:
        super().__init__()
        self.lay = lay
        self.font = font
        self.max_height = max_height
        self.scale = 1.0
        self.hAlign = "CENTER"

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        lay = self.lay
        self.scale = min(1.0, avail_width / lay.width, self.max_height / lay.height)
        self.width, self.height = lay.width * self.scale, lay.height * self.scale
        return self.width, self.height

    # Layout y grows downward; PDF y grows upward.
    def _pt(self, x: float, y: float) -> tuple[float, float]:
        return x * self.scale, self.height - y * self.scale

    def draw(self) -> None:
        canv: Any = self.canv
        canv.saveState()
        canv.setLineWidth(1.1 * self.scale)
        for route in self.lay.routes:
            self._route(canv, route)
        for box in self.lay.boxes:
            self._box(canv, box)
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
