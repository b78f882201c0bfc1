"""The language server: LSP messages in, engine answers out (pygls).

Each open file belongs to the rulebook folder above it (the nearest folder
with a rulebook.yaml); the folder is validated as a whole, with the open
buffers in place of the files, in one worker thread so the editor never
waits on it. Edits are coalesced: a validation starts once typing pauses
for `DEBOUNCE` seconds, and edits made while one runs start one more when
it ends. Diagnostics are published for every file of the folder, so a
change in one file shows where it breaks another.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from engine import __version__
from engine.lsp import features
from engine.lsp.rename import Refused, rename
from engine.lsp.symbols import Index, Occurrence
from engine.lsp.workspace import Folder, Validation, problem_range
from engine.messages import render
from engine.paths import find_root
from engine.problems import Pos, Problem, Severity, with_severity
from engine.source import load_text

DEBOUNCE = 0.02  # seconds of quiet after an edit before validating
PREVIEW_DELAY = 0.5  # seconds of quiet after a validation before redrawing previews
log = logging.getLogger(__name__)
FLOWCHART = "sop.flowchart"  # workspace/executeCommand: [uri] -> Mermaid text
PREVIEW = "sop.preview"  # workspace/executeCommand: [uri] -> the preview page's URI (and shows it)

_UNNECESSARY = frozenset({"unused-form", "unused-input", "unused-role", "unreachable-step"})
_SYMBOL_KINDS = {
    "procedure": lsp.SymbolKind.Module,
    "step": lsp.SymbolKind.Function,
    "input": lsp.SymbolKind.Variable,
    "milestone": lsp.SymbolKind.Event,
    "role": lsp.SymbolKind.Class,
    "form": lsp.SymbolKind.Struct,
    "field": lsp.SymbolKind.Field,
    "outcome": lsp.SymbolKind.EnumMember,
    "queue": lsp.SymbolKind.Array,
    "holiday": lsp.SymbolKind.Constant,
    "rule": lsp.SymbolKind.Property,
}
_COMPLETION_KINDS = {
    "step": lsp.CompletionItemKind.Function,
    "role": lsp.CompletionItemKind.Class,
    "form": lsp.CompletionItemKind.Struct,
    "field": lsp.CompletionItemKind.Field,
    "input": lsp.CompletionItemKind.Variable,
    "milestone": lsp.CompletionItemKind.Event,
    "procedure": lsp.CompletionItemKind.Module,
    "outcome": lsp.CompletionItemKind.EnumMember,
    "queue": lsp.CompletionItemKind.Class,
    "holiday": lsp.CompletionItemKind.Constant,
    "key": lsp.CompletionItemKind.Property,
    "value": lsp.CompletionItemKind.EnumMember,
    "builtin": lsp.CompletionItemKind.Constant,
}


class SopServer(LanguageServer):
    def __init__(self, lang: str | None = None) -> None:
        super().__init__(
            "sop", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental
        )
        self.forced_lang = lang
        self.lang = lang or "zh"
        self.folders: dict[str, Folder] = {}
        self.worker = ThreadPoolExecutor(1, thread_name_prefix="sop-validate")
        self.timers: dict[str, asyncio.TimerHandle] = {}
        self.running: set[str] = set()
        self.tasks: dict[str, asyncio.Future[None]] = {}
        self.again: set[str] = set()
        self.published: dict[str, set[str]] = {}  # folder -> paths with diagnostics
        self.previews: dict[str, str] = {}  # procedure file -> its preview page
        self.preview_timers: dict[str, asyncio.TimerHandle] = {}
        self.drawer = ThreadPoolExecutor(1, thread_name_prefix="sop-preview")

    # ------------------------------------------------------------ files

    def folder_of(self, path: str) -> Folder | None:
        root = find_root(path)
        if root is None:
            return None
        folder = self.folders.get(root)
        if folder is None:
            folder = self.folders[root] = Folder(root)
        return folder if folder.owns(path) else None

    def buffer_changed(self, uri: str, delay: float) -> None:
        path = _path(uri)
        if path is None or not path.endswith((".yaml", ".yml")):
            return
        doc = self.workspace.get_text_document(uri)
        folder = self.folder_of(path)
        if folder is None:
            self.publish_alone(uri, path, doc.source)
            return
        folder.edit(path, doc.source, doc.version or 0)
        self.schedule(folder, delay)

    def buffer_closed(self, uri: str) -> None:
        path = _path(uri)
        if path is None:
            return
        folder = self.folder_of(path)
        if folder is None:
            self.text_document_publish_diagnostics(
                lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[])
            )
            return
        folder.close(path)
        self.schedule(folder, 0)

    # ------------------------------------------------------------ validation

    def schedule(self, folder: Folder, delay: float) -> None:
        loop = asyncio.get_running_loop()
        old = self.timers.pop(folder.root, None)
        if old is not None:
            old.cancel()
        pending = self.preview_timers.pop(folder.root, None)
        if pending is not None:  # typing goes on: the preview waits for a pause
            pending.cancel()
        self.timers[folder.root] = loop.call_later(delay, self._kick, folder)

    def _kick(self, folder: Folder) -> None:
        self.timers.pop(folder.root, None)
        if folder.root in self.running:
            self.again.add(folder.root)
            return
        self.running.add(folder.root)
        self.tasks[folder.root] = asyncio.ensure_future(self._validate(folder))

    async def _validate(self, folder: Folder) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                self.again.discard(folder.root)
                t0 = time.perf_counter()
                validation = await loop.run_in_executor(self.worker, _without_gc, folder)
                self.publish(folder, validation)
                if any(folder.owns(p) for p in self.previews):
                    self.schedule_preview(folder)
                log.debug("validated %s in %.0f ms", folder.root, 1000 * (time.perf_counter() - t0))
                if folder.root not in self.again:
                    break
        finally:
            self.running.discard(folder.root)

    def publish(self, folder: Folder, validation: Validation) -> None:
        problems, texts = validation.problems, validation.texts
        before = self.published.get(folder.root, set())
        open_ = set(validation.versions)
        now: set[str] = set()
        for path, found in problems.items():
            if not found and path not in before and path not in open_:
                continue  # clean and never reported: nothing to say
            lines = texts.get(path, "").split("\n")
            diagnostics = [self.diagnostic(p, lines) for p in found]
            if found:
                now.add(path)
            self.text_document_publish_diagnostics(
                lsp.PublishDiagnosticsParams(
                    uri=_uri(path), diagnostics=diagnostics, version=validation.versions.get(path)
                )
            )
        for gone in before - now - set(problems):
            self.text_document_publish_diagnostics(
                lsp.PublishDiagnosticsParams(uri=_uri(gone), diagnostics=[])
            )
        self.published[folder.root] = now

    def publish_alone(self, uri: str, path: str, text: str) -> None:
        """A YAML file outside any rulebook: the loader's problems, and that
        it has no rulebook.yaml above it."""
        from engine.schema import known_keys

        loaded = load_text(text, path, known_keys())
        found = list(loaded.problems)
        if loaded.document is not None:
            found.append(Problem("missing-rulebook", Pos(path, 1, 1)))
        from engine.checks import registry

        rules = registry()
        found = [with_severity(p, rules[p.rule].level) for p in found]
        lines = text.split("\n")
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(
                uri=uri, diagnostics=[self.diagnostic(p, lines) for p in found]
            )
        )

    def diagnostic(self, problem: Problem, lines: list[str]) -> lsp.Diagnostic:
        data: dict[str, Any] | None = None
        if problem.fix is not None:
            fix_range = self.range(problem.fix.pos, lines)
            data = {
                "fix": problem.fix.text,
                "range": _range_json(fix_range),
                "file": problem.fix.pos.file,
            }
        return lsp.Diagnostic(
            range=self.range(problem_range(problem, lines), lines),
            message=render(problem, self.lang),
            severity=lsp.DiagnosticSeverity.Error
            if problem.severity is Severity.ERROR
            else lsp.DiagnosticSeverity.Warning,
            code=problem.rule,
            source="sop",
            tags=[lsp.DiagnosticTag.Unnecessary] if problem.rule in _UNNECESSARY else None,
            data=data,
        )

    # ------------------------------------------------------------ preview

    def can_show(self) -> bool:
        """Whether the editor opens a document it is asked to (window/showDocument)."""
        window = self.client_capabilities.window
        return bool(window and window.show_document and window.show_document.support)

    def write_preview(self, folder: Folder, path: str) -> str | None:
        """Write the preview page of the procedure in `path`; its file, or
        None when the file has never built."""
        from engine.lsp import preview

        proc = folder.procedure(path)
        whole = folder.whole()
        if proc is None or whole is None or proc.id not in whole.procedures:
            return None
        page = preview.page(whole, proc.id, self.lang, stale=path in folder.unbuilt())
        target = self.previews.get(path) or preview.page_path(path)
        return target if preview.write(target, page) else None

    def refresh_previews(self, folder: Folder) -> None:
        for path in [p for p in self.previews if folder.owns(p)]:
            self.write_preview(folder, path)

    def schedule_preview(self, folder: Folder) -> None:
        """Rewrite the folder's previews once typing pauses for
        `PREVIEW_DELAY` and no validation runs, in their own thread: drawing
        a 1,000-step chart takes about a second, which the next edit's
        diagnostics never wait for."""
        old = self.preview_timers.pop(folder.root, None)
        if old is not None:
            old.cancel()
        loop = asyncio.get_running_loop()
        self.preview_timers[folder.root] = loop.call_later(
            PREVIEW_DELAY, self._kick_preview, folder
        )

    def _kick_preview(self, folder: Folder) -> None:
        self.preview_timers.pop(folder.root, None)
        if folder.root in self.running or folder.root in self.timers:
            return  # a validation is coming: it schedules the preview again
        self.drawer.submit(self.refresh_previews, folder)

    # ------------------------------------------------------------ positions

    def range(self, pos: Pos, lines: Sequence[str]) -> lsp.Range:
        """A 1-based, end-exclusive position (characters) as an LSP range."""
        codec = self.workspace.position_codec
        end_line = pos.end_line or pos.line
        end_col = pos.end_col if pos.end_line else pos.col
        start = codec.position_to_client_units(
            lines, lsp.Position(line=max(pos.line - 1, 0), character=max(pos.col - 1, 0))
        )
        end = codec.position_to_client_units(
            lines, lsp.Position(line=max(end_line - 1, 0), character=max(end_col - 1, 0))
        )
        return lsp.Range(start=start, end=end)

    def location(self, pos: Pos) -> lsp.Location:
        return self.locations([pos])[0]

    def locations(self, positions: Sequence[Pos]) -> list[lsp.Location]:
        """Positions as LSP locations, each file's lines split once (a name
        used at 1,500 places of a 10,000-line file is one split, not 1,500)."""
        lines: dict[str, list[str]] = {}
        out = []
        for pos in positions:
            if pos.file not in lines:
                lines[pos.file] = self.lines(pos.file)
            out.append(lsp.Location(uri=_uri(pos.file), range=self.range(pos, lines[pos.file])))
        return out

    def lines(self, path: str) -> list[str]:
        folder = self.folder_of(path)
        if folder is not None:
            text = folder.text(path)
            if isinstance(text, str):
                return text.split("\n")
        try:
            with open(path, encoding="utf-8") as fh:
                return fh.read().split("\n")
        except (OSError, UnicodeDecodeError):
            return []

    def at(self, uri: str, position: lsp.Position) -> tuple[str, Folder, str, int, int] | None:
        """(path, folder, text, 0-based line, 0-based column in characters)."""
        path = _path(uri)
        if path is None:
            return None
        folder = self.folder_of(path)
        if folder is None:
            return None
        doc = self.workspace.get_text_document(uri)
        text = doc.source
        server = self.workspace.position_codec.position_from_client_units(doc.lines, position)
        return path, folder, text, server.line, server.character

    def occurrence(self, uri: str, position: lsp.Position) -> tuple[Occurrence, Index] | None:
        found = self.at(uri, position)
        if found is None:
            return None
        path, folder, _, line, col = found
        index = folder.index()
        occ = index.at(path, line + 1, col + 1)
        return (occ, index) if occ is not None else None


def _without_gc(folder: Folder) -> Validation:
    """Validate with the cyclic garbage collector paused: the server holds
    every file's model, and collections that walk them all while the
    validator allocates took as long as the validation itself (the loader
    pauses it while parsing for the same reason)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return folder.validate()
    finally:
        if enabled:
            gc.enable()


