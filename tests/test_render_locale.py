"""zh-TW output: every Chinese text, the rulebook's and the templates' own, in
traditional characters (OpenCC s2tw), and a PDF set in Noto Sans TC."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pypdf
import pytest

from engine.render.checklist import render_checklist
from engine.render.graph import render_graph
from engine.render.locale import convert
from engine.render.manual import render_manual
from engine.render.script import render_script
from tests.conftest import Runner
from tests.render_golden import BUNDLED, EPOCH, MINI, bundled_ids, check, rulebook

HAN = re.compile(r"[\u3400-\u9fff]")


@lru_cache(maxsize=4)
def simplified_only(folder: Path) -> frozenset[str]:
    """Characters of the zh-CN output that OpenCC changes and that never stand
    as they are in the converted text (so they are not also traditional forms,
    like 干 in 干涉)."""
    source = render_manual(rulebook(folder), "md").decode("utf-8")
    converted = convert(source, "zh-TW")
    used = set(HAN.findall(source))
    return frozenset(c for c in used if convert(c, "zh-TW") != c and c not in converted)


def leftovers(text: str, folder: Path) -> set[str]:
    return set(HAN.findall(text)) & simplified_only(folder)


def test_there_is_something_to_convert() -> None:
    assert {"务", "户", "样", "员"} <= simplified_only(BUNDLED)


@pytest.mark.parametrize("pid", bundled_ids())
def test_bundled_cards_and_charts_in_traditional(pid: str) -> None:
    rb = rulebook(BUNDLED)
    for text in (
        render_script(rb, pid, locale="zh-TW"),
        render_checklist(rb, pid, locale="zh-TW", fmt="html"),
        render_graph(rb, pid, "mermaid", locale="zh-TW"),
    ):
        assert leftovers(text, BUNDLED) == set()


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_bundled_manual_in_traditional(fmt: str) -> None:
    text = render_manual(rulebook(BUNDLED), fmt, "zh-TW").decode("utf-8")  # type: ignore[arg-type]
    assert leftovers(text, BUNDLED) == set()


def test_fixture_script_golden_in_traditional(update: bool) -> None:
    out = render_script(rulebook(MINI), "visit", locale="zh-TW")
    assert leftovers(out, MINI) == set()
    assert "話術卡 · 樣板房接待" in out  # the template's own words are converted as well
    check("script/mini/visit.zh-TW.txt", out, update)


def test_pdf_in_traditional_uses_the_tc_font(sop: Runner, tmp_path: Path) -> None:
    out = tmp_path / "tw.pdf"
    done = sop(
        "render",
        "manual",
        str(MINI),
        "--format",
        "pdf",
        "--locale",
        "zh-TW",
        "-o",
        str(out),
        env={"SOURCE_DATE_EPOCH": EPOCH},
    )
    assert done.returncode == 0, done.stderr
    reader = pypdf.PdfReader(out)
    names = {
        str(f.get_object()["/BaseFont"])
        for p in reader.pages
        for f in p["/Resources"]["/Font"].values()
    }
    assert names and all("NotoSansTC" in n for n in names), names
    text = "".join(p.extract_text() for p in reader.pages)
    assert "樣板房接待" in text and leftovers(text, MINI) == set()
    # Words drawn outside the text flow are converted too: the flowchart's
    # start node and the running footer (a simplified glyph would be missing
    # from the TC font and print as an empty box).
    assert "開始" in text and "以受控版本為準" in text and "第 1 頁 共" in text
    assert "\ufffd" not in text
    assert "警告" not in done.stderr
