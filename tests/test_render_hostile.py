"""Properties: whatever the texts of a rulebook, an answer or a run, every
output keeps the structure its template wrote.

Each example renders a hostile rulebook (tests/hostile.py) and its benign
twin of the same shape, then parses both as their readers would:

- HTML (manual, checklist, script; html5lib, as browsers parse): the same
  elements in the same order with the same attributes, links and ids; no
  event handler or script URL anywhere; the CSS strings in <style> stay
  strings (CSS tokenised, strings blanked, equal to the benign stylesheet)
- SVG (standalone flowchart): the same, parsed as XML
- Markdown (markdown-it, CommonMark + GFM tables/strikethrough): the same
  tokens but text, no raw HTML the template did not write
- Mermaid and DOT: exactly one statement per node and edge of the graph,
  each label decoding back to the graph's own text (DOT parsed by pydot and,
  when installed, accepted by Graphviz)
- PDF: builds, and the procedure's title can be read back from its text
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from typing import Any

import html5lib
import pypdfium2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from engine.render import escape
from engine.render.checklist import render_checklist
from engine.render.graph import Graph, graph_of, render_graph
from engine.render.manual import render_manual
from engine.render.script import render_script
from engine.render.view import ViewBuilder
from tests.conftest import Runner
from tests.hostile import Twins, answers, twins
from tests.render_golden import needs_dot
from tests.runtime_support import FIXTURE, VISIT_HAPPY, Sop, write_scenario

# pydot's grammar uses pyparsing names that now warn.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:pydot")
FAST = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _cards(tw: Twins, fmt: str) -> list[tuple[str, str]]:
    """(hostile, benign) renderings of every card in `fmt`, filled and not."""
    out = []
    for render in (render_script, render_checklist):
        for role in (None, "guard"):
            for filled in (False, True):
                pair = []
                for rb, surname in ((tw.hostile, tw.surname), (tw.benign, "王")):
                    sets = answers(rb, surname) if filled else None
                    pair.append(render(rb, "gen", role=role, sets=sets, fmt=fmt))
                out.append((pair[0], pair[1]))
    # The day's card: the holiday falls on 4 December (the schedule's words
    # and the day's times on it).
    day = date(2026, 12, 4)
    pair = [render_checklist(rb, None, fmt=fmt, day=day) for rb in (tw.hostile, tw.benign)]  # type: ignore[arg-type]
    out.append((pair[0], pair[1]))
    return out


# -- HTML ---------------------------------------------------------------------
TEXT_ATTRIBUTES = {"aria-label"}  # attributes the templates fill with rulebook text
GEOMETRY = re.compile(r"^[-0-9., MCLHVZmclhvz]*$")  # SVG coordinates follow text widths


def _elements(root: Any) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    out = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue  # comments
        attrs = []
        for name, value in sorted(el.attrib.items()):
            assert not name.lower().startswith("on"), (el.tag, name)
            if name in TEXT_ATTRIBUTES:
                attrs.append((name, "…"))
                continue
            assert "javascript:" not in value.lower(), (el.tag, name, value)
            if GEOMETRY.match(value):
                value = "…"
            attrs.append((name, value))
        entry = (el.tag, tuple(attrs))
        if el.tag.endswith("}text") and out and out[-1] == entry:
            continue  # a flowchart label wraps onto as many lines as its words need
        out.append(entry)
    return out


def _css_blanked(css: str) -> str:
    """The stylesheet with every string token's content blanked (CSS Syntax
    §4.3: strings end at their quote or a line break; escapes are kept in)."""
    out, i = [], 0
    while i < len(css):
        ch = css[i]
        if css.startswith("/*", i):
            end = css.find("*/", i + 2)
            i = len(css) if end < 0 else end + 2
            continue
        if ch in "\"'":
            j = i + 1
            while j < len(css) and css[j] != ch:
                assert css[j] not in "\n\r\f", "a CSS string broken by a line break"
                j += 2 if css[j] == "\\" else 1
            out.append(ch + ch)
            i = j + 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _html_signature(text: str) -> tuple[Any, ...]:
    parser = html5lib.HTMLParser(namespaceHTMLElements=False)
    root = parser.parse(text)
    styles = [_css_blanked(el.text or "") for el in root.iter("style")]
    return (_elements(root), styles)


def first_difference(got: list[Any], want: list[Any], what: str) -> str:
    i = next((i for i, (g, w) in enumerate(zip(got, want, strict=False)) if g != w), None)
    if i is None:
        i = min(len(got), len(want))
    return f"{what} at #{i}: got {got[i : i + 3]}, the template wrote {want[i : i + 3]}"


def assert_same_html(hostile: str, benign: str) -> None:
    assert "<img" not in hostile and "<script" not in hostile
    h, b = _html_signature(hostile), _html_signature(benign)
    assert h[1] == b[1], "the stylesheet changed"
    assert h[0] == b[0], first_difference(h[0], b[0], "an element or attribute")


@FAST
@given(twins())
def test_html_keeps_the_template_structure(tw: Twins) -> None:
    assert_same_html(
        render_manual(tw.hostile, "html").decode(), render_manual(tw.benign, "html").decode()
    )
    for hostile, benign in _cards(tw, "html"):
        assert_same_html(hostile, benign)


@FAST
@given(twins())
def test_svg_keeps_the_template_structure(tw: Twins) -> None:
    hostile = ET.fromstring(render_graph(tw.hostile, "gen", "svg").encode())
    benign = ET.fromstring(render_graph(tw.benign, "gen", "svg").encode())
    assert _elements(hostile) == _elements(benign)


# -- Markdown -----------------------------------------------------------------
MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def _md_signature(text: str) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for tok in MD.parse(text):
        keep = tok.content if tok.type in ("html_block", "fence") and tok.info != "mermaid" else ""
        out.append((tok.type, tok.tag, tok.nesting, tok.info, keep, tuple(sorted(tok.attrs))))
        for child in tok.children or ():
            if child.type in ("text", "softbreak"):
                continue
            html_text = child.content if child.type == "html_inline" else ""
            out.append(("  " + child.type, child.tag, child.nesting, html_text))
    # Text tokens split where the benign twin's did not; compare without them.
    return out


def assert_same_markdown(hostile: str, benign: str) -> None:
    h, b = _md_signature(hostile), _md_signature(benign)
    assert h == b, first_difference(h, b, "a Markdown token")


@FAST
@given(twins())
def test_markdown_keeps_the_template_structure(tw: Twins) -> None:
    assert_same_markdown(
        render_manual(tw.hostile, "md").decode(), render_manual(tw.benign, "md").decode()
    )
    for hostile, benign in _cards(tw, "md"):
        assert_same_markdown(hostile, benign)


# -- Mermaid and DOT ------------------------------------------------------------
def _expected(graph: Graph) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Node ids → label, edges (src, dst, label) as plain text, wrapping ignored."""
    nodes = {n.id: "".join(n.lines) for n in graph.nodes}
    edges = [(e.src, e.dst, e.label) for e in graph.edges]
    return nodes, edges


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", escape.one_line(text))


