"""Cards, flowcharts and the controlled manual in English (`sop render
script|checklist|graph|manual --lang en`): every word of their own follows
--lang, while the rulebook's texts are printed as written.

To tell the two apart, a rulebook is copied with every Chinese run in its
YAML replaced by an ASCII word (xa1b2c3; only the document status, a
Chinese enum of the language, is kept: the manual says it in English): its
English cards and manual (HTML, Markdown, the PDF's markup, charts and
extracted text) must then print no Chinese at all, so a Chinese word left in
a template, the view, the citations or the condition wording fails here.
Goldens keep what the English cards and manual of the feature fixture, the
day's card and the show flat's script say.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from engine.i18n import speaking
from engine.model import Rulebook
from engine.render.checklist import render_checklist
from engine.render.graph import GRAPH_FORMATS, render_graph
from engine.render.script import render_script
from engine.validate import load_rulebook
from tests.conftest import ROOT, Runner
from tests.render_golden import BUNDLED, MINI, check, fixed_date, rulebook

__all__ = ["fixed_date"]  # the fixture, used by name below

FORMATS = {"text": "txt", "md": "md", "html": "html"}
SCHEDULE = ROOT / "tests" / "fixtures" / "schedule"
FLOW = ROOT / "tests" / "fixtures" / "rulebook_flow"
BOOKS = {"bundled": BUNDLED, "mini": MINI, "schedule": SCHEDULE, "flow": FLOW}

# Chinese characters and full-width punctuation (，；：（）。、…)
CHINESE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
# The brackets a card puts around the rulebook's texts in every language:
# 《form》, 〔placeholder〕, 【procedure】, 「words to say」.
FRAMES = "《》〔〕【】「」"


def asciified(source: Path, target: Path) -> Path:
    """A copy of a rulebook folder with every Chinese run in its YAML turned
    into an ASCII word (the same run, the same word: names still match)."""
    shutil.copytree(source, target)
    for path in target.rglob("*.yaml"):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text(
            "".join(
                line if re.match(r"\s*status:", line) else _ASCII_RUN.sub(_word, line)
                for line in lines
            ),
            encoding="utf-8",
        )
    return target


_ASCII_RUN = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f《》〔〕【】「」]+")


def _word(m: re.Match[str]) -> str:
    return "x" + hashlib.sha1(m.group().encode()).hexdigest()[:6]


@pytest.fixture(scope="module")
def ascii_books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Rulebook]:
    root = tmp_path_factory.mktemp("ascii")
    return {name: load_rulebook(asciified(folder, root / name)) for name, folder in BOOKS.items()}


def chinese_in(text: str) -> list[str]:
    """Each Chinese character with what surrounds it, frames aside."""
    return [
        text[max(0, m.start() - 30) : m.end() + 30]
        for m in CHINESE.finditer(text)
        if m.group() not in FRAMES
    ]


def english_cards(rb: Rulebook, fmt: str) -> dict[str, str]:
    """Every card of a rulebook in English: each procedure's script and
    checklist, each post's, and each post's day (a day with every schedule
    falling due for the schedule fixture)."""
    out: dict[str, str] = {}
    with speaking("en"):
        for pid in rb.procedures:
            out[f"script {pid}"] = render_script(rb, pid, fmt=fmt)  # type: ignore[arg-type]
            out[f"checklist {pid}"] = render_checklist(rb, pid, fmt=fmt)  # type: ignore[arg-type]
        for rid in rb.roles:
            out[f"script --role {rid}"] = render_script(rb, None, role=rid, fmt=fmt)  # type: ignore[arg-type]
            out[f"checklist --role {rid}"] = render_checklist(rb, None, role=rid, fmt=fmt)  # type: ignore[arg-type]
        for day in (date(2026, 12, 4), date(2026, 12, 25)):
            out[f"checklist --date {day}"] = render_checklist(rb, None, day=day, fmt=fmt)  # type: ignore[arg-type]
    return out


def test_the_copy_keeps_no_chinese_a_card_prints(ascii_books: dict[str, Rulebook]) -> None:
    """The check below means something: the copy validated, its texts are
    ASCII, and its Chinese cards still show the template's Chinese words."""
    rb = ascii_books["mini"]
    assert chinese_in(rb.procedures["visit"].title) == []
    chinese = render_script(rb, "visit")
    assert "话术卡" in chinese and "第1步" in chinese


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("book", BOOKS)
def test_english_cards_of_an_ascii_rulebook_print_no_chinese(
    ascii_books: dict[str, Rulebook], book: str, fmt: str
) -> None:
    cards = english_cards(ascii_books[book], fmt)
    assert any("Step 1" in text for text in cards.values())
    found = {what: chinese_in(text) for what, text in cards.items()}
    assert {what: hits[:3] for what, hits in found.items() if hits} == {}


