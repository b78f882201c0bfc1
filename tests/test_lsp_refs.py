"""Every kind of reference the second edition added, driven over stdio as
an editor drives `sop lsp` (pytest-lsp's client): for each, go to its
definition, find its references, hover, complete it where it is written,
and rename it — the rulebook validates after the rename.

The rulebook is tests/fixtures/lsp_book: site holidays used by schedules,
a queue used by `turn:`, `set:` targets read by guards, `form.field` in a
guard and in `milestone: {from:}`, declared outcomes read after `call:`,
milestones, escalate `tell:` roles, standing rules (the rulebook's and a
procedure's, with the roles and steps they name) and a rule table's entries."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pygls.workspace import PositionCodec
from pytest_lsp import ClientServerConfig, LanguageClient

from engine.problems import Fix, Pos, apply_fix
from engine.validate import validate_texts
from tests.conftest import ROOT, sop_command
from tests.test_lsp import change, close_doc, diagnostics, make_client, open_doc, uri

FIXTURE = ROOT / "tests" / "fixtures" / "lsp_book"
BOOK: Path = Path()
# The position encoding the server chose (neovim offers utf-8 first): the
# names here are Chinese, so a column in characters is not one in units.
CODEC = PositionCodec()
CACHE = tempfile.mkdtemp(prefix="sop-lsp-test-")  # the server's cache: its previews


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    global BOOK
    BOOK = tmp_path_factory.mktemp("lsp_refs") / "book"
    shutil.copytree(FIXTURE, BOOK)
    return BOOK


@pytest_lsp.fixture(
    scope="module",
    config=ClientServerConfig(
        server_command=[*sop_command(), "lsp", "--stdio"],
        client_factory=make_client,
        server_env={**os.environ, "SOP_CACHE_DIR": CACHE},
    ),
)
async def client(lsp_client: LanguageClient, book: Path) -> AsyncIterator[None]:
    global CODEC
    result = await lsp_client.initialize_session(
        lsp.InitializeParams(
            capabilities=pytest_lsp.client_capabilities("neovim"),
            root_uri=uri(book),
            locale="zh-CN",
        )
    )
    CODEC = PositionCodec(result.capabilities.position_encoding)
    yield
    await lsp_client.shutdown_session()


@dataclass(frozen=True)
class Case:
    name: str
    file: str  # where the reference is
    needle: str  # text around it
    offset: int  # from the needle's start to the reference
    decl: tuple[str, str, int]  # where it is declared: file, needle, offset
    refs: set[str]  # files that reference it (besides its declaration)
    hover: str  # a text its hover shows
    new: str  # a new name for it
    # completion: in a file, a text, the same being typed ("|" the cursor),
    # and the label that, picked, gives back the text
    typed: tuple[str, str, str, str]


CASES = [
    Case(
        "holiday in a schedule",
        "weekly-clean.yaml",
        "{on: 国庆节}",
        5,
        ("rulebook.yaml", "国庆节: [", 0),
        {"weekly-clean.yaml"},
        "2026-10-01",
        "国庆",
        ("weekly-clean.yaml", "{on: 国庆节}", "{on: 国|}", "国庆节"),
    ),
    Case(
        "queue of a turn",
        "visit.yaml",
        "queue: sales_rotation",
        7,
        ("rulebook.yaml", "  sales_rotation:", 2),
        {"visit.yaml"},
        "销售接待轮序",
        "reception_rotation",
        ("visit.yaml", "queue: sales_rotation", "queue: sa|", "sales_rotation"),
    ),
    Case(
        "input given by set: and read by a guard",
        "visit.yaml",
        "set: {attempts",
        6,
        ("visit.yaml", "  attempts:", 2),
        {"visit.yaml"},
        "已拨打次数",
        "calls_made",
        ("visit.yaml", "set: {attempts: ", "set: {att|", "attempts"),
    ),
    Case(
        "input set by a branch",
        "visit.yaml",
        "set: {escalated: true}",
        6,
        ("visit.yaml", "  escalated:", 2),
        {"visit.yaml"},
        "已转经理",
        "passed_on",
        ("visit.yaml", "set: {escalated: true}", "set: {esc|: true}", "escalated"),
    ),
    Case(
        "field read by a guard (form.field)",
        "visit.yaml",
        "visit_feedback.score <",
        len("visit_feedback."),
        ("rulebook.yaml", "      score:", 6),
        {"visit.yaml"},
        "满意度评分",
        "rating",
        ("visit.yaml", "visit_feedback.score <", "visit_feedback.sc| <", "score"),
    ),
    Case(
        "form read by a guard (form.field)",
        "visit.yaml",
        "visit_feedback.score <",
        3,
        ("rulebook.yaml", "  visit_feedback:", 2),
        {"visit.yaml"},
        "客户回访记录表",
        "feedback",
        ("visit.yaml", "visit_feedback.score <", "visit_fe| <", "visit_feedback.score"),
    ),
    Case(
        "outcome read after a call",
        "visit.yaml",
        "outcome == 'escalated'",
        len("outcome == '") + 1,
        ("question-log.yaml", "  escalated:", 2),
        {"visit.yaml", "question-log.yaml"},
        "超时已上报",
        "passed_up",
        ("visit.yaml", "outcome == 'escalated'", "outcome == 'esc|'", "escalated"),
    ),
    Case(
        "outcome at an end",
        "question-log.yaml",
        "end: answered",
        6,
        ("question-log.yaml", "  answered:", 2),
        {"question-log.yaml"},
        "已答复",
        "replied",
        ("question-log.yaml", "end: answered", "end: an|", "answered"),
    ),
    Case(
        "milestone a deadline runs from",
        "question-log.yaml",
        "after: asked",
        8,
        ("question-log.yaml", "  asked:", 2),
        {"question-log.yaml"},
        "客户提问时间",
        "asked_on",
        ("question-log.yaml", "after: asked", "after: as|", "asked"),
    ),
    Case(
        "field a milestone's date comes from",
        "question-log.yaml",
        "from: question_log.asked_at",
        len("from: question_log.") + 2,
        ("rulebook.yaml", "      asked_at:", 6),
        {"question-log.yaml"},
        "提问时间",
        "asked_time",
        (
            "question-log.yaml",
            "from: question_log.asked_at",
            "from: que|",
            "question_log.asked_at",
        ),
    ),
    Case(
        "role told by escalate",
        "question-log.yaml",
        "tell: manager",
        7,
        ("rulebook.yaml", "  manager:", 2),
        {"question-log.yaml", "visit.yaml", "rulebook.yaml", "situations.yaml"},
        "案场经理",
        "site_manager",
        ("question-log.yaml", "tell: manager", "tell: ma|", "manager"),
    ),
    Case(
        "entry of a rule table a standing rule is shown at",
        "situations.yaml",
        "steps: [smoking]",
        len("steps: [") + 2,
        ("situations.yaml", "  - id: smoking", 8),
        {"situations.yaml"},
        "客户在样板房吸烟怎么办",
        "smoking_inside",
        ("situations.yaml", "steps: [smoking]", "steps: [smo|]", "smoking"),
    ),
    Case(
        "standing rule (declared only)",
        "situations.yaml",
        "id: stay_polite",
        6,
        ("situations.yaml", "id: stay_polite", 4),
        set(),
        "处理时始终保持礼貌",
        "be_polite",
        ("situations.yaml", "role: host, steps", "role: ho|, steps", "host"),
    ),
    Case(
        "role a rulebook's standing rule binds",
        "rulebook.yaml",
        "role: [host, sales_consultant]",
        len("role: [host, ") + 3,
        ("rulebook.yaml", "  sales_consultant:", 2),
        {"rulebook.yaml"},
        "销售人员",
        "consultant",
        (
            "rulebook.yaml",
            "role: [host, sales_consultant]",
            "role: [host, sa|]",
            "sales_consultant",
        ),
    ),
    Case(
        "role keeping a queue",
        "rulebook.yaml",
        "keeper: manager",
        9,
        ("rulebook.yaml", "  manager:", 2),
        {"question-log.yaml", "visit.yaml", "rulebook.yaml", "situations.yaml"},
        "监督客户接待的顺序",
        "rotation_keeper",
        ("rulebook.yaml", "keeper: manager", "keeper: ma|", "manager"),
    ),
]


def position_of(text: str, needle: str, offset: int = 0) -> lsp.Position:
    """Where `needle` (+ `offset` characters) is, in the client's units."""
    return at_index(text, text.index(needle) + offset)


