"""`sop lsp` driven as an editor drives it: the installed command started
over stdio, spoken to by pytest-lsp's client (a real LSP client library).
One server serves the whole module, on a copy of the bundled rulebook."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pygls.protocol import default_converter
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from engine.problems import Fix, Pos, apply_fix
from engine.validate import validate_texts
from tests.conftest import ROOT, Runner, sop_command

BOOK: Path = Path()  # the copy of sops/ the server works on (set by the fixture)


def _book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    book = tmp_path_factory.mktemp("lsp") / "sops"
    shutil.copytree(ROOT / "sops", book)
    return book


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    global BOOK
    BOOK = _book(tmp_path_factory)
    return BOOK


PUBLISHED: list[lsp.PublishDiagnosticsParams] = []  # every publish, in order


def make_client() -> LanguageClient:
    """pytest-lsp's client, also keeping every publish with its version."""

    def keep(client: LanguageClient, params: lsp.PublishDiagnosticsParams) -> None:
        client.diagnostics[params.uri] = params.diagnostics
        PUBLISHED.append(params)

    client = LanguageClient(converter_factory=default_converter)
    register_lsp_features(
        client, {**DEFAULT_CLIENT_FEATURES, lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: keep}
    )
    return client


@pytest_lsp.fixture(
    scope="module",
    config=ClientServerConfig(
        server_command=[*sop_command(), "lsp", "--stdio"], client_factory=make_client
    ),
)
async def client(lsp_client: LanguageClient, book: Path) -> AsyncIterator[None]:
    await lsp_client.initialize_session(
        lsp.InitializeParams(
            capabilities=pytest_lsp.client_capabilities("neovim"),
            root_uri=uri(book),
            locale="zh-CN",
        )
    )
    yield
    await lsp_client.shutdown_session()


def uri(path: Path) -> str:
    got = from_fs_path(str(path.resolve()))
    assert got is not None
    return got


_versions: dict[str, int] = {}


def open_doc(client: LanguageClient, path: Path) -> str:
    u = uri(path)
    _versions[u] = 1
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            lsp.TextDocumentItem(u, "yaml", 1, path.read_text(encoding="utf-8"))
        )
    )
    return u


def change(client: LanguageClient, u: str, text: str) -> None:
    _versions[u] += 1
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(version=_versions[u], uri=u),
            [lsp.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def close_doc(client: LanguageClient, u: str) -> None:
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(u)))


async def diagnostics(client: LanguageClient, u: str) -> list[lsp.Diagnostic]:
    """The diagnostics published for the open document `u` as last sent."""
    got = await published(client, lambda p: p.uri == u and p.version == _versions[u])
    return list(got.diagnostics)


async def published(
    client: LanguageClient, wanted: Callable[[lsp.PublishDiagnosticsParams], bool]
) -> lsp.PublishDiagnosticsParams:
    """The first publish (from now on, or already received) that is `wanted`."""
    async with asyncio.timeout(20):
        while True:
            for i, params in enumerate(PUBLISHED):
                if wanted(params):
                    del PUBLISHED[: i + 1]
                    return params
            await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)


def position_of(text: str, needle: str, offset: int = 0) -> lsp.Position:
    index = text.index(needle) + offset
    line = text.count("\n", 0, index)
    return lsp.Position(line=line, character=index - (text.rfind("\n", 0, index) + 1))


def apply(text: str, edits: list[lsp.TextEdit]) -> str:
    """`text` with LSP edits applied (UTF-16 columns: the bundled files
    hold no character outside the BMP, so a column is a character)."""
    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character))[::-1]:
        r = e.range
        fix = Fix(
            Pos("", r.start.line + 1, r.start.character + 1, r.end.line + 1, r.end.character + 1),
            e.new_text,
        )
        text = apply_fix(text, fix)
    return text


@pytest.mark.asyncio(loop_scope="module")
async def test_a_bundled_procedure_opens_without_diagnostics(client: LanguageClient) -> None:
    u = open_doc(client, BOOK / "show-flat.yaml")
    assert await diagnostics(client, u) == []
    close_doc(client, u)