@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
@pytest.mark.parametrize("book", BOOKS)
def test_english_flowcharts_of_an_ascii_rulebook_print_no_chinese(
    ascii_books: dict[str, Rulebook], book: str, fmt: str
) -> None:
    rb = ascii_books[book]
    with speaking("en"):
        charts = {pid: render_graph(rb, pid, fmt) for pid in rb.procedures}
    found = {pid: chinese_in(text) for pid, text in charts.items()}
    assert {pid: hits[:3] for pid, hits in found.items() if hits} == {}
    with speaking("zh"):
        assert "开始" in render_graph(rb, next(iter(rb.procedures)), fmt)


# -- goldens of the English cards


@pytest.mark.parametrize("fmt", FORMATS)
def test_english_script_of_the_fixture(fmt: str, update: bool) -> None:
    with speaking("en"):
        out = render_script(rulebook(MINI), "visit", fmt=fmt)  # type: ignore[arg-type]
    check(f"script/mini/visit.en.{FORMATS[fmt]}", out, update)


@pytest.mark.parametrize("fmt", FORMATS)
def test_english_checklist_of_the_fixture(fmt: str, update: bool) -> None:
    with speaking("en"):
        out = render_checklist(rulebook(MINI), "visit", fmt=fmt)  # type: ignore[arg-type]
    check(f"checklist/mini/visit.en.{FORMATS[fmt]}", out, update)


def test_english_cards_of_a_post_and_a_visitor(update: bool) -> None:
    from engine.render.values import parse_sets

    rb = rulebook(MINI)
    sets = parse_sets(
        ["returning=是", "surname=王", "party=2"], rb.inputs_for(rb.procedures["visit"])
    )
    with speaking("en"):
        check("script/mini/role-host.en.txt", render_script(rb, None, role="host"), update)
        check("checklist/mini/role-guard.en.txt", render_checklist(rb, None, role="guard"), update)
        check(
            "script/mini/visit-returning-wang.en.txt", render_script(rb, "visit", sets=sets), update
        )


@pytest.mark.parametrize("fmt", FORMATS)
def test_english_day_card(fmt: str, update: bool) -> None:
    with speaking("en"):
        out = render_checklist(rulebook(SCHEDULE), None, day=date(2026, 12, 4), fmt=fmt)  # type: ignore[arg-type]
    check(f"checklist/schedule/2026-12-04.en.{FORMATS[fmt]}", out, update)


@pytest.mark.parametrize("pid", ["show-flat", "site-situations"])
def test_english_bundled_scripts(pid: str, update: bool) -> None:
    with speaking("en"):
        out = render_script(rulebook(BUNDLED), pid)
    check(f"script/en/{pid}.txt", out, update)


@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_english_flowchart_of_the_fixture(fmt: str, update: bool) -> None:
    with speaking("en"):
        out = render_graph(rulebook(MINI), "visit", fmt)
    ext = {"mermaid": "mmd", "dot": "dot", "svg": "svg"}[fmt]
    check(f"graph/mini/visit.en.{ext}", out, update)


def test_lang_en_on_the_command_line(sop: Runner) -> None:
    """--lang en reaches the card's words; without it the card is Chinese."""
    english = sop("render", "script", "visit", "-R", str(MINI), "--lang", "en")
    assert english.returncode == 0, english.stderr
    assert english.stdout.startswith("Script · ") and "Step 1 " in english.stdout
    assert "when 客户是否二次以上来访? yes and 客户姓氏 known:" in english.stdout
    chinese = sop("render", "checklist", "visit", "-R", str(MINI), "--lang", "zh")
    assert chinese.stdout.startswith("检查单 · ") and "第1步 " in chinese.stdout