def at_index(text: str, index: int) -> lsp.Position:
    line = text.count("\n", 0, index)
    char = lsp.Position(line, index - (text.rfind("\n", 0, index) + 1))
    return CODEC.position_to_client_units(text.split("\n"), char)


def apply(text: str, edits: list[lsp.TextEdit]) -> str:
    """`text` with the edits (in the client's units) applied."""
    lines = text.split("\n")
    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character))[::-1]:
        r = CODEC.range_from_client_units(lines, e.range)
        fix = Fix(
            Pos("", r.start.line + 1, r.start.character + 1, r.end.line + 1, r.end.character + 1),
            e.new_text,
        )
        text = apply_fix(text, fix)
    return text


def texts() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(BOOK.glob("*.yaml"))}


def doc(name: str) -> lsp.TextDocumentIdentifier:
    return lsp.TextDocumentIdentifier(uri(BOOK / name))


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_each_reference_kind(client: LanguageClient, case: Case) -> None:
    before = texts()
    src = before[case.file]
    u = open_doc(client, BOOK / case.file)
    assert await diagnostics(client, u) == []
    at = position_of(src, case.needle, case.offset)

    # definition: where it is declared
    got = await client.text_document_definition_async(lsp.DefinitionParams(doc(case.file), at))
    assert isinstance(got, list) and len(got) == 1, got
    dfile, dneedle, doff = case.decl
    assert got[0].uri == uri(BOOK / dfile)
    assert got[0].range.start == position_of(before[dfile], dneedle, doff)

    # references: every file that uses it, and the cursor's own
    refs = await client.text_document_references_async(
        lsp.ReferenceParams(
            context=lsp.ReferenceContext(include_declaration=False),
            text_document=doc(case.file),
            position=at,
        )
    )
    assert refs is not None
    assert {Path(r.uri.removeprefix("file://")).name for r in refs} == case.refs
    if case.refs:  # a standing rule's id is referred to from nowhere
        assert any(r.uri == u and r.range.start.line == at.line for r in refs)

    # hover: what it is, in the staff's words
    hover = await client.text_document_hover_async(lsp.HoverParams(doc(case.file), at))
    assert hover is not None and isinstance(hover.contents, lsp.MarkupContent)
    assert case.hover in hover.contents.value, hover.contents.value

    # rename: every occurrence, in every file, and the rulebook stays valid
    prepared = await client.text_document_prepare_rename_async(
        lsp.PrepareRenameParams(doc(case.file), at)
    )
    assert isinstance(prepared, lsp.PrepareRenamePlaceholder)
    old = prepared.placeholder
    edit = await client.text_document_rename_async(lsp.RenameParams(doc(case.file), at, case.new))
    assert edit is not None and edit.changes
    by_name = {Path(k.removeprefix("file://")).name: v for k, v in edit.changes.items()}
    assert set(by_name) == case.refs | {dfile}
    renamed = {n: apply(t, list(by_name.get(n, []))) for n, t in before.items()}
    assert validate_texts(renamed).problems == []
    assert sum(t.count(case.new) for t in renamed.values()) >= len(refs) + 1
    assert renamed != before and old != case.new

    # completion where it is written: picking the label gives the text back
    cfile, written, typing, label = case.typed
    c = u if cfile == case.file else open_doc(client, BOOK / cfile)
    if cfile != case.file:
        await diagnostics(client, c)
    cursor = before[cfile].index(written) + typing.index("|")
    edited = before[cfile].replace(written, typing.replace("|", ""), 1)
    change(client, c, edited)
    await diagnostics(client, c)
    where = at_index(edited, cursor)
    items = await client.text_document_completion_async(lsp.CompletionParams(doc(cfile), where))
    assert isinstance(items, lsp.CompletionList)
    offered = {i.label: i for i in items.items}
    assert label in offered, sorted(offered)
    item = offered[label]
    assert isinstance(item.text_edit, lsp.TextEdit)
    assert apply(edited, [item.text_edit]) == before[cfile]
    change(client, c, before[cfile])
    assert await diagnostics(client, c) == []
    if c != u:
        close_doc(client, c)
    close_doc(client, u)