@pytest.mark.asyncio(loop_scope="module")
async def test_a_misspelt_step_is_reported_where_it_is_and_fixed(client: LanguageClient) -> None:
    path = BOOK / "show-flat.yaml"
    text = path.read_text(encoding="utf-8")
    u = open_doc(client, path)
    await diagnostics(client, u)
    typed = text.replace("    next: shoe_covers", "    next: shoe_cover", 1)
    change(client, u, typed)
    found = await diagnostics(client, u)
    assert [d.code for d in found] == ["unknown-step"]
    d = found[0]
    start = position_of(typed, "next: shoe_cover", len("next: "))
    assert d.range == lsp.Range(start, lsp.Position(start.line, start.character + 10))
    assert d.severity == lsp.DiagnosticSeverity.Error
    assert d.message.startswith('步骤 "shoe_cover" 不存在') and "shoe_covers" in d.message

    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            lsp.TextDocumentIdentifier(u), d.range, lsp.CodeActionContext(diagnostics=[d])
        )
    )
    assert actions and len(actions) == 1
    action = actions[0]
    assert isinstance(action, lsp.CodeAction) and action.edit and action.edit.changes
    assert action.kind == lsp.CodeActionKind.QuickFix
    fixed = apply(typed, list(action.edit.changes[u]))
    assert fixed == text
    change(client, u, fixed)
    assert await diagnostics(client, u) == []
    close_doc(client, u)


@pytest.mark.asyncio(loop_scope="module")
async def test_an_unsaved_edit_in_one_file_is_seen_in_another(client: LanguageClient) -> None:
    """Cross-file: renaming a role in rulebook.yaml's buffer (not saved)
    breaks the procedures that use it, and undoing it clears them."""
    rb = BOOK / "rulebook.yaml"
    text = rb.read_text(encoding="utf-8")
    proc = open_doc(client, BOOK / "shuttle.yaml")
    await diagnostics(client, proc)
    u = open_doc(client, rb)
    await diagnostics(client, u)
    change(client, u, text.replace("  shuttle_attendant:", "  shuttle_driver:", 1))
    broken = await published(client, lambda p: p.uri == proc and bool(p.diagnostics))
    assert {d.code for d in broken.diagnostics} == {"unknown-role"}
    assert all(d.range.start.line > 0 for d in broken.diagnostics)
    change(client, u, text)
    await published(client, lambda p: p.uri == proc and not p.diagnostics)
    close_doc(client, u)
    close_doc(client, proc)


@pytest.mark.asyncio(loop_scope="module")
async def test_go_to_a_callees_definition_across_files(client: LanguageClient) -> None:
    path = BOOK / "sales-visit.yaml"
    text = path.read_text(encoding="utf-8")
    u = open_doc(client, path)
    await diagnostics(client, u)
    got = await client.text_document_definition_async(
        lsp.DefinitionParams(lsp.TextDocumentIdentifier(u), position_of(text, "call: shuttle", 7))
    )
    assert isinstance(got, list) and len(got) == 1
    assert got[0].uri == uri(BOOK / "shuttle.yaml")
    callee = (BOOK / "shuttle.yaml").read_text(encoding="utf-8")
    assert got[0].range.start == position_of(callee, "id: shuttle", 4)

    # a `with` key goes to the callee's input, a step reference to the step
    refs = await client.text_document_references_async(
        lsp.ReferenceParams(
            context=lsp.ReferenceContext(include_declaration=False),
            text_document=lsp.TextDocumentIdentifier(u),
            position=position_of(text, "call: shuttle", 7),
        )
    )
    assert refs is not None and len(refs) == text.count("call: shuttle")
    close_doc(client, u)