def test_traditional_characters_with_either_language(sop: Runner) -> None:
    """zh-TW converts the card as a whole, its own words too; in English
    only the rulebook's texts are Chinese to convert."""
    zh = sop("render", "script", "visit", "-R", str(MINI), "--locale", "zh-TW", "--lang", "zh")
    assert zh.returncode == 0, zh.stderr
    assert zh.stdout.startswith("話術卡 · ") and "說明:" in zh.stdout
    en = sop("render", "script", "visit", "-R", str(MINI), "--locale", "zh-TW", "--lang", "en")
    assert en.returncode == 0, en.stderr
    assert en.stdout.startswith("Script · ") and "Note: say what is in" in en.stdout
    assert "樣板房" in en.stdout and "样板房" not in en.stdout


# -- the controlled manual in English


def english_manual(rb: Rulebook) -> dict[str, str]:
    """Every text an English manual prints: its HTML and Markdown, and what
    goes into the PDF (the page markup with its running header and footer,
    and the flowcharts' words drawn straight onto the page)."""
    from engine.render.layout import PRINT
    from engine.render.manual import build_manual, layouts, render_manual
    from engine.render.pdf import pdf_markup
    from engine.render.words import Words

    with speaking("en"):
        out = {fmt: render_manual(rb, fmt).decode("utf-8") for fmt in ("html", "md")}  # type: ignore[arg-type]
    manual = build_manual(rb, Words("en"))
    out["pdf markup"] = pdf_markup(manual)
    shapes = layouts(manual, "zh-CN", PRINT)
    out["pdf charts"] = "\n".join(
        line for lay in shapes.values() for box in lay.boxes for line in box.lines
    )
    return out


@pytest.mark.usefixtures("fixed_date")
@pytest.mark.parametrize("book", BOOKS)
def test_english_manual_of_an_ascii_rulebook_prints_no_chinese(
    ascii_books: dict[str, Rulebook], book: str
) -> None:
    texts = english_manual(ascii_books[book])
    assert "<h2>1 Purpose</h2>" in texts["html"] and "Appendix 1" in texts["pdf markup"]
    found = {what: chinese_in(text) for what, text in texts.items()}
    assert {what: hits[:3] for what, hits in found.items() if hits} == {}


@pytest.mark.usefixtures("fixed_date")
def test_the_chinese_manual_of_the_ascii_copy_keeps_its_words(
    ascii_books: dict[str, Rulebook],
) -> None:
    """The check above means something: the same copy's Chinese manual
    still prints the template's Chinese words."""
    from engine.render.manual import render_manual

    with speaking("zh"):
        html = render_manual(ascii_books["mini"], "html").decode("utf-8")
    assert _html_attributes(html)["lang"] == "zh-CN"
    assert "<h2>1 目的</h2>" in html and "附录一" in html and "受控状态" in html


def test_english_pdf_text_has_no_chinese(ascii_books: dict[str, Rulebook], tmp_path: Path) -> None:
    """The PDF itself, read back as a reader's viewer extracts it: English
    words throughout (cover, running headers, facts, charts), no Chinese."""
    import pypdf

    from engine.render.manual import render_manual

    with speaking("en"):
        data = render_manual(ascii_books["mini"], "pdf")
    path = tmp_path / "manual.pdf"
    path.write_bytes(data)
    reader = pypdf.PdfReader(path)
    pages = [page.extract_text() for page in reader.pages]
    text = "\n".join(pages)
    assert "Manual number" in pages[0] and "Revisions and contents" in pages[1]
    assert "page 1 of" in pages[1] and "Printed " in pages[1]
    assert "Step 1" in text and "Flowchart" in text and "start" in text
    assert reader.metadata is not None and "version" in str(reader.metadata.subject)
    assert chinese_in(text)[:5] == []


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_english_manual_of_the_fixture(fmt: str, update: bool, fixed_date: None) -> None:
    from engine.render.manual import render_manual

    with speaking("en"):
        out = render_manual(rulebook(MINI), fmt).decode("utf-8")  # type: ignore[arg-type]
    check(f"manual/mini.en.{fmt}", out, update)