@pytest.mark.asyncio(loop_scope="module")
async def test_a_rename_that_would_break_a_new_kind_is_refused(client: LanguageClient) -> None:
    src = texts()
    u = open_doc(client, BOOK / "visit.yaml")
    await diagnostics(client, u)
    refusals = [
        ("visit.yaml", "queue: sales_rotation", 8, "Sales Rotation", "新名称"),
        ("visit.yaml", "outcome == 'escalated'", 13, "answered", "answered"),
        ("weekly-clean.yaml", "{on: 国庆节}", 5, "春节", "春节"),
        ("weekly-clean.yaml", "{on: 国庆节}", 5, "tue", "tue"),
        ("weekly-clean.yaml", "{on: 国庆节}", 5, "国庆 节", "国庆 节"),
    ]
    for name, needle, offset, new, said in refusals:
        at = position_of(src[name], needle, offset)
        with pytest.raises(Exception, match=said):
            await client.text_document_rename_async(lsp.RenameParams(doc(name), at, new))
    close_doc(client, u)


@pytest.mark.asyncio(loop_scope="module")
async def test_outline_of_a_rulebook_and_a_procedure(client: LanguageClient) -> None:
    u = open_doc(client, BOOK / "rulebook.yaml")
    await diagnostics(client, u)
    symbols = await client.text_document_document_symbol_async(
        lsp.DocumentSymbolParams(lsp.TextDocumentIdentifier(u))
    )
    assert symbols is not None
    names = {s.name: s for s in symbols if isinstance(s, lsp.DocumentSymbol)}
    assert {"sales_rotation", "春节", "国庆节", "manager", "visit_feedback"} <= set(names)
    assert names["sales_rotation"].detail == "销售接待轮序"
    close_doc(client, u)
    v = open_doc(client, BOOK / "question-log.yaml")
    await diagnostics(client, v)
    symbols = await client.text_document_document_symbol_async(
        lsp.DocumentSymbolParams(lsp.TextDocumentIdentifier(v))
    )
    assert symbols and isinstance(symbols[0], lsp.DocumentSymbol) and symbols[0].children
    kids = {s.name: s for s in symbols[0].children}
    assert kids["escalated"].kind == lsp.SymbolKind.EnumMember
    assert kids["escalated"].detail == "超时已上报"
    assert kids["asked"].kind == lsp.SymbolKind.Event
    close_doc(client, v)