_MERMAID_NODE = re.compile(r'^  (\w+)(\(\(|\(\[|\[\[|\()"([^"`%]*)"(\)\)|\]\)|\]\]|\))$')
_MERMAID_EDGE = re.compile(r'^  (\w+) -->(?:\|"([^"`%]*)"\|)? (\w+)$')
_MERMAID_COMMENT = re.compile(
    r"^  %% [^%`\"]* \(gen\): generated by `sop graph`, edit the rulebook instead$"
)
_MERMAID_FIXED = re.compile(r"^(flowchart TD|  classDef \w+ [\w:#,-]+|  class [\w,]+ \w+)$")


def _mermaid_decode(label: str) -> str:
    label = label.replace("<br/>", "")
    return re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), label)


def check_mermaid(text: str, graph: Graph) -> None:
    nodes: dict[str, str] = {}
    edges: list[tuple[str, str, str]] = []
    lines = text.splitlines()
    # The title comment: no second %% (Mermaid reads %%{…}%% anywhere as a directive).
    assert _MERMAID_COMMENT.match(lines[1]), lines[1]
    for line in [lines[0], *lines[2:]]:
        if m := _MERMAID_NODE.match(line):
            assert m.group(1) not in nodes
            nodes[m.group(1)] = _mermaid_decode(m.group(3))
        elif m := _MERMAID_EDGE.match(line):
            edges.append((m.group(1), m.group(3), _mermaid_decode(m.group(2) or "")))
        else:
            assert _MERMAID_FIXED.match(line), f"a statement the template did not write: {line!r}"
    want_nodes, want_edges = _expected(graph)
    assert nodes.keys() == want_nodes.keys()
    assert [(s, d) for s, d, _ in edges] == [(s, d) for s, d, _ in want_edges]
    for nid, label in nodes.items():
        assert _flat(label) == _flat(want_nodes[nid])
    for (_, _, got), (_, _, want) in zip(edges, want_edges, strict=True):
        assert _flat(got) == _flat(want)


