"""Flowcharts (`sop graph`): Mermaid golden files and a syntax check for every
bundled procedure, DOT checked by Graphviz when it is installed, and SVG from
the built-in layout checked for structure and overlaps."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET

import pytest

from engine.model import FIND_STEP, Procedure
from engine.render.graph import graph_layout, graph_of, node_id, render_graph
from tests.conftest import Runner
from tests.render_golden import BUNDLED, MINI, bundled_ids, check, needs_dot, rulebook, stale

# Words Mermaid reads as syntax when used bare as a node id.
MERMAID_KEYWORDS = {
    "end",
    "graph",
    "flowchart",
    "subgraph",
    "class",
    "classDef",
    "click",
    "style",
    "linkStyle",
    "direction",
    "default",
    "call",
    "href",
}
SAFE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
QUOTED = r'"[^"]*"'
NODE = re.compile(
    rf"^  (\w+)(\(\({QUOTED}\)\)|\(\[{QUOTED}\]\)|\[\[{QUOTED}\]\]|\({QUOTED}\)"
    rf"|\[/{QUOTED}\\\]|\[\\{QUOTED}/\])$"  # a parallel's fork [/ \] and join [\ /]
)
EDGE = re.compile(rf"^  (\w+) -->(?:\|{QUOTED}\|)? (\w+)$")


def mermaid_problems(text: str, step_ids: list[str]) -> list[str]:
    """A strict reader of the subset of Mermaid we write; any line it cannot
    read, any unsafe id, any edge to an undeclared node is a problem."""
    lines = text.splitlines()
    problems = [] if lines and lines[0] == "flowchart TD" else ["first line is not flowchart TD"]
    declared: set[str] = set()
    edges: list[tuple[str, str]] = []
    for line in lines[1:]:
        if (m := NODE.match(line)) is not None:
            declared.add(m.group(1))
        elif (m := EDGE.match(line)) is not None:
            edges.append((m.group(1), m.group(2)))
        elif re.match(r"^  (%%.*|classDef \w+ .+|class [\w,]+ \w+)$", line):
            continue
        else:
            problems.append(f"unreadable line: {line!r}")
    for nid in declared | {n for e in edges for n in e}:
        if not SAFE_ID.match(nid) or nid in MERMAID_KEYWORDS:
            problems.append(f"unsafe id {nid!r}")
    problems += [f"edge to undeclared {a}->{b}" for a, b in edges if not {a, b} <= declared]
    problems += [f"step {s} missing" for s in step_ids if node_id(s) not in declared]
    return problems


@pytest.mark.parametrize("pid", bundled_ids())
def test_bundled_mermaid(pid: str, update: bool) -> None:
    rb = rulebook(BUNDLED)
    text = render_graph(rb, pid, "mermaid")
    assert mermaid_problems(text, _shown_steps(rb.procedures[pid])) == []
    check(f"graph/bundled/{pid}.mmd", text, update)


def _shown_steps(proc: Procedure) -> list[str]:
    """The steps a graph draws: a rule table's find step is its title node."""
    return [s for s in proc.steps if s != FIND_STEP]


def test_no_stale_bundled_goldens() -> None:
    assert stale("graph/bundled", {f"graph/bundled/{pid}.mmd" for pid in bundled_ids()}) == []


def test_keyword_step_ids_are_sanitised(update: bool) -> None:
    rb = rulebook(MINI)
    text = render_graph(rb, "visit", "mermaid")
    assert mermaid_problems(text, list(rb.procedures["visit"].steps)) == []
    assert "s_end([" in text and "s_graph(" in text and "s_subgraph(" in text
    assert '-->|"回访客户问候 (若<br/>' in text  # a guarded choice shows its guard
    check("graph/mini/visit.mmd", text, update)
    check("graph/mini/visit.dot", render_graph(rb, "visit", "dot"), update)


def test_a_step_names_the_forms_it_fills_in_its_box() -> None:
    nodes = {n.id: n.lines for n in graph_of(rulebook(MINI), "visit").nodes}
    assert nodes["s_register"] == ("6. 请客户登记", "样板房客服", "▤《客户接待记录表》")
    assert [nid for nid, lines in nodes.items() if any("▤" in x for x in lines)] == ["s_register"]
    # A rule table's entry too, with the condition it is filled under.
    table = {n.id: n.lines for n in graph_of(rulebook(BUNDLED), "site-situations").nodes}
    assert (
        "▤《案场服务情况记录》 (若 礼品是否实在推卸不下、只能暂时收下? 是)"
        in (table["s_gift_offered"])
    )
    assert "▤《案场服务情况记录》" in table["s_criticism"]
    # Several forms of one step: a line each, in the order written.
    day = {n.id: n.lines for n in graph_of(rulebook(BUNDLED), "cs-supervisor-day").nodes}
    assert day["s_service_revisit"][-2:] == ("▤《问题记录汇总表》", "▤《回访记录》")
    for fmt in ("mermaid", "dot", "svg"):
        assert "▤《客户接待记录表》" in render_graph(rulebook(MINI), "visit", fmt)  # type: ignore[arg-type]


def test_labels_are_escaped() -> None:
    from engine.render.escape import mermaid

    assert mermaid('a"b|c<d>#e') == "a#34;b#124;c#60;d#62;#35;e"


@needs_dot
@pytest.mark.parametrize("pid", bundled_ids())
def test_dot_is_accepted_by_graphviz(pid: str) -> None:
    text = render_graph(rulebook(BUNDLED), pid, "dot")
    done = subprocess.run(
        ["dot", "-Tsvg"], input=text, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5


@pytest.mark.parametrize("pid", bundled_ids())
def test_svg_layout_has_every_step_and_no_overlapping_boxes(pid: str) -> None:
    rb = rulebook(BUNDLED)
    graph = graph_of(rb, pid)
    lay = graph_layout(graph)
    shown = [b for b in lay.boxes]
    rects = [(b.x - b.w / 2, b.top, b.x + b.w / 2, b.bottom) for b in shown]
    for i, a in enumerate(rects):
        for j in range(i + 1, len(rects)):
            assert not _overlap(a, rects[j]), (shown[i].lines, shown[j].lines)
    assert all(r[0] >= 0 and r[2] <= lay.width and r[1] >= 0 and r[3] <= lay.height for r in rects)
    svg = ET.fromstring(render_graph(rb, pid, "svg").split("\n", 1)[1])
    texts = "".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
    for number in range(1, len(_shown_steps(rb.procedures[pid])) + 1):
        assert f"{number}. " in texts
    assert len(list(svg.iter("{http://www.w3.org/2000/svg}path"))) >= len(graph.edges)


def test_cli_graph(sop: Runner) -> None:
    done = sop("graph", "visit", "-R", str(MINI))
    assert done.returncode == 0 and done.stdout == render_graph(rulebook(MINI), "visit")
    done = sop("graph", "visit", "-R", str(MINI), "--format", "svg")
    assert done.returncode == 0 and done.stdout.startswith("<?xml")
    done = sop("graph", "nope", "-R", str(MINI), "--lang", "en")
    assert done.returncode == 2 and 'no procedure "nope"' in done.stderr
    done = sop("graph", "nope", "-R", str(MINI))
    assert done.returncode == 2 and '规则手册中没有流程 "nope"' in done.stderr