@pytest.mark.asyncio(loop_scope="module")
async def test_outcome_after_a_call_says_how_the_callee_ends(client: LanguageClient) -> None:
    src = texts()["visit.yaml"]
    u = open_doc(client, BOOK / "visit.yaml")
    await diagnostics(client, u)
    hover = await client.text_document_hover_async(
        lsp.HoverParams(doc("visit.yaml"), position_of(src, "when: outcome ==", 8))
    )
    assert hover is not None and isinstance(hover.contents, lsp.MarkupContent)
    assert "疑问登记与回电" in hover.contents.value
    assert "已答复 (`answered`)" in hover.contents.value
    assert "超时已上报 (`escalated`)" in hover.contents.value
    close_doc(client, u)


@pytest.mark.asyncio(loop_scope="module")
async def test_opening_and_closing_say_the_sites_hours(client: LanguageClient) -> None:
    src = texts()["weekly-clean.yaml"]
    u = open_doc(client, BOOK / "weekly-clean.yaml")
    await diagnostics(client, u)
    hover = await client.text_document_hover_async(
        lsp.HoverParams(doc("weekly-clean.yaml"), position_of(src, "at: opening", 6))
    )
    assert hover is not None and isinstance(hover.contents, lsp.MarkupContent)
    assert "08:30" in hover.contents.value
    got = await client.text_document_definition_async(
        lsp.DefinitionParams(doc("weekly-clean.yaml"), position_of(src, "at: opening", 6))
    )
    rb = texts()["rulebook.yaml"]
    assert isinstance(got, list) and got[0].uri == uri(BOOK / "rulebook.yaml")
    assert got[0].range.start == position_of(rb, "  hours:", 2)
    typed = src.replace("at: opening", "at: op", 1)
    change(client, u, typed)
    await diagnostics(client, u)
    items = await client.text_document_completion_async(
        lsp.CompletionParams(doc("weekly-clean.yaml"), position_of(typed, "at: op", 6))
    )
    assert isinstance(items, lsp.CompletionList)
    offered = {i.label: i.detail for i in items.items}
    assert offered.get("opening") == "08:30" and offered.get("closing") == "19:00"
    change(client, u, src)
    assert await diagnostics(client, u) == []
    close_doc(client, u)