def _dot_unquote(value: str) -> str:
    assert value.startswith('"') and value.endswith('"'), value
    body = value[1:-1]
    return re.sub(r"\\(.)", lambda m: "" if m.group(1) == "n" else m.group(1), body)


def check_dot(text: str, graph: Graph) -> None:
    import pydot

    (parsed,) = pydot.graph_from_dot_data(text)
    assert parsed.get_subgraph_list() == []
    nodes = {
        n.get_name(): n
        for n in parsed.get_node_list()
        if n.get_name() not in ("graph", "node", "edge")
    }
    want_nodes, want_edges = _expected(graph)
    assert nodes.keys() == want_nodes.keys()
    for nid, node in nodes.items():
        assert _flat(_dot_unquote(node.get("label"))) == _flat(want_nodes[nid])
    edges = parsed.get_edge_list()
    assert [(e.get_source(), e.get_destination()) for e in edges] == [
        (s, d) for s, d, _ in want_edges
    ]
    for edge, (_, _, want) in zip(edges, want_edges, strict=True):
        label = edge.get("label")
        assert _flat(_dot_unquote(label) if label else "") == _flat(want)
    assert _flat(_dot_unquote(parsed.get_graph_defaults()[0]["label"])) == _flat(graph.title)


@FAST
@given(twins())
def test_mermaid_and_dot_have_exactly_the_graphs_statements(tw: Twins) -> None:
    graph = graph_of(tw.hostile, "gen")
    check_mermaid(render_graph(tw.hostile, "gen", "mermaid"), graph)
    check_dot(render_graph(tw.hostile, "gen", "dot"), graph)