def test_english_manual_pdf_markup_of_the_fixture(update: bool, fixed_date: None) -> None:
    from engine.render.manual import build_manual
    from engine.render.pdf import pdf_markup
    from engine.render.words import Words

    check("manual/mini.en.pdf.xml", pdf_markup(build_manual(rulebook(MINI), Words("en"))), update)


HTML_PAGES = (["script", "visit", "-R"], ["checklist", "visit", "-R"], ["manual"])


def test_html_says_its_language(sop: Runner) -> None:
    """<html lang>: en for English cards and manuals, the locale otherwise."""
    for what in HTML_PAGES:
        for lang, expected in (("en", "en"), ("zh", "zh-CN")):
            done = sop("render", *what, str(MINI), "--format", "html", "--lang", lang)
            assert done.returncode == 0, done.stderr
            assert _html_attributes(done.stdout)["lang"] == expected, (what, lang)


def _html_attributes(page: str) -> dict[str, str]:
    found = re.search(r"<html((?:\s+[\w-]+=\"[^\"]*\")*)>", page)
    assert found, "no <html> start tag"
    return dict(re.findall(r'([\w-]+)="([^"]*)"', found.group(1)))


def _html_matches(compound: str, attributes: dict[str, str]) -> bool:
    """Whether `html`, `html:lang(x)` or `html[a="v"]` matches an <html>
    start tag with these attributes."""
    if not re.fullmatch(r"html(?::lang\([^)]*\)|\[[^\]]*\])*", compound):
        return False
    for lang in re.findall(r":lang\(([^)]*)\)", compound):
        if not attributes.get("lang", "").lower().startswith(lang.lower()):
            return False
    return all(
        attributes.get(name) == value
        for name, value in re.findall(r'\[([\w-]+)="([^"]*)"\]', compound)
    )


def _body_font(page: str) -> str:
    """The font family a page's CSS puts first for its body text, as a
    browser picks it: of the rules naming a family, those that select the
    body (`body`, `html… body`) before those it inherits from (`html…`), the
    most specific, then the last."""
    attributes = _html_attributes(page)
    css = "".join(re.findall(r"<style>(.*?)</style>", page, re.S))
    best: tuple[int, int, int, int] | None = None
    chosen = ""
    for order, (selectors, body) in enumerate(re.findall(r"([^{}@]+)\{([^{}]*)\}", css)):
        family = re.search(r"font-family:\s*\"([^\"]+)\"", body)
        if family is None:
            continue
        for selector in selectors.split(","):
            compounds = selector.split()
            if compounds[-1] == "body":
                direct, ancestors = 1, compounds[:-1]
            else:
                direct, ancestors = 0, compounds
            if len(ancestors) > 1 or not all(_html_matches(c, attributes) for c in ancestors):
                continue
            qualifiers = sum(len(re.findall(r":lang\(|\[", c)) for c in compounds)
            rank = (direct, qualifiers, len(compounds), order)
            if best is None or rank > best:
                best, chosen = rank, family.group(1)
    return chosen


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("locale", ["zh-TW", "zh-HK", "zh-CN"])
def test_the_font_follows_the_rulebook_locale_not_the_page_language(
    sop: Runner, lang: str, locale: str
) -> None:
    """Traditional characters are set in a traditional-character font even
    when the page's own words are English (`lang="en"`): the font follows
    the locale of the rulebook's text (--locale), the `lang` the words."""
    expected = "Noto Sans SC" if locale == "zh-CN" else "Noto Sans TC"
    for what in HTML_PAGES:
        done = sop(
            "render", *what, str(MINI), "--format", "html", "--lang", lang, "--locale", locale
        )
        assert done.returncode == 0, done.stderr
        assert _html_attributes(done.stdout)["lang"] == ("en" if lang == "en" else locale)
        assert _body_font(done.stdout) == expected, (what, lang, locale)