@pytest.mark.asyncio(loop_scope="module")
async def test_rename_a_role_used_in_five_procedures(client: LanguageClient) -> None:
    old, new = "any_staff", "duty_staff"
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(BOOK.glob("*.yaml"))}
    users = [n for n, t in texts.items() if n != "rulebook.yaml" and old in t]
    assert len(users) >= 5
    path = BOOK / users[0]
    u = open_doc(client, path)
    await diagnostics(client, u)
    at = position_of(texts[users[0]], old, 2)
    prepared = await client.text_document_prepare_rename_async(
        lsp.PrepareRenameParams(lsp.TextDocumentIdentifier(u), at)
    )
    assert isinstance(prepared, lsp.PrepareRenamePlaceholder) and prepared.placeholder == old
    edit = await client.text_document_rename_async(
        lsp.RenameParams(lsp.TextDocumentIdentifier(u), at, new)
    )
    assert edit is not None and edit.changes
    by_name = {Path(k.removeprefix("file://")).name: v for k, v in edit.changes.items()}
    assert set(by_name) == {"rulebook.yaml", *users}
    renamed = {n: apply(t, list(by_name.get(n, []))) for n, t in texts.items()}
    # every reference is renamed; designers' prose in notes is left as written
    for name, t in renamed.items():
        assert f"role: {old}" not in t and f"[{old}" not in t and f" {old}]" not in t, name
        assert t.count(new) == texts[name].count(f"role: {old}") + texts[name].count(
            f"roles: [{old}"
        ) + texts[name].count(f", {old}]") + texts[name].count(f"  {old}:")
    assert validate_texts(renamed).problems == []

    with pytest.raises(Exception, match="showflat_host"):
        await client.text_document_rename_async(
            lsp.RenameParams(lsp.TextDocumentIdentifier(u), at, "showflat_host")
        )
    close_doc(client, u)


@pytest.mark.asyncio(loop_scope="module")
async def test_no_rename_while_a_file_cannot_be_read(client: LanguageClient) -> None:
    """A file that does not build hides its references: a rename would miss
    them, so it is refused, naming the file, until the file reads again."""
    broken = BOOK / "fire.yaml"
    b = open_doc(client, broken)
    await diagnostics(client, b)
    change(client, b, "id: fire\nsteps: [\n")
    assert [d.code for d in await diagnostics(client, b)] == ["yaml-syntax"]
    path = BOOK / "robbery.yaml"
    text = path.read_text(encoding="utf-8")
    u = open_doc(client, path)
    await diagnostics(client, u)
    at = position_of(text, "role: any_staff", 8)
    with pytest.raises(Exception, match=r"fire\.yaml"):
        await client.text_document_rename_async(
            lsp.RenameParams(lsp.TextDocumentIdentifier(u), at, "staff_on_duty")
        )
    change(client, b, broken.read_text(encoding="utf-8"))
    assert await diagnostics(client, b) == []
    edit = await client.text_document_rename_async(
        lsp.RenameParams(lsp.TextDocumentIdentifier(u), at, "staff_on_duty")
    )
    assert edit is not None and edit.changes and uri(broken) in edit.changes
    close_doc(client, b)
    close_doc(client, u)


@pytest.mark.asyncio(loop_scope="module")
async def test_complete_inside_next(client: LanguageClient) -> None:
    path = BOOK / "show-flat.yaml"
    text = path.read_text(encoding="utf-8")
    u = open_doc(client, path)
    await diagnostics(client, u)
    typed = text.replace("    next: shoe_covers", "    next: sh", 1)
    change(client, u, typed)
    await diagnostics(client, u)
    got = await client.text_document_completion_async(
        lsp.CompletionParams(
            lsp.TextDocumentIdentifier(u), position_of(typed, "next: sh", len("next: sh"))
        )
    )
    assert isinstance(got, lsp.CompletionList)
    labels = {i.label: i for i in got.items}
    assert {"greet", "shoe_covers", "farewell"} <= set(labels)
    item = labels["shoe_covers"]
    assert item.kind == lsp.CompletionItemKind.Function
    assert item.detail == "指引客户就座穿鞋套"
    assert isinstance(item.text_edit, lsp.TextEdit)
    assert item.text_edit.range.start == position_of(typed, "next: sh", len("next: "))
    assert "showflat_host" not in labels  # only steps
    change(client, u, text)
    await diagnostics(client, u)
    close_doc(client, u)