def _path(uri: str) -> str | None:
    path = to_fs_path(uri)
    return os.path.realpath(path) if path else None


def _uri(path: str) -> str:
    uri: str | None = from_fs_path(path)
    assert uri is not None
    return uri


def _range_json(r: lsp.Range) -> list[int]:
    return [r.start.line, r.start.character, r.end.line, r.end.character]


def _json_range(v: list[int]) -> lsp.Range:
    return lsp.Range(
        start=lsp.Position(line=v[0], character=v[1]), end=lsp.Position(line=v[2], character=v[3])
    )


def make_server(lang: str | None = None) -> SopServer:
    server = SopServer(lang)

    @server.feature(lsp.INITIALIZE)
    def initialize(ls: SopServer, params: lsp.InitializeParams) -> None:
        from engine import i18n

        if ls.forced_lang is None:
            ls.lang = "en" if (params.locale or "").lower().startswith("en") else "zh"
        i18n.use(ls.lang)

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: SopServer, params: lsp.DidOpenTextDocumentParams) -> None:
        ls.buffer_changed(params.text_document.uri, 0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: SopServer, params: lsp.DidChangeTextDocumentParams) -> None:
        ls.buffer_changed(params.text_document.uri, DEBOUNCE)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: SopServer, params: lsp.DidSaveTextDocumentParams) -> None:
        ls.buffer_changed(params.text_document.uri, 0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: SopServer, params: lsp.DidCloseTextDocumentParams) -> None:
        ls.buffer_closed(params.text_document.uri)

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: SopServer, params: lsp.DidChangeWatchedFilesParams) -> None:
        for change in params.changes:
            path = _path(change.uri)
            folder = ls.folder_of(path) if path else None
            if folder is not None:
                ls.schedule(folder, DEBOUNCE)

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]),
    )
    def code_action(ls: SopServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        actions: list[lsp.CodeAction] = []
        for diag in params.context.diagnostics:
            data = diag.data
            if diag.source != "sop" or not isinstance(data, dict) or "fix" not in data:
                continue
            fix_text = str(data["fix"])
            edit = lsp.TextEdit(range=_json_range(data["range"]), new_text=fix_text)
            uri = _uri(str(data["file"])) if data.get("file") else params.text_document.uri
            title = features.say("fix", ls.lang, text=fix_text.strip() or fix_text)
            actions.append(
                lsp.CodeAction(
                    title=title,
                    kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[diag],
                    edit=lsp.WorkspaceEdit(changes={uri: [edit]}),
                    is_preferred=True,
                )
            )
        return actions

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: SopServer, params: lsp.DefinitionParams) -> list[lsp.Location] | None:
        found = ls.occurrence(params.text_document.uri, params.position)
        if found is None:  # `opening` / `closing` in a schedule: the site's hours
            here = ls.at(params.text_document.uri, params.position)
            if here is None:
                return None
            _, folder, text, line, col = here
            hours = features.hours_of(folder.rulebook())
            if hours is None or features.site_time_at(text, line, col) is None:
                return None
            return [ls.location(hours)]
        occ, index = found
        decls = index.declarations(occ.target)
        return ls.locations([d.pos for d in decls]) or None

    @server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
    def references(ls: SopServer, params: lsp.ReferenceParams) -> list[lsp.Location] | None:
        found = ls.occurrence(params.text_document.uri, params.position)
        if found is None:
            return None
        occ, index = found
        include = params.context.include_declaration
        return ls.locations([o.pos for o in index.occurrences(occ.target, include)])

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(ls: SopServer, params: lsp.HoverParams) -> lsp.Hover | None:
        found = ls.at(params.text_document.uri, params.position)
        if found is None:
            return None
        path, folder, text, line, col = found
        got = features.hover(path, text, line, col, folder.index(), ls.lang)
        if got is None:
            return None
        doc, pos = got
        return lsp.Hover(
            contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=doc),
            range=ls.range(pos, text.split("\n")),
        )

    @server.feature(
        lsp.TEXT_DOCUMENT_COMPLETION,
        lsp.CompletionOptions(trigger_characters=[":", " ", "[", ",", "{", "-"]),
    )
    def completion(ls: SopServer, params: lsp.CompletionParams) -> lsp.CompletionList | None:
        found = ls.at(params.text_document.uri, params.position)
        if found is None:
            return None
        path, folder, text, line, col = found
        got = features.complete(
            path,
            text,
            line,
            col,
            folder.procedure(path),
            folder.rulebook(),
            folder.procedures(),
            ls.lang,
        )
        lines = text.split("\n")
        edit_range = ls.range(Pos(path, line + 1, got.col + 1, line + 1, got.end + 1), lines)
        items = [
            lsp.CompletionItem(
                label=c.label,
                kind=_COMPLETION_KINDS[c.kind],
                detail=c.detail or None,
                documentation=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=c.documentation)
                if c.documentation
                else None,
                text_edit=lsp.TextEdit(range=edit_range, new_text=c.insert or c.label),
                filter_text=c.label,
                sort_text=f"{i:04d}",
                tags=[lsp.CompletionItemTag.Deprecated] if c.deprecated else None,
            )
            for i, c in enumerate(got.candidates)
        ]
        return lsp.CompletionList(is_incomplete=False, items=items)

    @server.feature(lsp.TEXT_DOCUMENT_PREPARE_RENAME)
    def prepare_rename(
        ls: SopServer, params: lsp.PrepareRenameParams
    ) -> lsp.PrepareRenamePlaceholder | None:
        from engine.lsp.rename import check

        found = ls.occurrence(params.text_document.uri, params.position)
        if found is None:
            return None
        occ, index = found
        try:
            check(occ, index)
        except Refused as refused:
            raise RenameRefused(refused.say(ls.lang)) from None
        lines = ls.lines(occ.pos.file)
        return lsp.PrepareRenamePlaceholder(
            range=ls.range(occ.pos, lines), placeholder=occ.target.name
        )

    @server.feature(lsp.TEXT_DOCUMENT_RENAME, lsp.RenameOptions(prepare_provider=True))
    def rename_(ls: SopServer, params: lsp.RenameParams) -> lsp.WorkspaceEdit | None:
        found = ls.occurrence(params.text_document.uri, params.position)
        if found is None:
            return None
        occ, index = found
        kind_word = features.say("kind." + occ.target.kind, ls.lang)
        folder = ls.folder_of(occ.pos.file)
        broken = folder.unbuilt() if folder is not None else []
        try:
            if broken:
                raise Refused(
                    "broken", file=os.path.relpath(broken[0], folder.root if folder else "")
                )
            edits = rename(occ, params.new_name, index, kind_word)
        except Refused as refused:
            raise RenameRefused(refused.say(ls.lang)) from None
        changes: dict[str, list[lsp.TextEdit]] = {}
        places = ls.locations([e.pos for e in edits])
        for e, place in zip(edits, places, strict=True):
            changes.setdefault(place.uri, []).append(
                lsp.TextEdit(range=place.range, new_text=e.text)
            )
        return lsp.WorkspaceEdit(changes=changes)

    @server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def document_symbol(
        ls: SopServer, params: lsp.DocumentSymbolParams
    ) -> list[lsp.DocumentSymbol] | None:
        found = ls.at(params.text_document.uri, lsp.Position(line=0, character=0))
        if found is None:
            return None
        path, folder, text, _, _ = found
        lines = text.split("\n")
        nodes = features.outline(path, text, folder.procedure(path), folder.rulebook())

        def symbol(node: features.Outline) -> lsp.DocumentSymbol:
            sel = ls.range(node.pos, lines)
            last = node.end_line - 1
            end = lsp.Position(line=last, character=len(lines[last]) if last < len(lines) else 0)
            return lsp.DocumentSymbol(
                name=node.name,
                detail=node.detail or None,
                kind=_SYMBOL_KINDS.get(node.kind, lsp.SymbolKind.Key),
                range=lsp.Range(start=lsp.Position(line=sel.start.line, character=0), end=end),
                selection_range=sel,
                children=[symbol(c) for c in node.children] or None,
            )

        return [symbol(n) for n in nodes]

    @server.feature(lsp.TEXT_DOCUMENT_INLAY_HINT)
    def inlay_hint(ls: SopServer, params: lsp.InlayHintParams) -> list[lsp.InlayHint] | None:
        found = ls.at(params.text_document.uri, lsp.Position(line=0, character=0))
        if found is None:
            return None
        path, folder, text, _, _ = found
        lines = text.split("\n")
        r = params.range
        out = []
        for pos, title in features.hints(path, r.start.line + 1, r.end.line + 1, folder.index()):
            end = ls.range(pos, lines).end
            out.append(lsp.InlayHint(position=end, label=title, padding_left=True))
        return out

    @server.feature(lsp.WORKSPACE_SYMBOL)
    def workspace_symbol(
        ls: SopServer, params: lsp.WorkspaceSymbolParams
    ) -> list[lsp.SymbolInformation]:
        out = []
        for folder in list(ls.folders.values()):
            found = features.search(params.query, folder.index())[:200]
            places = ls.locations([occ.pos for occ, _ in found])
            for (occ, title), place in zip(found, places, strict=True):
                proc = folder.procedure(occ.pos.file)
                out.append(
                    lsp.SymbolInformation(
                        name=f"{occ.target.name} {title}".strip(),
                        kind=_SYMBOL_KINDS.get(occ.target.kind, lsp.SymbolKind.Key),
                        location=place,
                        container_name=proc.id if proc else os.path.basename(occ.pos.file),
                    )
                )
        return out

    @server.command(FLOWCHART)
    def flowchart(ls: SopServer, args: Any) -> str | None:
        """The flowchart of the procedure in the file `args[0]` (a URI), as Mermaid."""
        from engine.render.graph import render_graph

        uri = args[0] if isinstance(args, list) and args else args
        path = _path(str(uri))
        folder = ls.folder_of(path) if path else None
        if path is None or folder is None:
            return None
        proc = folder.procedure(path)
        whole = folder.whole()
        if proc is None or whole is None or proc.id not in whole.procedures:
            return None
        chart: str = render_graph(whole, proc.id, "mermaid", whole.locale)
        return chart

    @server.command(PREVIEW)
    async def preview(ls: SopServer, args: Any) -> str | None:
        """Write the flowchart preview of the procedure in the file `args[0]`
        (a URI), ask the editor to show it, and return its URI. The page is
        rewritten after every validation while the server runs."""
        uri = args[0] if isinstance(args, list) and args else args
        path = _path(str(uri))
        folder = ls.folder_of(path) if path else None
        if path is None or folder is None:
            return None
        loop = asyncio.get_running_loop()
        task = ls.tasks.get(folder.root)
        if task is not None and not task.done():
            await task  # the buffers as they are now, not as they were
        target = await loop.run_in_executor(ls.drawer, ls.write_preview, folder, path)
        if target is None:
            ls.window_show_message(
                lsp.ShowMessageParams(
                    type=lsp.MessageType.Warning, message=features.say("preview.none", ls.lang)
                )
            )
            return None
        ls.previews[path] = target
        page = _uri(target)
        if ls.can_show():
            await ls.window_show_document_async(lsp.ShowDocumentParams(uri=page, external=True))
        return page

    @server.feature(lsp.TEXT_DOCUMENT_CODE_LENS)
    def code_lens(ls: SopServer, params: lsp.CodeLensParams) -> list[lsp.CodeLens] | None:
        """ "流程图预览" above a procedure's id, where the editor can show the page."""
        found = ls.at(params.text_document.uri, lsp.Position(line=0, character=0))
        if found is None or not ls.can_show():
            return None
        path, folder, _, _, _ = found
        proc = folder.procedure(path)
        if proc is None:
            return None
        line = max(proc.pos.line - 1, 0)
        return [
            lsp.CodeLens(
                range=lsp.Range(lsp.Position(line, 0), lsp.Position(line, 0)),
                command=lsp.Command(
                    title=features.say("preview.title", ls.lang),
                    command=PREVIEW,
                    arguments=[params.text_document.uri],
                ),
            )
        ]

    return server


class RenameRefused(JsonRpcException):
    """A refused rename: the editor shows the message (LSP RequestFailed)."""

    CODE = -32803


def serve(lang: str | None = None) -> None:
    """Serve over the process's own stdin and stdout; anything else the
    program would print goes to stderr, never into the protocol."""
    import os
    import sys

    stdin = os.fdopen(0, "rb", closefd=False)
    stdout = os.fdopen(1, "wb", closefd=False)
    sys.stdout = sys.stderr
    make_server(lang).start_io(stdin, stdout)
