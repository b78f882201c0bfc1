"""Flowcharts print legibly: no text in the PDF is under 7 pt; a chart too
wide for a portrait page gets landscape pages, a long one runs over pages
joined by lettered connectors. Text sizes are read back from the PDF."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.render.layout import LABEL_FONT, PRINT
from engine.render.manual import build_manual, layouts
from engine.render.pdf import render_pdf
from engine.render.pdf_draw import MIN_SCALE, MIN_TEXT_PT, chart_parts, column_cuts
from engine.validate import load_rulebook
from tests.conftest import ROOT, Runner, sop_command

RB = load_rulebook(str(ROOT / "sops"))
MINI = ROOT / "tests" / "fixtures" / "render_mini"
BIG = ("opening-to-signing-care", "vanke-6plus2", "show-flat")


@pytest.fixture(scope="module")
def pdf(bundled_pdf: Path) -> pypdf.PdfReader:
    return pypdf.PdfReader(bundled_pdf)  # the session's one render of the bundled manual


def _mul(a: list[float], b: list[float]) -> list[float]:
    return [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]


def texts(page: pypdf.PageObject) -> Iterator[tuple[str, float, float, float]]:
    """(text, printed height in pt, x, y) of every piece of text on the page."""
    found: list[tuple[str, float, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            m = _mul(tm, cm)
            found.append((text, size * math.hypot(m[2], m[3]), m[4], m[5]))

    page.extract_text(visitor_text=visit)
    return iter(found)


def _chart_pages(reader: pypdf.PdfReader, pid: str) -> list[int]:
    """The pages from the procedure's flowchart heading to its steps' heading."""
    number = RB.procedures[pid].document.number
    outline = {o.title: reader.get_destination_page_number(o) for o in reader.outline}
    start = next(p for t, p in outline.items() if t.startswith(f"{number} "))
    pages = []
    for index in range(start, len(reader.pages)):
        text = reader.pages[index].extract_text()
        if pages or "5 流程图" in text:
            pages.append(index)
        if "6 作业步骤" in text:
            break
    return pages


def test_no_text_in_the_manual_is_under_7_pt(pdf: pypdf.PdfReader) -> None:
    small = [
        (index + 1, text, round(height, 2))
        for index, page in enumerate(pdf.pages)
        for text, height, _, _ in texts(page)
        if height < MIN_TEXT_PT - 0.01
    ]
    assert small == [], small[:10]


@pytest.mark.parametrize("pid", BIG)
def test_the_largest_charts_fill_their_pages(pdf: pypdf.PdfReader, pid: str) -> None:
    """Not one thin column: on each page of the chart the drawing's text spans
    a good part of the page, at a size people can read."""
    pages = _chart_pages(pdf, pid)
    assert len(pages) >= 2, "a chart this long runs over pages"
    for index in pages[:-1]:  # the last page also starts the steps
        page = pdf.pages[index]
        chart = [(h, x, y) for t, h, x, y in texts(page) if 7 <= h < 9.5]  # box text, not body
        assert chart, f"page {index + 1} has no chart text"
        xs = [x for _, x, _ in chart]
        ys = [y for _, _, y in chart]
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (max(ys) - min(ys)) / height > 0.45, f"page {index + 1} is mostly empty"
        assert (max(xs) - min(xs)) / width > 0.4, f"page {index + 1} is one thin column"
    letters = {t.strip() for i in pages for t, _, _, _ in texts(pdf.pages[i])}
    assert {"A", "B"} <= letters, "cut lines carry lettered connectors, from A"


def test_wide_charts_go_on_landscape_pages(pdf: pypdf.PdfReader) -> None:
    shapes = layouts(build_manual(RB), metrics=PRINT)
    wide = [pid for pid, lay in shapes.items() if lay.width * MIN_SCALE > 493]
    assert "show-flat" in wide
    for pid in wide:
        for index in _chart_pages(pdf, pid)[1:-1]:
            box = pdf.pages[index].mediabox
            assert float(box.width) > float(box.height), (pid, index + 1)


def test_a_chart_wider_than_a_landscape_page_is_cut_into_columns() -> None:
    """However many choices a step has, no text shrinks below 7 pt: the chart
    is cut into columns between boxes, each with its connectors."""
    lay = layouts(build_manual(RB), metrics=PRINT)["show-flat"]
    parts = chart_parts(lay, "Helvetica", 300.0, 500.0)
    assert len(parts) >= 3
    assert all(p.scale >= MIN_SCALE and p.scale * LABEL_FONT >= MIN_TEXT_PT for p in parts)
    cuts = column_cuts(lay, MIN_SCALE, 300.0)
    assert all(
        0 < b - a <= 300.0 / MIN_SCALE
        for a, b in zip([0.0, *cuts], [*cuts, lay.width], strict=True)
    )
    assert any(p.marks.get("right") for p in parts)


def test_a_tall_narrow_chart_is_set_in_columns(pdf: pypdf.PdfReader) -> None:
    """The 6+2 journey is one long line of steps: its pages carry two columns."""
    pages = _chart_pages(pdf, "vanke-6plus2")
    page = pdf.pages[pages[1]]
    titles = [x for t, h, x, _ in texts(page) if h >= 9 and t.strip()[:1].isdigit()]
    middle = float(page.mediabox.width) / 2
    assert any(x < middle for x in titles) and any(x > middle for x in titles)


def test_pages_look_right_as_pictures(pdf: pypdf.PdfReader, tmp_path: Path) -> None:
    """Rasterised, a chart page has ink across the page, not a thin strip."""
    pdfium = pytest.importorskip("pypdfium2")
    reader = pdf
    index = _chart_pages(reader, "show-flat")[1]
    out = tmp_path / "m.pdf"
    writer = pypdf.PdfWriter()
    writer.add_page(reader.pages[index])
    writer.write(out)
    image = pdfium.PdfDocument(str(out))[0].render(scale=0.5).to_pil().convert("L")
    width, height = image.size
    columns = [
        x for x in range(width) if any(image.getpixel((x, y)) < 200 for y in range(0, height, 3))
    ]
    assert (max(columns) - min(columns)) / width > 0.6


def test_contents_over_several_pages_link_and_number_right(tmp_path: Path) -> None:
    """The contents is laid out in the one pass and its page numbers written
    in at the end: with more procedures than one contents page holds, every
    line still names the page its procedure starts on (and links to it)."""
    (tmp_path / "rulebook.yaml").write_text(
        "title: 多流程手册\norganisation: {name: 测试物业}\nroles: {host: {name: 客服}}\n",
        encoding="utf-8",
    )
    for i in range(60):
        (tmp_path / f"p{i:02d}.yaml").write_text(
            f"id: p{i:02d}\ntitle: 流程{i:02d}\nkind: service\nroles: [host]\n"
            f"document: {{number: T-{i:02d}}}\nstart: a\n"
            "steps:\n  a: {title: 迎宾, role: host, do: [站好], end: done}\n",
            encoding="utf-8",
        )
    out = tmp_path / "m.pdf"
    out.write_bytes(render_pdf(build_manual(load_rulebook(str(tmp_path)))))
    reader = pypdf.PdfReader(out)
    outline = {o.title: reader.get_destination_page_number(o) + 1 for o in reader.outline}
    contents = "".join(reader.pages[i].extract_text() for i in (1, 2))
    for title, page in outline.items():
        assert re.search(re.escape(title) + r"\s*\n?\s*" + str(page) + r"\b", contents), title
    links = [a for i in (1, 2) for a in reader.pages[i].get("/Annots", [])]
    assert len(links) == len(outline)


def test_progress_is_shown_on_a_terminal_only(tmp_path: Path, sop: Runner) -> None:
    """Laying out the PDF takes seconds: a terminal shows a progress bar on
    stderr, in the chosen language; a pipe or a file gets none."""
    import io

    pexpect = pytest.importorskip("pexpect")
    cmd = sop_command()
    env = {**os.environ, "LANG": "C.UTF-8", "SOP_CACHE_DIR": str(tmp_path / "cache")}
    for lang, label in (("zh", "排版"), ("en", "laying out")):
        out = tmp_path / f"{lang}.pdf"
        args = ["render", "manual", str(MINI), "--format", "pdf", "-o", str(out), "--lang", lang]
        child = pexpect.spawn(
            cmd[0], [*cmd[1:], *args], env=env, encoding="utf-8", timeout=120, dimensions=(24, 80)
        )
        seen = io.StringIO()
        child.logfile_read = seen
        child.expect(label)
        child.expect("100%")
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0
        assert "\r" in seen.getvalue()  # the bar redraws its line: codes reach the terminal
        assert "␍" not in seen.getvalue() and "␛" not in seen.getvalue()
        assert out.read_bytes().startswith(b"%PDF-")
    piped = sop("render", "manual", str(MINI), "--format", "pdf", "-o", str(tmp_path / "b.pdf"))
    assert piped.returncode == 0
    assert "排版" not in piped.stderr and "%" not in piped.stderr


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="<&", blacklist_categories=("Cs",))))
def test_plain_text_paragraphs_match_reportlabs_parser(text: str) -> None:
    """The fast path for text without markup gives the fragments ReportLab's
    own parser gives (so the printed manual is byte for byte the same)."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    from engine.render.pdf import Para

    style = ParagraphStyle("t", fontName="Helvetica", fontSize=9, wordWrap="CJK")
    ours, theirs = Para(text, style), Paragraph(text, style)
    assert ours.text == theirs.text
    assert [f.__dict__ for f in ours.frags] == [f.__dict__ for f in theirs.frags]