@pytest.mark.asyncio(loop_scope="module")
async def test_hover_outline_and_flowchart(client: LanguageClient) -> None:
    path = BOOK / "show-flat.yaml"
    text = path.read_text(encoding="utf-8")
    u = open_doc(client, path)
    await diagnostics(client, u)
    hover = await client.text_document_hover_async(
        lsp.HoverParams(lsp.TextDocumentIdentifier(u), position_of(text, "next: shoe_covers", 8))
    )
    assert hover is not None and isinstance(hover.contents, lsp.MarkupContent)
    assert "指引客户就座穿鞋套" in hover.contents.value and "岗位" in hover.contents.value
    key = await client.text_document_hover_async(
        lsp.HoverParams(lsp.TextDocumentIdentifier(u), position_of(text, "    next:", 5))
    )
    assert key is not None and isinstance(key.contents, lsp.MarkupContent)
    assert "自动转入" in key.contents.value

    symbols = await client.text_document_document_symbol_async(
        lsp.DocumentSymbolParams(lsp.TextDocumentIdentifier(u))
    )
    assert symbols and isinstance(symbols[0], lsp.DocumentSymbol)
    assert symbols[0].name == "show-flat" and symbols[0].children
    steps = [s for s in symbols[0].children if s.kind == lsp.SymbolKind.Function]
    assert [s.name for s in steps][:2] == ["greet", "shoe_covers"]
    assert steps[0].detail == "迎宾服务"

    chart = await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command="sop.flowchart", arguments=[u])
    )
    assert isinstance(chart, str) and chart.startswith("flowchart")
    assert "迎宾服务" in chart
    close_doc(client, u)


def test_the_command_says_how_to_install_the_extra(tmp_path: Path, sop: Runner) -> None:
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "pygls.py").write_text("raise ImportError('not installed')\n", encoding="utf-8")
    result = sop("lsp", env={"PYTHONPATH": str(shim)})
    assert result.returncode == 2
    assert "pip install 'sop[lsp]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_starting_sop_does_not_import_the_language_server() -> None:
    code = (
        "import sys\n"
        "from engine.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip().endswith("[]"), out.stdout


def test_messages_follow_the_editors_language(tmp_path: Path) -> None:
    """zh unless the client's locale is English (or `sop lsp --lang en`)."""
    from pygls.lsp.client import LanguageClient as Client

    book = tmp_path / "sops"
    shutil.copytree(ROOT / "sops", book)
    path = book / "show-flat.yaml"
    text = path.read_text(encoding="utf-8").replace("next: shoe_covers", "next: shoe_cover", 1)
    u = uri(path)

    async def first_message(locale: str, *args: str) -> str:
        client = Client("test", "1")
        got: asyncio.Future[str] = asyncio.get_running_loop().create_future()

        @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(ls: Client, params: lsp.PublishDiagnosticsParams) -> None:
            if params.uri == u and params.diagnostics and not got.done():
                got.set_result(params.diagnostics[0].message)

        await client.start_io(*sop_command(), "lsp", *args)
        try:
            await client.initialize_async(
                lsp.InitializeParams(capabilities=lsp.ClientCapabilities(), locale=locale)
            )
            client.initialized(lsp.InitializedParams())
            client.text_document_did_open(
                lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(u, "yaml", 1, text))
            )
            return await asyncio.wait_for(got, 30)
        finally:
            await client.shutdown_async(None)
            client.exit(None)
            await client.stop()

    async def both() -> tuple[str, str]:
        return await first_message("en-US"), await first_message("zh-CN", "--lang", "en")

    en, forced = asyncio.run(both())  # zh (the default) is what the tests above read
    assert en.startswith('step "shoe_cover" does not exist'), en
    assert forced == en