async def page_holding(path: Path, text: str) -> str:
    """The preview page once it holds `text` (it is rewritten after a validation)."""
    async with asyncio.timeout(20):
        while True:
            page = path.read_text(encoding="utf-8") if path.exists() else ""
            if text in page:
                return page
            await asyncio.sleep(0.05)


@pytest.mark.asyncio(loop_scope="module")
async def test_the_flowchart_preview_follows_the_typing(client: LanguageClient) -> None:
    src = texts()["visit.yaml"]
    u = open_doc(client, BOOK / "visit.yaml")
    await diagnostics(client, u)
    lenses = await client.text_document_code_lens_async(
        lsp.CodeLensParams(lsp.TextDocumentIdentifier(u))
    )
    assert lenses is not None and len(lenses) == 1
    lens = lenses[0]
    assert lens.command is not None and lens.command.title == "流程图预览"
    assert lens.range.start.line == position_of(src, "id: visit").line
    shown = len(client.shown_documents)
    got = await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command=lens.command.command, arguments=lens.command.arguments)
    )
    assert isinstance(got, str) and got.startswith("file://")
    assert [d.uri for d in client.shown_documents[shown:]] == [got]
    assert client.shown_documents[-1].external
    page = Path(got.removeprefix("file://"))
    assert page.is_relative_to(CACHE)
    html = page.read_text(encoding="utf-8")
    assert "<svg" in html and "参观接待" in html and "按接待顺序接待" in html
    assert 'http-equiv="refresh"' in html

    # typing: the page follows, and what a title holds is escaped
    change(client, u, src.replace("title: 送客", "title: <b>送别客户</b>", 1))
    await diagnostics(client, u)
    html = await page_holding(page, "送别客户")
    assert "&lt;b&gt;送别客户" in html and "<b>送别" not in html
    # a file that does not build: its last chart, marked as such
    change(client, u, "id: visit\nsteps: [\n")
    await diagnostics(client, u)
    html = await page_holding(page, "上一次没有错误时的流程图")
    assert "送别客户" in html
    change(client, u, src)
    assert await diagnostics(client, u) == []
    await page_holding(page, "送客")
    close_doc(client, u)


@pytest.mark.parametrize(
    ("name", "right", "wrong", "rule"),
    [
        ("visit.yaml", "queue: sales_rotation", "queue: sales_rotaton", "unknown-queue"),
        ("weekly-clean.yaml", "{on: 国庆节}", "{on: 国庆}", "unknown-day"),
        ("visit.yaml", "outcome == 'escalated'", "outcome == 'escalted'", "outcome-value"),
        ("question-log.yaml", "tell: manager", "tell: manger", "unknown-role"),
        ("question-log.yaml", "end: answered", "end: answerd", "unknown-outcome"),
        ("situations.yaml", "steps: [smoking]", "steps: [smokng]", "unknown-step"),
    ],
)
@pytest.mark.asyncio(loop_scope="module")
async def test_a_misspelt_name_is_fixed_by_its_code_action(
    client: LanguageClient, name: str, right: str, wrong: str, rule: str
) -> None:
    src = texts()[name]
    u = open_doc(client, BOOK / name)
    assert await diagnostics(client, u) == []
    typed = src.replace(right, wrong, 1)
    change(client, u, typed)
    found = [d for d in await diagnostics(client, u) if d.code == rule]
    assert len(found) == 1, found
    d = found[0]
    at = position_of(typed, wrong)
    assert d.range.start.line == at.line
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            lsp.TextDocumentIdentifier(u), d.range, lsp.CodeActionContext(diagnostics=[d])
        )
    )
    assert actions and isinstance(actions[0], lsp.CodeAction), actions
    edit = actions[0].edit
    assert edit is not None and edit.changes
    assert apply(typed, list(edit.changes[u])) == src
    change(client, u, src)
    assert await diagnostics(client, u) == []
    close_doc(client, u)
