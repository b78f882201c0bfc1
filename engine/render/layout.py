"""A layered (Sugiyama-style) top-down layout for flowcharts, in pure Python.

No Graphviz binary: SVG in HTML and vector drawings in the PDF are placed
here. The usual four stages, kept simple because a procedure has tens of
steps, not thousands:

1. break cycles (edges back to a step on the current depth-first path are
   laid out reversed, then drawn pointing back up);
2. rank by longest path, every rank doubled so each edge passes a middle
   rank where its label sits as a node of its own: labels then take space
   like any box and can never overlap each other;
3. order each rank by barycentre sweeps, keeping the order with the fewest
   crossings;
4. place boxes left to right, pulled toward their neighbours' centres.

Units are abstract "px"; text is measured approximately (CJK 1 em, others
0.55 em), which is exact enough for both SVG and the PDF's CJK font.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

NODE_FONT = 13.0
LABEL_FONT = 11.0
NODE_WRAP_EM = 11.0  # a step title wraps after about 11 Chinese characters
LABEL_WRAP_EM = 8.0
PAD_X, PAD_Y = 10.0, 7.0
GAP_X = 18.0
GAP_Y = 14.0
MARGIN = 12.0
LINE = 1.3  # line height, in em


@dataclass(frozen=True)
class Metrics:
    """Text sizes, wrapping widths and gaps of one layout. The default suits a
    screen; print lays out narrower boxes (`PRINT`) so wide charts fit a page
    at a legible size, and lets long ones run over several pages."""

    node_wrap_em: float = NODE_WRAP_EM
    label_wrap_em: float = LABEL_WRAP_EM
    gap_x: float = GAP_X


SCREEN = Metrics()
PRINT = Metrics(node_wrap_em=7.0, label_wrap_em=5.0, gap_x=12.0)


@dataclass(frozen=True)
class NodeSpec:
    id: str
    lines: tuple[str, ...]  # already split into logical lines; each may wrap
    shape: str = "step"  # start | step | call | end


@dataclass(frozen=True)
class EdgeSpec:
    src: str
    dst: str
    label: str = ""


@dataclass
class Box:
    id: str
    x: float  # centre
    y: float
    w: float
    h: float
    lines: tuple[str, ...]
    shape: str
    font: float

    @property
    def top(self) -> float:
        return self.y - self.h / 2

    @property
    def bottom(self) -> float:
        return self.y + self.h / 2


@dataclass
class Route:
    points: list[tuple[float, float]]
    label: Box | None
    back: bool = False
    loop: bool = False


@dataclass
class Layout:
    width: float
    height: float
    boxes: list[Box] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)


def text_width(text: str, size: float) -> float:
    return sum(
        size if unicodedata.east_asian_width(ch) in ("W", "F") else size * 0.55 for ch in text
    )


_NO_LINE_START = set("，。、；：？！）》」』】〕,.;:?!)]%")
_NO_LINE_END = set("（《「『【〔([")


def wrap(text: str, size: float, max_em: float) -> list[str]:
    """Wrap to at most `max_em`, with lines of balanced length (no lone last
    character) and no punctuation at the start of a line (kinsoku)."""
    limit = size * max_em
    total = text_width(text, size)
    if total <= limit:
        return [text]
    count = -(-total // limit)  # lines needed at the limit
    lines = _greedy(text, size, min(limit, total / count + size))
    return lines if len(lines) <= count else _greedy(text, size, limit)


# What a line may not be broken inside: a run of letters and digits (an
# English word, a number, T-SOP-001); anything else is one character.
_UNIT = re.compile(r"[0-9A-Za-z][0-9A-Za-z'’_-]*|.", re.S)


def _units(text: str, size: float, limit: float) -> list[str]:
    """The text's unbreakable pieces; a word wider than a line is cut anyway."""
    out: list[str] = []
    for unit in _UNIT.findall(text):
        if len(unit) > 1 and text_width(unit, size) > limit:
            out.extend(unit)
        else:
            out.append(unit)
    return out


