"""SVG flowcharts from the built-in layout (no Graphviz binary needed).

Geometry is worked out here (path data, text baselines); the template only
writes the elements, so the same drawing can stand alone or sit inline in
the HTML manual (ids are prefixed per procedure so several can share a page).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from engine.render.graph import Graph, graph_layout
from engine.render.layout import LINE, PAD_Y, Box, Layout, Route
from engine.render.templating import render


@dataclass(frozen=True)
class TextLine:
    x: float
    y: float
    text: str


def path_data(route: Route) -> str:
    """Smooth top-down curves through the route's points (vertical tangents)."""
    pts = route.points
    if route.loop:
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = pts
        return (
            f"M{x0:.1f},{y0:.1f} C{x1:.1f},{y1 - 14:.1f} {x2:.1f},{y2 + 14:.1f} {x3:.1f},{y3:.1f}"
        )
    out = [f"M{pts[0][0]:.1f},{pts[0][1]:.1f}"]
    for (xa, ya), (xb, yb) in itertools.pairwise(pts):
        mid = (ya + yb) / 2
        out.append(f"C{xa:.1f},{mid:.1f} {xb:.1f},{mid:.1f} {xb:.1f},{yb:.1f}")
    return " ".join(out)


def text_lines(box: Box) -> list[TextLine]:
    """Baselines for each line, centred in the box."""
    step = box.font * LINE
    top = box.top + PAD_Y + (box.h - 2 * PAD_Y - step * len(box.lines)) / 2
    return [
        TextLine(box.x, top + step * i + box.font * 1.0, line) for i, line in enumerate(box.lines)
    ]


def svg_fragment(graph: Graph, lay: Layout | None = None) -> str:
    """An <svg> element, for inlining in HTML."""
    lay = lay or graph_layout(graph)
    return render(
        "graph.svg.j2",
        graph=graph,
        layout=lay,
        path_data=path_data,
        text_lines=text_lines,
        uid=graph.id,
    )


def svg_document(graph: Graph) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + svg_fragment(graph)