@needs_dot
@settings(max_examples=10, deadline=None)
@given(twins())
def test_graphviz_draws_the_hostile_dot(tw: Twins) -> None:
    done = subprocess.run(
        ["dot", "-Tsvg"],
        input=render_graph(tw.hostile, "gen", "dot").encode(),
        capture_output=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    ET.fromstring(done.stdout)  # and its SVG is well-formed


# -- PDF ----------------------------------------------------------------------
@SLOW
@given(twins())
def test_pdf_builds_and_reads_back(tw: Twins) -> None:
    from engine.render.fonts import fonts_for
    from engine.render.pdf import SUBSTITUTES

    data = render_manual(tw.hostile, "pdf")
    pdf = pypdfium2.PdfDocument(data)
    text = "".join(page.get_textpage().get_text_range() for page in pdf)
    title = escape.visible(tw.hostile.procedures["gen"].title).translate(SUBSTITUTES)
    missing = set(fonts_for(title, "sc").missing)

    def words(text: str) -> str:
        """ASCII letters and digits and CJK ideographs the font has: what every
        text extractor gives back (they differ on punctuation, spacing, accents
        and glyphs the font lacks)."""
        return "".join(
            c
            for c in text
            if ((c.isascii() and c.isalnum()) or unicodedata.name(c, "").startswith("CJK UNIFIED"))
            and c not in missing
        )

    want, got = words(title), words(text)
    assert want in got, (title, want, got)


# -- one text, every escaper ------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(st.text())
def test_escapers_are_total_and_single_line(text: str) -> None:
    for out in (escape.md(text), escape.mermaid(text), escape.dot(text), escape.css_string(text)):
        assert "\n" not in out and "\r" not in out
    assert escape.visible(escape.visible(text)) == escape.visible(text)
    escape.visible(text).encode("utf-8")  # no lone surrogate survives
    assert '"' not in escape.mermaid(text) and "%" not in escape.mermaid(text)


@settings(max_examples=3, deadline=None)
@given(twins())
def test_views_are_built_from_hostile_text(tw: Twins) -> None:
    """The generator really reaches the fields (a guard against a vacuous test)."""
    view = ViewBuilder(tw.hostile).procedure(tw.hostile.procedures["gen"])
    benign = ViewBuilder(tw.benign).procedure(tw.benign.procedures["gen"])
    assert view.title != benign.title and view.steps[0].title != benign.steps[0].title
    # The forms' titles reach the flowchart's boxes and the script (so the
    # structure properties above hold for them too).
    lines = [line for n in graph_of(tw.hostile, "gen").nodes for line in n.lines]
    script = render_script(tw.hostile, "gen")
    for form in tw.hostile.forms.values():
        assert any(line.startswith(f"▤《{form.title}》") for line in lines), form.title
        assert f"《{escape.visible(form.title)}》" in script, form.title
    slip = tw.hostile.forms["slip"]
    condition = view.steps[0].records[0].condition
    assert condition and f"▤《{slip.title}》 (若 {condition})" in lines


# -- a run's answers, through the command line -------------------------------------
def test_render_run_fills_in_a_hostile_answer_as_text(sop: Runner, tmp_path: Path) -> None:
    """`sop render script --run N`: the customer's answers come from the journal
    (typed by staff), and are text in every format, like --set values. (A
    scenario file cannot hold control characters; --set values can, and the
    properties above give them.)"""
    outputs = {}
    for name, surname in (
        ("hostile", '<img src=x onerror=alert(1)>"|*[x](javascript:1)'),
        ("benign", "王"),
    ):
        run = Sop(sop, tmp_path / f"{name}.db")
        scenario = write_scenario(
            tmp_path, name, {**VISIT_HAPPY, "inputs": {**VISIT_HAPPY["inputs"], "surname": surname}}
        )
        done = run("run", "visit", "--rulebook", str(FIXTURE), "--answers", str(scenario))
        assert done.returncode == 0, done.stdout + done.stderr
        for fmt in ("html", "md"):
            shown = run("render", "script", "--run", "1", "-R", str(FIXTURE), "--format", fmt)
            assert shown.returncode == 0, shown.stderr
            outputs[name, fmt] = shown.stdout
    assert "&lt;img src=x onerror=alert(1)&gt;" in outputs["hostile", "html"]
    assert_same_html(outputs["hostile", "html"], outputs["benign", "html"])
    assert_same_markdown(outputs["hostile", "md"], outputs["benign", "md"])


def test_only_web_addresses_become_links() -> None:
    assert escape.web_url("https://example.com/a b") == "https://example.com/a b"
    assert escape.md_url("https://example.com/a b") == "https://example.com/a%20b"
    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "//x", ""):
        assert escape.web_url(bad) == "" and escape.md_url(bad) == ""