def _greedy(text: str, size: float, limit: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for unit in _units(text, size, limit):
        if current and text_width(current + unit, size) > limit and unit not in _NO_LINE_START:
            carry = ""
            while current and current[-1] in _NO_LINE_END:  # an opening bracket moves down
                carry, current = current[-1] + carry, current[:-1]
            lines.append(current.rstrip())
            current = (carry + unit).lstrip()
        else:
            current += unit
    if current:
        lines.append(current)
    return lines or [""]


def _box(id_: str, lines: tuple[str, ...], shape: str, size: float, wrap_em: float) -> Box:
    wrapped = tuple(part for line in lines for part in wrap(line, size, wrap_em))
    width = max(text_width(line, size) for line in wrapped) + 2 * PAD_X
    height = len(wrapped) * size * LINE + 2 * PAD_Y
    if shape == "start":
        width = height = max(width, height, 36.0)
    if shape == "end":
        width += height / 2  # room for the rounded ends
    return Box(id_, 0.0, 0.0, max(width, 48.0), height, wrapped, shape, size)


def layout(
    nodes: list[NodeSpec],
    edges: list[EdgeSpec],
    connector: Callable[[str], str] | None = None,
    metrics: Metrics = SCREEN,
) -> Layout:
    """Place `nodes` and route `edges`. With `connector`, an edge that goes back
    up (a loop in the procedure) ends in a small connector box under its source
    reading `connector(target)`, e.g. "↑ 回到第8步", instead of a long line
    back up: printed flowcharts stay legible around steps many others return to."""
    m = metrics
    boxes = {n.id: _box(n.id, n.lines, n.shape, NODE_FONT, m.node_wrap_em) for n in nodes}
    order_hint = {n.id: i for i, n in enumerate(nodes)}
    loops = [e for e in edges if e.src == e.dst]
    real = [e for e in edges if e.src != e.dst and e.src in boxes and e.dst in boxes]
    if connector is not None:
        real = _connectors(nodes, real, boxes, order_hint, connector, m.label_wrap_em)
    degree: dict[str, int] = defaultdict(int)
    for e in real:
        degree[e.src] += 1
        degree[e.dst] += 1
    for nid, count in degree.items():  # a hub needs room for its edges' ports
        if boxes[nid].shape != "start":
            boxes[nid].w = max(boxes[nid].w, 9.0 * count)
    back = _back_edges(list(boxes), real)
    dag = [(e.dst, e.src) if i in back else (e.src, e.dst) for i, e in enumerate(real)]
    rank = _ranks(list(boxes), dag, order_hint)

    # Chains: every edge becomes src → (dummies / label) → dst, one rank apart.
    layer_of: dict[str, int] = {nid: 2 * r for nid, r in rank.items()}
    chains: list[list[str]] = []
    labels: dict[int, Box] = {}
    for i, (a, b) in enumerate(dag):
        chain = [a]
        for level in range(layer_of[a] + 1, layer_of[b]):
            did = f"\0{i}:{level}"
            mid = level == layer_of[a] + 1
            if mid and real[i].label:
                labels[i] = _box(did, (real[i].label,), "label", LABEL_FONT, m.label_wrap_em)
                boxes[did] = labels[i]
            else:
                boxes[did] = Box(did, 0, 0, 8.0, 8.0, (), "dummy", LABEL_FONT)
            layer_of[did] = level
            chain.append(did)
        chain.append(b)
        chains.append(chain)

    layers = _order(layer_of, chains, order_hint)
    _place(layers, boxes, chains, m.gap_x)
    routes = [_route(chains[i], boxes, i in back, labels.get(i)) for i in range(len(dag))]
    _spread_ports(
        routes, [chains[i][::-1] if i in back else chains[i] for i in range(len(dag))], boxes
    )
    routes += [_loop(boxes[e.src], e.label, m.label_wrap_em) for e in loops if e.src in boxes]
    shown = [b for b in boxes.values() if b.shape not in ("dummy", "label")]
    shown += list(labels.values()) + [r.label for r in routes if r.loop and r.label]
    return _normalise(shown, routes)


def _connectors(
    nodes: list[NodeSpec],
    edges: list[EdgeSpec],
    boxes: dict[str, Box],
    hint: dict[str, int],
    connector: Callable[[str], str],
    wrap_em: float = LABEL_WRAP_EM,
) -> list[EdgeSpec]:
    back = _back_edges([n.id for n in nodes], edges)
    out = []
    for i, e in enumerate(edges):
        if i not in back:
            out.append(e)
            continue
        cid = f"\0to:{i}"
        boxes[cid] = _box(cid, (connector(e.dst),), "connector", LABEL_FONT, wrap_em)
        hint[cid] = hint[e.src]
        out.append(EdgeSpec(e.src, cid, e.label))
    return out


def _back_edges(ids: list[str], edges: list[EdgeSpec]) -> set[int]:
    """Edges that close a cycle, found by depth-first search from the first node."""
    out: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for i, e in enumerate(edges):
        out[e.src].append((i, e.dst))
    state: dict[str, int] = {}  # 1 on the path, 2 done
    back: set[int] = set()
    for root in ids:
        if root in state:
            continue
        stack = [(root, iter(out[root]))]
        state[root] = 1
        while stack:
            node, it = stack[-1]
            step = next(it, None)
            if step is None:
                state[node] = 2
                stack.pop()
                continue
            i, nxt = step
            if state.get(nxt) == 1:
                back.add(i)
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(out[nxt])))
    return back


