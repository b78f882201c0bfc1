"""The controlled manual (`sop render manual`): golden HTML, Markdown and PDF
markup; the PDF itself read back (pages, bookmarks, embedded fonts, text,
running headers) and rasterised, as a printer or a viewer would see it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pypdfium2
import pytest

from engine.render.manual import build_manual, render_manual
from engine.render.pdf import pdf_markup
from tests.conftest import ROOT, Runner
from tests.render_golden import BUNDLED, EPOCH, MINI, check, fixed_date, rulebook

__all__ = ["fixed_date"]  # the fixture, used by name below


@pytest.mark.usefixtures("fixed_date")
@pytest.mark.parametrize("fmt", ["html", "md"])
@pytest.mark.parametrize(("name", "folder"), [("mini", MINI), ("bundled", BUNDLED)])
def test_manual_text_formats(name: str, folder: Path, fmt: str, update: bool) -> None:
    out = render_manual(rulebook(folder), fmt).decode("utf-8")  # type: ignore[arg-type]
    check(f"manual/{name}.{fmt}", out, update)


@pytest.mark.usefixtures("fixed_date")
@pytest.mark.parametrize(("name", "folder"), [("mini", MINI), ("bundled", BUNDLED)])
def test_manual_pdf_markup(name: str, folder: Path, update: bool) -> None:
    check(f"manual/{name}.pdf.xml", pdf_markup(build_manual(rulebook(folder))), update)


def test_manual_contents_for_an_auditor() -> None:
    html = render_manual(rulebook(MINI), "html").decode("utf-8")
    for heading in (
        "1 目的",
        "2 适用范围",
        "3 启动条件",
        "4 岗位与职责",
        "5 流程图",
        "6 作业步骤",
        "8 记录表单",
        "10 修订记录",
        "附录一 岗位索引",
        "附录二 表单一览",
    ):
        assert heading in html
    assert html.count("<svg") == len(rulebook(MINI).procedures)
    assert "受控状态</th><td>草稿" in html  # garden is a draft: its control table says so
    assert "□ 是　□ 否" in html and "□1　□2　□3　□4　□5" in html  # blank forms offer choices


# -- the PDF, through the command line ------------------------------------------------
def _fonts(reader: pypdf.PdfReader) -> Iterator[tuple[str, pypdf.generic.DictionaryObject]]:
    for page in reader.pages:
        for name, ref in page["/Resources"].get("/Font", {}).items():
            yield name, ref.get_object()


@pytest.mark.parametrize("which", ["mini_pdf", "bundled_pdf"])
def test_pdf_reads_back(which: str, request: pytest.FixtureRequest) -> None:
    path: Path = request.getfixturevalue(which)
    reader = pypdf.PdfReader(path)
    rb = rulebook(MINI if which == "mini_pdf" else BUNDLED)
    pages = len(reader.pages)
    # Cover, contents, and at least two pages per procedure (text, flowchart or forms).
    assert pages >= 2 + 2 * len(rb.procedures)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    # Every font is embedded (TrueType with its font file) and maps back to Unicode.
    for name, font in _fonts(reader):
        assert font["/Subtype"] == "/TrueType", name
        assert "/FontFile2" in font["/FontDescriptor"].get_object(), font["/BaseFont"]
        assert "/ToUnicode" in font, font["/BaseFont"]
    # One bookmark per procedure and appendix, each on the page that starts it,
    # whose running header restarts the document's page count.
    outline = {o.title: reader.get_destination_page_number(o) for o in reader.outline}
    manual = build_manual(rb)
    # the appendices, the references, and the rulebook's own standing rules when it has any
    extra = (1 if manual.references else 0) + (1 if manual.standing else 0)
    assert len(outline) == len(rb.procedures) + 2 + extra
    for entry in manual.procedures:
        page = outline[f"{entry.number}  {entry.view.title}"]
        text = reader.pages[page].extract_text()
        assert entry.view.title in text
        version = f" · 版本 {entry.view.version}" if entry.view.version else ""
        assert re.search(
            re.escape(f"{entry.header} · {entry.number}{version} · 第 1 页 共 ") + r"\d+ 页", text
        ), text[:300]
        assert f"— {page + 1} —" in text  # the manual's own page number, as in the contents
    contents = reader.pages[1].extract_text()
    assert "目录" in contents and manual.procedures[0].view.title in contents


def test_pdf_rasterises_with_chinese_glyphs(mini_pdf: Path, tmp_path: Path) -> None:
    """Draw pages the way a viewer does (pdfium, using the embedded fonts only)."""
    pdf = pypdfium2.PdfDocument(str(mini_pdf))
    cover = pdf[0].render(scale=1).to_pil().convert("L")
    dark = sum(cover.histogram()[:128]) / (cover.width * cover.height)
    assert 0.003 < dark < 0.2, dark  # text is drawn, the page is not blank or black
    # The title line, drawn in CJK glyphs, leaves ink where it is printed.
    title_band = cover.crop((0, int(cover.height * 0.25), cover.width, int(cover.height * 0.45)))
    assert title_band.getextrema()[0] < 60
    # A flowchart page carries the start node's blue.
    reader = pypdf.PdfReader(mini_pdf)
    chart_page = next(i for i, p in enumerate(reader.pages) if "5 流程图" in p.extract_text())
    image = pdf[chart_page].render(scale=1).to_pil().convert("RGB")
    image.save(tmp_path / "chart.png")
    colours = image.getcolors(maxcolors=1 << 24) or []
    assert any(
        abs(r - 0x0B) < 30 and abs(g - 0x5C) < 30 and abs(b - 0xAD) < 30 for _, (r, g, b) in colours
    )


def test_characters_the_font_lacks_are_reported(sop: Runner, tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "rb"
    shutil.copytree(MINI, folder)
    visit = folder / "visit.yaml"
    visit.write_text(
        visit.read_text(encoding="utf-8").replace("title: 样板房接待", "title: 样板房接待 😀"),
        encoding="utf-8",
    )
    done = sop("render", "manual", str(folder), "--format", "pdf", "-o", str(tmp_path / "x.pdf"))
    assert done.returncode == 0, done.stderr
    assert "not in the font: 😀" in done.stderr


def test_cli_manual_html_defaults_to_the_bundled_rulebook(sop: Runner, tmp_path: Path) -> None:
    done = sop(
        "render",
        "manual",
        "-o",
        str(tmp_path / "m.html"),
        env={"SOURCE_DATE_EPOCH": EPOCH},
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "m.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert str(ROOT) not in (tmp_path / "m.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("script", ["sc", "tc"])
def test_symbol_substitutes_are_drawable(script: str) -> None:
    """Each symbol the PDF swaps out is really missing from the font, and
    what it becomes is really there."""
    from fontTools.ttLib import TTFont

    from engine.render.fonts import font_file
    from engine.render.pdf import SUBSTITUTES

    cmap = TTFont(str(font_file(script)), lazy=True).getBestCmap()
    for source, target in SUBSTITUTES.items():
        assert source not in cmap and ord(str(target)) in cmap, (chr(source), target)


def test_documents_with_different_characters_in_one_process_each_keep_their_glyphs() -> None:
    """`sop serve` renders a run's report and then a manual in one process:
    each document's font subset is its own, never the earlier one's."""
    import io

    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from engine.render.pdf import register_fonts, styles

    def pdf_text(text: str) -> str:
        fonts, _ = register_fonts(text, "zh-CN")
        out = io.BytesIO()
        SimpleDocTemplate(out).build([Paragraph(text, styles(fonts)["body"])])
        return "".join(p.extract_text() for p in pypdf.PdfReader(out).pages)

    assert "甲乙丙丁" in pdf_text("甲乙丙丁")
    assert "受控文件生效日期" in pdf_text("受控文件生效日期")