def test_a_step_longer_than_a_page_runs_on(tmp_path: Path) -> None:
    """A step whose items fill more than a page, and one item longer than a
    page, split across pages instead of failing."""
    (tmp_path / "rulebook.yaml").write_text(
        "title: t\norganisation: {name: o}\nroles: {host: {name: 客服}}\n", encoding="utf-8"
    )
    long_item = "按标准站姿迎接客户并热情问候, " * 400
    items = "".join(f"      - 第{i}项 核对物品并记录\n" for i in range(60))
    (tmp_path / "p.yaml").write_text(
        "id: p\ntitle: 长步骤\nkind: service\nroles: [host]\nstart: a\nsteps:\n"
        f"  a:\n    title: 很长的一步\n    role: host\n    do:\n      - '{long_item}'\n{items}"
        "    lint: {}\n    end: done\n".replace("    lint: {}\n", ""),
        encoding="utf-8",
    )
    out = tmp_path / "m.pdf"
    out.write_bytes(render_pdf(build_manual(load_rulebook(str(tmp_path)))))
    text = "".join(p.extract_text() for p in pypdf.PdfReader(out).pages)
    assert "第59项 核对物品并记录" in text


def test_every_part_of_a_split_chart_holds_a_box() -> None:
    """Where a chart runs over pages, the part above each cut holds at least
    one box: never a sliver of lines alone, which printed as pairs of
    connectors stacked at the foot of a page (A, A, C, C, E)."""
    lay = layouts(build_manual(load_rulebook(MINI)), "zh-CN", PRINT)["visit"]
    chart = chart_parts(lay, "Helvetica", 480.0, 700.0)[0]
    checked = 0
    for first in range(80, 700, 20):
        parts = chart.split(480.0, float(first))
        if len(parts) != 2:
            continue
        rest = parts[1]
        for room in range(30, 300, 10):  # what is left at the foot of the next page
            cut = rest.split(480.0, float(room))
            if len(cut) != 2:
                continue
            _, _, y0, y1 = cut[0].window
            assert any(b.top >= y0 and b.bottom <= y1 for b in lay.boxes), (first, room)
            checked += 1
    assert checked