def _ranks(ids: list[str], dag: list[tuple[str, str]], hint: dict[str, int]) -> dict[str, int]:
    """Longest path from the sources, computed in topological order."""
    indeg = {i: 0 for i in ids}
    succ: dict[str, list[str]] = defaultdict(list)
    for a, b in dag:
        succ[a].append(b)
        indeg[b] += 1
    ready = sorted((i for i in ids if indeg[i] == 0), key=hint.__getitem__)
    rank = dict.fromkeys(ids, 0)
    while ready:
        node = ready.pop(0)
        for nxt in succ[node]:
            rank[nxt] = max(rank[nxt], rank[node] + 1)
            indeg[nxt] -= 1
            if indeg[nxt] == 0:
                ready.append(nxt)
    return rank


def _order(
    layer_of: dict[str, int], chains: list[list[str]], hint: dict[str, int]
) -> list[list[str]]:
    depth = max(layer_of.values(), default=0) + 1
    layers: list[list[str]] = [[] for _ in range(depth)]
    # Start from the written order of steps; dummies follow their chain's source.
    first_seen: dict[str, float] = {}
    for chain in chains:
        base = hint.get(chain[0], 0)
        for k, nid in enumerate(chain[1:-1], start=1):
            first_seen.setdefault(nid, base + k / 100)
    for nid, level in layer_of.items():
        layers[level].append(nid)
    for layer in layers:
        layer.sort(key=lambda n: hint.get(n, first_seen.get(n, 0.0)))
    up: dict[str, list[str]] = defaultdict(list)
    down: dict[str, list[str]] = defaultdict(list)
    for chain in chains:
        for a, b in itertools.pairwise(chain):
            down[a].append(b)
            up[b].append(a)
    best = [list(layer) for layer in layers]
    best_cost = _crossings(best, down)
    for sweep in range(8):
        rng = range(1, depth) if sweep % 2 == 0 else range(depth - 2, -1, -1)
        for level in rng:
            ref = layers[level - 1] if sweep % 2 == 0 else layers[level + 1]
            where = {n: i for i, n in enumerate(ref)}
            near = up if sweep % 2 == 0 else down
            current = {n: i for i, n in enumerate(layers[level])}

            def centre(
                n: str,
                where: dict[str, int] = where,
                current: dict[str, int] = current,
                near: dict[str, list[str]] = near,
            ) -> float:
                ps = [where[p] for p in near[n] if p in where]
                return sum(ps) / len(ps) if ps else float(current[n])

            layers[level].sort(key=centre)
        cost = _crossings(layers, down)
        if cost < best_cost:
            best, best_cost = [list(layer) for layer in layers], cost
    return best


def _crossings(layers: list[list[str]], down: dict[str, list[str]]) -> int:
    total = 0
    for upper, lower in itertools.pairwise(layers):
        pos = {n: i for i, n in enumerate(lower)}
        pairs = [(i, pos[d]) for i, n in enumerate(upper) for d in down[n] if d in pos]
        for k, (a1, b1) in enumerate(pairs):
            for a2, b2 in pairs[k + 1 :]:
                if (a1 - a2) * (b1 - b2) < 0:
                    total += 1
    return total


