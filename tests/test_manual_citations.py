"""The controlled manual speaks to staff and auditors: sources are cited by
the documents' names and sections, web addresses stand only in the
references appendix, and no id, inventory mark or issue number is printed."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest

from engine.render.citations import Citer
from engine.render.manual import build_manual, render_manual
from engine.render.pdf import pdf_markup
from engine.validate import load_rulebook
from tests.conftest import ROOT

RB = load_rulebook(str(ROOT / "sops"))
# What an auditor should never meet: the designers' shorthand for documents,
# section signs, the research inventory, issue numbers, the language's keys.
SHORTHAND = re.compile(
    r"§|\bpiece\b|360docs|qiqiwenku|调研清单|inventory|\(issue|\bissue \d|(?<![\w-])00[0-4] |"
    r"\b(?:within|every|due|note|notes|hint|unverified|subject|stage|sop)\b"
)
URL = re.compile(r"https?://[^\s<>|)\"]+")
SNAKE = re.compile(r"(?<![\w-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w-])")


def _outside_charts(md: str) -> str:
    """The Markdown manual without its Mermaid blocks (node ids are code there)."""
    return re.sub(r"```mermaid.*?```", "", md, flags=re.DOTALL)


@pytest.fixture(scope="module")
def md() -> str:
    return render_manual(RB, "md").decode("utf-8")


def test_citer_writes_documents_sections_and_steps_as_readers_do() -> None:
    citer = Citer(RB)
    fire = RB.procedures["fire"]
    assert (
        citer.cite("000 §3.9.2A, §3.9.2F", fire) == "《物业公司销售配合服务流程》 3.9.2 A, 3.9.2 F"
    )
    assert citer.cite("见 004 piece 6 §4.1", fire) == "见 《6+2工作执行指引》 4.1"
    assert citer.cite("004 piece 1 §一.3.1)A", fire).endswith("》 一.3.1) A")
    assert citer.cite("(看楼车 §3.3) →", fire) == "(看楼车 3.3) →"
    assert citer.cite("先做 raise_alarm 再做 after_action", fire) == (
        "先做 第1步「报警并自救」 再做 第4步「事故处理后拍照备案、清点损失、清理现场」"
    )
    assert citer.cite("记入 loss_record", fire) == "记入 《火情损失记录》"
    assert citer.cite("lobby:property_callback", fire).startswith("《销售大厅暨会所服务流程》第")
    assert citer.cite("写在 note 中, 标为 status unverified", fire) == "写在 说明 中, 标为 待核实"
    assert citer.cite("XX → {{ project }}", fire) == "XX → 〔项目名称〕"
    assert citer.cite("unknown_word stays", fire) == "unknown_word stays"
    # web pages are named; their addresses are kept for the appendix
    assert citer.cite("见 360docs 3612", fire) == "见 《2010年版万科6+2步法操作细则》"
    assert [r.url for r in citer.used if r.url] == ["https://www.360docs.net/doc/3612086202.html"]


def test_manual_has_no_designers_shorthand(md: str) -> None:
    body = _outside_charts(md).split("## 附录三 参考文献", 1)[0]
    # a link's target and an anchor are not printed
    body = re.sub(r'\]\(#[^)]*\)|<a id="[^"]*"></a>', "]", body)
    for hit in SHORTHAND.finditer(body):
        line = body[body.rfind("\n", 0, hit.start()) + 1 : body.find("\n", hit.end())]
        pytest.fail(f"shorthand {hit.group(0)!r} in: {line}")


def test_manual_prints_no_ids(md: str) -> None:
    body = _outside_charts(md).replace("\\_", "_")
    anchors = re.compile(r'<a id="[^"]*"></a>|\]\(#[^)]*\)')
    found = sorted(set(SNAKE.findall(anchors.sub("", body))))
    assert found == [], found


def test_web_addresses_only_in_the_references_appendix(md: str) -> None:
    body, appendix = md.split("## 附录三 参考文献", 1)
    assert URL.search(body) is None
    urls = URL.findall(appendix)
    assert len(urls) == len({r.url for r in RB.references.values() if r.url})
    assert "《6+2工作执行指引》" in appendix and "《物业公司销售配合服务流程》" in appendix


def test_every_text_format_cites_the_same_way() -> None:
    html = render_manual(RB, "html").decode("utf-8")
    markup = pdf_markup(build_manual(RB))
    for text in (re.sub(r'xmlns="[^"]*"', "", html), markup):
        for mark in ("piece", "§", "调研清单", "(issue"):
            assert mark not in text, mark
        body, _, appendix = text.rpartition("附录三")
        assert URL.search(body) is None
        assert {r.url for r in RB.references.values() if r.url} <= set(URL.findall(appendix))


def test_pdf_text_has_no_shorthand(bundled_pdf: Path) -> None:
    """What an auditor's printout says, read back from the PDF."""
    reader = pypdf.PdfReader(bundled_pdf)
    text = "\n".join(page.extract_text() for page in reader.pages)
    body, _, appendix = text.rpartition("附录三")
    for mark in ("piece", "§", "调研清单", "(issue", "360docs"):
        assert mark not in body, mark
    assert "参考文献" in appendix and "《6+2工作执行指引》" in appendix
    assert URL.search(body) is None
    assert "3612086202" in appendix.replace("\n", "")