@pytest.mark.asyncio(loop_scope="module")
async def test_titles_after_ids_and_a_search_across_the_rulebook(client: LanguageClient) -> None:
    path = BOOK / "show-flat.yaml"
    text = path.read_text(encoding="utf-8")
    u = open_doc(client, path)
    await diagnostics(client, u)
    line = position_of(text, "next: shoe_covers").line
    hints = await client.text_document_inlay_hint_async(
        lsp.InlayHintParams(
            lsp.TextDocumentIdentifier(u),
            lsp.Range(lsp.Position(line, 0), lsp.Position(line + 1, 0)),
        )
    )
    assert hints is not None
    assert [(h.label, h.position) for h in hints] == [
        ("指引客户就座穿鞋套", position_of(text, "next: shoe_covers", len("next: shoe_covers")))
    ]
    found = await client.workspace_symbol_async(lsp.WorkspaceSymbolParams(query="鞋套"))
    assert found is not None
    names = [s.name for s in found]
    assert "shoe_covers 指引客户就座穿鞋套" in names
    close_doc(client, u)


@pytest.mark.asyncio(loop_scope="module")
async def test_a_new_unsaved_file_and_a_file_outside_any_rulebook(
    client: LanguageClient, tmp_path: Path
) -> None:
    new = BOOK / "night-patrol.yaml"  # never written to disk
    u = uri(new)
    _versions[u] = 1
    text = (
        "id: night-patrol\ntitle: 夜间巡逻\nkind: routine\nroles: [guard]\nstart: patrol\n"
        "steps:\n  patrol:\n    title: 巡逻\n    role: guard\n    call: shuttle\n"
        "    next: done\n  done:\n    title: 完成\n    role: guard\n    end: completed\n"
    )
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(u, "yaml", 1, text))
    )
    assert await diagnostics(client, u) == []
    shuttle = BOOK / "shuttle.yaml"
    refs = await client.text_document_references_async(
        lsp.ReferenceParams(
            context=lsp.ReferenceContext(include_declaration=False),
            text_document=lsp.TextDocumentIdentifier(uri(shuttle)),
            position=position_of(shuttle.read_text(encoding="utf-8"), "id: shuttle", 4),
        )
    )
    assert refs is not None and u in {r.uri for r in refs}
    close_doc(client, u)

    alone = tmp_path / "elsewhere" / "notes.yaml"
    alone.parent.mkdir()
    alone.write_text("title: 草稿\n", encoding="utf-8")
    a = open_doc(client, alone)
    got = await published(client, lambda p: p.uri == a)
    assert [d.code for d in got.diagnostics] == ["missing-rulebook"]
    close_doc(client, a)


@pytest.mark.asyncio(loop_scope="module")
async def test_every_bundled_file_opens_clean_with_an_outline_and_a_chart(
    client: LanguageClient,
) -> None:
    """Every bundled file open together: no diagnostics, an outline, and
    for each procedure its flowchart, code lens and hover on its first step."""
    docs: dict[str, str] = {}
    for path in sorted(BOOK.glob("*.yaml")):
        docs[path.name] = open_doc(client, path)
        assert await diagnostics(client, docs[path.name]) == [], path.name
    for name, u in docs.items():
        symbols = await client.text_document_document_symbol_async(
            lsp.DocumentSymbolParams(lsp.TextDocumentIdentifier(u))
        )
        assert symbols, name
        if name == "rulebook.yaml":
            continue
        root = symbols[0]
        assert isinstance(root, lsp.DocumentSymbol) and root.children, name
        steps = [s for s in root.children if s.kind == lsp.SymbolKind.Function]
        assert steps and all(s.detail for s in steps), name
        chart = await client.workspace_execute_command_async(
            lsp.ExecuteCommandParams(command="sop.flowchart", arguments=[u])
        )
        assert isinstance(chart, str) and chart.startswith("flowchart"), name
        assert steps[0].detail is not None and steps[0].detail.split()[0][:4] in chart, name
        lenses = await client.text_document_code_lens_async(
            lsp.CodeLensParams(lsp.TextDocumentIdentifier(u))
        )
        assert lenses and lenses[0].command and lenses[0].command.command == "sop.preview"
        hover = await client.text_document_hover_async(
            lsp.HoverParams(lsp.TextDocumentIdentifier(u), steps[0].selection_range.start)
        )
        assert hover is not None and isinstance(hover.contents, lsp.MarkupContent), name
    for u in docs.values():
        close_doc(client, u)