def _place(
    layers: list[list[str]], boxes: dict[str, Box], chains: list[list[str]], gap_x: float
) -> None:
    y = MARGIN
    for layer in layers:
        height = max((boxes[n].h for n in layer), default=0.0)
        for n in layer:
            boxes[n].y = y + height / 2
        y += height + GAP_Y
    nbrs: dict[str, list[str]] = defaultdict(list)
    for chain in chains:
        for a, b in itertools.pairwise(chain):
            nbrs[a].append(b)
            nbrs[b].append(a)
    for layer in layers:
        _pack(layer, boxes, [0.0] * len(layer), gap_x)
    for _ in range(12):  # pull toward neighbours, then undo overlaps in order
        for layer in layers:
            want = []
            for n in layer:
                xs = [boxes[m].x for m in nbrs[n]]
                want.append(sum(xs) / len(xs) if xs else boxes[n].x)
            _pack(layer, boxes, want, gap_x)


def _pack(layer: list[str], boxes: dict[str, Box], want: list[float], gap_x: float) -> None:
    """Put each box as near its wanted x as the order and the gaps allow: the
    mean of a left-to-right and a right-to-left packing, each of which keeps
    the gaps, so their mean keeps them too and neither side is favoured."""
    if not layer:
        return
    gaps = [(boxes[a].w + boxes[b].w) / 2 + gap_x for a, b in itertools.pairwise(layer)]
    fwd, bwd = list(want), list(want)
    for i in range(1, len(layer)):
        fwd[i] = max(want[i], fwd[i - 1] + gaps[i - 1])
    for i in range(len(layer) - 2, -1, -1):
        bwd[i] = min(want[i], bwd[i + 1] - gaps[i])
    for n, a, b in zip(layer, fwd, bwd, strict=True):
        boxes[n].x = (a + b) / 2


def _route(chain: list[str], boxes: dict[str, Box], back: bool, label: Box | None) -> Route:
    ids = list(reversed(chain)) if back else chain
    first, last = boxes[ids[0]], boxes[ids[-1]]
    points = [(first.x, first.top if back else first.bottom)]
    points += [(boxes[n].x, boxes[n].y) for n in ids[1:-1]]
    points.append((last.x, last.bottom if back else last.top))
    return Route(points, label, back=back)


def _spread_ports(routes: list[Route], paths: list[list[str]], boxes: dict[str, Box]) -> None:
    """Edges leaving or entering the same side of a box get their own points
    along it, ordered by where they head, instead of meeting in one point."""
    ends: dict[tuple[str, float], list[tuple[float, Route, int]]] = defaultdict(list)
    for route, path in zip(routes, paths, strict=True):
        for index, node, toward in ((0, path[0], 1), (-1, path[-1], -2)):
            ends[(node, route.points[index][1])].append((route.points[toward][0], route, index))
    for (node, _), group in ends.items():
        box = boxes[node]
        if len(group) < 2 or box.shape == "start":
            continue
        group.sort(key=lambda g: g[0])
        span = box.w * (0.5 if box.shape == "end" else 0.7)
        for k, (_, route, index) in enumerate(group):
            x = box.x - span / 2 + span * k / (len(group) - 1)
            route.points[index] = (x, route.points[index][1])


def _loop(box: Box, label: str, wrap_em: float = LABEL_WRAP_EM) -> Route:
    x, y = box.x + box.w / 2, box.y
    tag = _box(f"\0loop:{box.id}", (label,), "label", LABEL_FONT, wrap_em) if label else None
    if tag:
        tag.x, tag.y = x + 30 + tag.w / 2, y
    return Route([(x, y - 6), (x + 28, y - 6), (x + 28, y + 6), (x, y + 6)], tag, loop=True)


def _normalise(boxes: list[Box], routes: list[Route]) -> Layout:
    xs = [b.x - b.w / 2 for b in boxes] + [p[0] for r in routes for p in r.points]
    xe = [b.x + b.w / 2 for b in boxes] + [p[0] for r in routes for p in r.points]
    ye = [b.bottom for b in boxes] + [p[1] for r in routes for p in r.points]
    dx = MARGIN - min(xs, default=0.0)
    for b in boxes:
        b.x += dx
    for r in routes:
        r.points = [(px + dx, py) for px, py in r.points]
    return Layout(max(xe, default=0.0) + dx + MARGIN, max(ye, default=0.0) + MARGIN, boxes, routes)
