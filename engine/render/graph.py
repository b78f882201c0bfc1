"""Flowcharts: a procedure's steps as nodes, its ways out as labelled edges.

One graph model feeds Mermaid (renders on GitHub), DOT (for Graphviz users)
and the built-in layout for SVG and the PDF. Node ids are sanitised to
`s_<step>` (plus `begin`), so no step id can collide with a keyword such as
Mermaid's `end`; every label is quoted and escaped. Choices and guards label
their edges, end steps are drawn as terminals with their outcome. A step that
fills a form names it in its box (▤《来访客户登记表》, with its condition when
it is filled only sometimes), where the flow is read, not as a box of its own
that would read as a step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from markupsafe import Markup

from engine.model import Rulebook
from engine.render import escape
from engine.render.layout import SCREEN, EdgeSpec, Layout, Metrics, NodeSpec, layout, wrap
from engine.render.view import Exit, ProcView, StepView, ViewBuilder
from engine.render.words import ZH, Words, lang_of

GraphFormat = Literal["mermaid", "dot", "svg"]
GRAPH_FORMATS: tuple[GraphFormat, ...] = ("mermaid", "dot", "svg")
BEGIN = "begin"
_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


@dataclass(frozen=True)
class GNode:
    id: str
    lines: tuple[str, ...]
    shape: str  # start | step | call | end | fork | join (a parallel's)


@dataclass(frozen=True)
class GEdge:
    src: str
    dst: str
    label: str
    kind: str


@dataclass(frozen=True)
class Graph:
    id: str
    title: str
    nodes: tuple[GNode, ...]
    edges: tuple[GEdge, ...]
    w: Words = ZH  # the language of its own words (开始, 调用, ↑ 回到第N步 …)

    @property
    def ends(self) -> tuple[str, ...]:
        return tuple(n.id for n in self.nodes if n.shape == "end")

    @property
    def calls(self) -> tuple[str, ...]:
        return tuple(n.id for n in self.nodes if n.shape == "call")


def node_id(step_id: str) -> str:
    return "s_" + _UNSAFE.sub("_", step_id)


def build_graph(view: ProcView, w: Words = ZH) -> Graph:
    """The flowchart of a procedure's view, its own words in `w`'s language
    (the view's words are in the language it was built in)."""
    if view.is_table:
        return _table_graph(view, w)
    # A scheduled procedure starts when it falls due: its schedule in words
    # under 开始 (每天 开门时), escaped like every label.
    nodes = [GNode(BEGIN, (w.graph("start"), *view.schedule), "start")]
    edges: list[GEdge] = []
    start = next((s for s in view.steps if s.is_start), None)
    if start is not None:
        edges.append(GEdge(BEGIN, node_id(start.id), "", "next"))
    for step in view.steps:
        lines = [f"{step.number}. {step.title}"]
        if step.role:
            lines.append(step.role)
        if step.turn_label:
            lines.append(step.turn_label)
        lines += form_lines(step, w)
        shape = "step"
        if step.call:
            lines.append(w.graph("call", title=step.call))
            shape = "call"
        if step.end is not None:
            end = w.graph("end-as", title=step.end_title) if step.end_title else w.graph("end")
            lines.append(end)
            shape = "end"
        nodes.append(GNode(node_id(step.id), tuple(lines), shape))
        lanes = [e for e in step.exits if e.kind == "parallel"]
        if lanes:
            _fork(view, step.id, lanes, nodes, edges, w)
        for exit_ in step.exits:
            if exit_.target is None or exit_.kind == "parallel":
                continue
            label = exit_.label
            if exit_.kind == "choice" and exit_.condition:
                label = w.graph("if", label=label, condition=exit_.condition)
            edges.append(GEdge(node_id(step.id), node_id(exit_.target), label, exit_.kind))
    return Graph(view.id, view.title, tuple(nodes), tuple(edges), w)


def form_lines(step: StepView, w: Words = ZH) -> list[str]:
    """The forms a step fills, a line each: ▤《title》, (若 condition) after
    one filled only when its condition holds."""
    return [
        w.graph("form-if", title=rec.title, condition=rec.condition)
        if rec.condition
        else w.graph("form", title=rec.title)
        for rec in step.records
    ]


def _table_graph(view: ProcView, w: Words) -> Graph:
    """A rule table: one node per entry under the table's title, each
    reached by staff's finding it (or, in a decision table, by its condition)."""
    decides = any(e.condition for e in view.entries)
    how = w.graph("decides" if decides else "finds")
    nodes = [GNode(BEGIN, (view.title, how), "start")]
    edges = []
    for e in view.entries:
        lines = [f"{e.number}. {e.title}"]
        if e.step.role:
            lines.append(e.step.role)
        lines += form_lines(e.step, w)
        shape = "step"
        if e.step.call:
            lines.append(w.graph("call", title=e.step.call))
            shape = "call"
        nodes.append(GNode(node_id(e.id), tuple(lines), shape))
        edges.append(GEdge(BEGIN, node_id(e.id), e.condition, "branch" if decides else "choice"))
    return Graph(view.id, view.title, tuple(nodes), tuple(edges), w)


JOIN = "j_end"  # one join for the procedure: branches join at the run's end


def _fork(
    view: ProcView, sid: str, lanes: list[Exit], nodes: list[GNode], edges: list[GEdge], w: Words
) -> None:
    """A `parallel:`: the step → a fork (⇉, with how its branches join) →
    each branch (a step, or the called procedure); each branch's ends and the
    run's own ends → the join (⇇), where the run is finished. With `at`, the
    branches' ends → a join of their own → the `at` step."""
    fork = f"f_{node_id(sid)}"
    nodes.append(GNode(fork, (w.graph("fork"), lanes[0].condition), "fork"))
    here = next(s for s in view.steps if s.id == sid)
    # `parallel: {at}`: the branches join before that step (their own join),
    # else at the run's end (the procedure's one join).
    join = f"j_{node_id(sid)}" if here.join_at else JOIN
    if here.join_at:
        at = next((s for s in view.steps if s.id == here.join_at), None)
        said = w.graph("join-at", n=at.number) if at else w.graph("join-wait")
        nodes.append(GNode(join, (w.graph("join"), said), "join"))
        edges.append(GEdge(join, node_id(here.join_at), "", "join"))
    elif not any(n.id == JOIN for n in nodes):
        nodes.append(GNode(JOIN, (w.graph("join"), w.graph("join-end")), "join"))
    edges.append(GEdge(node_id(sid), fork, "", "parallel"))
    after: dict[str, list[str]] = {
        s.id: [e.target for e in s.exits if e.target is not None and e.kind != "parallel"]
        for s in view.steps
    }
    ending = {s.id for s in view.steps if s.end is not None}

    def ends_from(first: str) -> list[str]:
        seen, todo = {first}, [first]
        while todo:
            for t in after.get(todo.pop(), []):
                if t not in seen:
                    seen.add(t)
                    todo.append(t)
        return [s.id for s in view.steps if s.id in seen and s.id in ending]

    joined = [e.src for e in edges if e.dst == join]
    for i, lane in enumerate(lanes):
        if lane.target is not None:
            edges.append(GEdge(fork, node_id(lane.target), "", "parallel"))
            joined += [node_id(x) for x in ends_from(lane.target)]
        else:
            called = f"c_{node_id(sid)}_{i}"
            nodes.append(GNode(called, (w.graph("call", title=lane.label),), "call"))
            edges.append(GEdge(fork, called, "", "parallel"))
            joined.append(called)
    if not here.join_at:  # the run's own ends join them too
        for target in (e.target for e in here.exits if e.kind != "parallel" and e.target):
            joined += [node_id(x) for x in ends_from(target)]
    done = {e.src for e in edges if e.dst == join}
    for src in dict.fromkeys(joined):
        if src not in done:
            edges.append(GEdge(src, join, "", "join"))


def graph_of(rulebook: Rulebook, pid: str, lang: str | None = None) -> Graph:
    """A procedure's flowchart, its words in `lang` (default: this
    process's, or this context's, language)."""
    from engine.procedure_names import find_procedure

    w = Words(lang_of(lang))
    view = ViewBuilder(rulebook, lang=w.lang).procedure(find_procedure(rulebook, pid))
    return build_graph(view, w)


def localised(graph: Graph, locale: str) -> Graph:
    """The same graph with its words converted (zh-TW), for drawing it directly."""
    from dataclasses import replace

    from engine.render.locale import convert

    return replace(
        graph,
        title=convert(graph.title, locale),
        nodes=tuple(
            replace(n, lines=tuple(convert(x, locale) for x in n.lines)) for n in graph.nodes
        ),
        edges=tuple(replace(e, label=convert(e.label, locale)) for e in graph.edges),
    )


def graph_layout(graph: Graph, metrics: Metrics = SCREEN) -> Layout:
    numbers = {n.id: n.lines[0].split(".", 1)[0] for n in graph.nodes}
    return layout(
        [NodeSpec(n.id, n.lines, n.shape) for n in graph.nodes],
        [EdgeSpec(e.src, e.dst, e.label) for e in graph.edges],
        connector=lambda target: graph.w.graph("back-to", n=numbers[target]),  # converted too
        metrics=metrics,
    )


# -- text formats -----------------------------------------------------------
# Labels are built here from escaped parts and handed to the templates as
# Markup (vouched for); everything else a template prints is escaped there.
def mermaid_label(lines: tuple[str, ...] | list[str], wrap_em: float = 12.0) -> Markup:
    # Controls shown before wrapping, which would take some for spaces.
    parts = [part for line in lines for part in wrap(escape.visible(line), 1.0, wrap_em)]
    return Markup("<br/>".join(escape.mermaid(p) for p in parts))


def dot_label(lines: tuple[str, ...] | list[str], wrap_em: float = 12.0) -> Markup:
    # Controls shown before wrapping, which would take some for spaces.
    parts = [part for line in lines for part in wrap(escape.visible(line), 1.0, wrap_em)]
    return Markup("\\n".join(escape.dot(p) for p in parts))


def mermaid_chart(graph: Graph) -> str:
    """The flowchart as Mermaid (also what the Markdown manual embeds)."""
    from engine.render.templating import render

    return render("graph.mmd.j2", graph=graph, mermaid_label=mermaid_label)


def render_graph(
    rulebook: Rulebook, pid: str, fmt: GraphFormat = "mermaid", locale: str = "zh-CN"
) -> str:
    from engine.render.locale import convert
    from engine.render.templating import render

    graph = graph_of(rulebook, pid)
    if fmt == "svg":
        from engine.render.svg import svg_document

        return convert(svg_document(graph), locale)
    if fmt == "mermaid":
        return convert(mermaid_chart(graph), locale)
    return convert(render("graph.dot.j2", graph=graph, dot_label=dot_label), locale)
