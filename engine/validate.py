"""The validation pipeline: texts → load → schema → build → checks → Problems.

A folder of procedures with its rulebook.yaml is validated as one unit, since
procedures refer to each other and to the rulebook. The core works on texts
in memory (`validate_texts`: a rulebook pinned in a journal is rebuilt without
touching a file); `validate_paths` is a reader on top of it. When only some
files are asked for, the rest of the folder is read too but only parsed where
those files need it (what they call, what calls them, files whose name or id
could clash), and only their problems are reported (with rulebook.yaml's when
it is broken).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.checks.context import Outline
from engine.collector import fewer_collections
from engine.errors import RulebookError
from engine.i18n import message
from engine.model import Procedure, Rulebook
from engine.paths import RULEBOOK_FILE, find_root, in_layout, iter_yaml_files, unsafe_name
from engine.paths import expand as paths_expand
from engine.problems import Pos, Problem, Severity, with_severity
from engine.source import (
    MAX_FILE_BYTES,
    Document,
    Loaded,
    Pieces,
    decode,
    load_file,
    load_text,
    read_bytes,
)

if TYPE_CHECKING:
    from engine.build import Built

__all__ = [
    "RULEBOOK_FILE",
    "Memo",
    "Result",
    "find_root",
    "load_rulebook",
    "validate_paths",
    "validate_texts",
]


RULEBOOK_HAS_ERRORS = message("rulebook.has-errors", "{problems}", "{problems}")


@dataclass
class Result:
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    rulebooks: list[Rulebook] = field(default_factory=list)  # built, to run or render
    # file -> the warnings its procedure's lint.disable silences
    disabled: dict[str, frozenset[str]] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return sum(p.severity is Severity.ERROR for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.severity is Severity.WARNING for p in self.problems)


def expand(paths: Iterable[str]) -> tuple[list[str], list[Problem]]:
    files, missing = paths_expand(paths)
    problems = [Problem("not-a-file", Pos(p, 1, 1), {}, "missing") for p in missing]
    # A folder with nothing to check is a mistake (a mistyped folder, or a
    # folder named like a file), never "0 files, no problems".
    problems += [
        Problem("not-a-file", Pos(p, 1, 1), {}, "empty-folder")
        for p in dict.fromkeys(paths)
        if os.path.isdir(p) and next(iter_yaml_files(p), None) is None
    ]
    return files, problems


@dataclass
class _Unit:
    root: str | None
    files: list[str] = field(default_factory=list)  # requested files in this unit
    whole: bool = False


def _group(files: list[str], folders: set[str]) -> list[_Unit]:
    units: dict[str | None, _Unit] = {}
    for f in files:
        root = find_root(f)
        unit = units.setdefault(root, _Unit(root))
        unit.files.append(f)
    for unit in units.values():
        unit.whole = unit.root is not None and any(
            os.path.realpath(d) == unit.root for d in folders
        )
    return list(units.values())


def validate_paths(
    paths: Iterable[str], max_bytes: int = MAX_FILE_BYTES, build: bool = True
) -> Result:
    """Validate files and folders on disk: a thin reader over the in-memory
    core. With `build=False` (sop validate) the built procedures are not
    kept, so memory follows what the checks compare, not the files' size;
    `result.rulebooks` is then empty."""
    paths = list(paths)
    files, problems = expand(paths)
    folders = {p for p in paths if os.path.isdir(p)}
    result = Result(problems=problems, files=list(files))
    with fewer_collections():
        for unit in _group(files, folders):
            result.problems.extend(_validate_unit(unit, result, max_bytes, build))
    return _finish(result)


def validate_texts(
    files: Mapping[str, str | Problem], folder: str = "", memo: Memo | None = None
) -> Result:
    """Validate a whole rulebook held in memory and build it, touching no file.

    `files` maps names relative to the rulebook folder ("rulebook.yaml",
    "fire.yaml", "night/patrol.yaml") to their text (or to the problem met
    reading it, for a caller that read them). Messages name each file
    as `folder/name` (or `name` when no folder is given). A name that is not a
    plain rulebook file name (see engine.paths.unsafe_name) is a programming
    error: callers holding names from elsewhere (a journal) check them first.

    With a `memo` kept between calls (an editor's language server), a file
    whose text is unchanged since the last call, with rulebook.yaml
    unchanged too, is not loaded, built or checked again: its problems,
    model and outline are taken from the memo, and only the checks across
    procedures run over every file. The result is the same as without it.
    """
    for name in files:
        reason = unsafe_name(name)
        if reason is not None:
            raise ValueError(f"not a rulebook file name ({reason}): {name!r}")

    def shown(name: str) -> str:
        return os.path.join(folder, *name.split("/")) if folder else name

    names = in_layout(files)
    rb = shown(RULEBOOK_FILE)
    entries: dict[str, Entry] = {}
    entries[rb] = files.get(RULEBOOK_FILE, _problem_missing(rb))
    for name in names:
        if name != RULEBOOK_FILE:
            entry = files[name]
            entries[shown(name)] = (
                _within_limit(entry, shown(name)) if isinstance(entry, str) else entry
            )
    result = Result(files=list(entries))
    checked = _check_unit(rb, entries, None, memo=memo)
    result.problems = checked.problems
    result.disabled.update(checked.disabled)
    if checked.rulebook is not None:
        result.rulebooks.append(checked.rulebook)
    return _finish(result)


def _within_limit(text: str, name: str) -> Entry:
    """A text held in memory obeys the file size limit as a file would."""
    if len(text) * 4 <= MAX_FILE_BYTES:  # no UTF-8 character takes more than 4 bytes
        return text
    size = len(text.encode("utf-8", "surrogatepass"))
    if size <= MAX_FILE_BYTES:
        return text
    return Problem("file-too-large", Pos(name, 1, 1), {"size": size, "limit": MAX_FILE_BYTES})


def _problem_missing(name: str) -> Problem:
    return Problem("not-a-file", Pos(name, 1, 1), {}, "missing")


def _finish(result: Result) -> Result:
    from engine.checks import registry
    from engine.checks.rule import check_args

    rules = registry()
    for p in result.problems:
        check_args(rules[p.rule], p)
    result.problems = sorted(
        (with_severity(p, rules[p.rule].level) for p in result.problems), key=Problem.sort_key
    )
    result.problems = _apply_lint_disable(result.problems, result.disabled)
    return result


def _apply_lint_disable(
    problems: list[Problem], disabled: Mapping[str, frozenset[str]]
) -> list[Problem]:
    return [
        p
        for p in problems
        if not (p.severity is Severity.WARNING and p.rule in disabled.get(p.pos.file, ()))
    ]


# A file's text, or why it could not be read.
Entry = str | Problem


@dataclass
class _Loaded:
    problems: list[Problem] = field(default_factory=list)
    read: list[str] = field(default_factory=list)  # the files that parsed
    models: list[Procedure] = field(default_factory=list)  # kept only to run or render
    outlines: list[Outline] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    head: Rulebook | None = None
    head_ok: bool = False
    # file -> the paths the schema stage pruned to check the rest of it
    pruned: dict[str, tuple[tuple[Any, ...], ...]] = field(default_factory=dict)
    unbuilt: int = 0  # procedure files that could not be built at all


@dataclass
class _Checked:
    problems: list[Problem]
    rulebook: Rulebook | None  # when every file built and models were kept
    read: list[str]  # the files that were loaded
    disabled: dict[str, frozenset[str]]  # file -> the warnings its lint.disable silences


@dataclass
class _Part:
    """What loading one file added to a validation, for the memo."""

    key: tuple[str, str]  # (the file's text, rulebook.yaml's text)
    added: _Loaded
    model: Procedure | None


@dataclass
class Memo:
    """Per-file results of `validate_texts`, kept between calls by a caller
    that validates the same rulebook again and again as it is edited."""

    parts: dict[str, _Part] = field(default_factory=dict)
    rulebook_text: str = ""
    head: _Loaded | None = None
    # Per file, what its last version was parsed and built from: a changed
    # file is parsed and built again only where it changed.
    pieces: dict[str, tuple[Pieces, Built]] = field(default_factory=dict)

    def procedure(self, name: str) -> Procedure | None:
        """The procedure last built from the file `name` (as messages name
        it), even when other files or the file itself had problems: built
        from what remained valid where the schema stage pruned it."""
        part = self.parts.get(name)
        return part.model if part is not None else None

    def rulebook(self) -> Rulebook | None:
        """rulebook.yaml last built (without procedures), when it was valid."""
        return self.head.head if self.head is not None and self.head.head_ok else None

    def names(self) -> list[str]:
        return list(self.parts)


def _merge(out: _Loaded, added: _Loaded) -> None:
    out.problems.extend(added.problems)
    out.read.extend(added.read)
    out.outlines.extend(added.outlines)
    out.ids.update(added.ids)
    out.pruned.update(added.pruned)
    out.unbuilt += added.unbuilt


def _memo_rulebook(
    name: str, entry: Entry, keys: frozenset[str], out: _Loaded, memo: Memo | None
) -> None:
    if memo is None or not isinstance(entry, str):
        if memo is not None:
            memo.head, memo.rulebook_text, memo.parts = None, "", {}
        _load_rulebook(name, entry, keys, out)
        return
    if memo.head is None or memo.rulebook_text != entry:
        added = _Loaded()
        _load_rulebook(name, entry, keys, added)
        memo.head, memo.rulebook_text, memo.parts = added, entry, {}
    _merge(out, memo.head)
    out.head, out.head_ok = memo.head.head, memo.head.head_ok


def _memo_procedure(
    name: str, entry: Entry, keys: frozenset[str], out: _Loaded, memo: Memo | None
) -> Procedure | None:
    if memo is None:
        return _load_procedure(name, entry, keys, out, None)
    key = (entry if isinstance(entry, str) else "", memo.rulebook_text)
    part = memo.parts.get(name)
    if part is None or part.key != key or not isinstance(entry, str):
        added = _Loaded(head=out.head, head_ok=out.head_ok)
        reuse = memo.pieces.get(name)
        if reuse is None:
            from engine.build import Built

            reuse = memo.pieces[name] = (Pieces(name), Built())
        model = _load_procedure(name, entry, keys, added, None, reuse)
        part = _Part(key, added, model)
        if isinstance(entry, str):
            memo.parts[name] = part
        else:
            memo.parts.pop(name, None)
    _merge(out, part.added)
    return part.model


# A procedure file's own id and the procedures it calls, read from its text
# without parsing, to find what a single file must be checked with.
_ID_LINE = re.compile(r"""^id:[ \t]*(["']?)([^\s"'#]+)\1""", re.MULTILINE)
_CALL = re.compile(r"""\bcall:[ \t]*(["']?)([A-Za-z0-9_.-]+)\1""")


def _stem(name: str) -> str:
    return Path(name).stem


def _needed(entries: Mapping[str, Entry], names: list[str], focus: set[str]) -> list[str]:
    """The procedure files `focus` must be checked with, in folder order: the
    files themselves, files whose name or id could clash with theirs, the
    procedures they call (transitively) and those that call them."""
    ids: dict[str, set[str]] = {}
    calls: dict[str, set[str]] = {}
    for name in names:
        text = entries[name]
        own = {_stem(name)}
        if isinstance(text, str):
            m = _ID_LINE.search(text)
            if m:
                own.add(m.group(2))
            calls[name] = {c.group(2) for c in _CALL.finditer(text)} if "call" in text else set()
        ids[name] = own
    owners: dict[str, list[str]] = {}
    for name, own in ids.items():
        for pid in own:
            owners.setdefault(pid, []).append(name)
    wanted = {n for n in names if n in focus}
    mine = set().union(*(ids[n] for n in wanted)) if wanted else set()
    need = {n for n in names if n in wanted or ids[n] & mine or calls.get(n, set()) & mine}
    todo = list(need)
    while todo:
        for callee in calls.get(todo.pop(), ()):
            for n in owners.get(callee, ()):
                if n not in need:
                    need.add(n)
                    todo.append(n)
    return [n for n in names if n in need]


def _check_unit(
    rb_name: str,
    entries: Mapping[str, Entry],
    focus: set[str] | None,
    keep: bool = True,
    memo: Memo | None = None,
) -> _Checked:
    """Load, build and check one rulebook: `entries` holds rulebook.yaml
    (under `rb_name`) and its procedure files, in folder order. With `focus`,
    only those files (plus what they need) are loaded and only their
    problems are kept, with rulebook.yaml's when it is broken.

    Each procedure is checked as soon as it is built; then only its outline
    is kept for the checks across procedures (and its model only when
    `keep`, to run or render it), so memory follows what is compared, not
    the size of the files."""
    from engine import schema
    from engine.checks import run_rulebook
    from engine.checks.context import Context

    out = _Loaded()
    keys = schema.known_keys()
    names = [n for n in entries if n != rb_name]
    by_stem: dict[str, list[str]] = {}
    for n in names:
        by_stem.setdefault(_stem(n), []).append(n)
    out.ids.update(by_stem)
    _memo_rulebook(rb_name, entries[rb_name], keys, out, memo if focus is None else None)
    if memo is not None:
        for gone in set(memo.parts) - set(names):
            del memo.parts[gone]
        for gone in set(memo.pieces) - set(names):
            del memo.pieces[gone]
    todo = list(names) if focus is None else _needed(entries, names, focus)
    done: set[str] = set()
    while todo:
        n = todo.pop(0)
        if n in done:
            continue
        done.add(n)
        if focus is None and memo is not None:
            proc = _memo_procedure(n, entries[n], keys, out, memo)
        else:
            proc = _load_procedure(n, entries[n], keys, out, focus)
        if proc is not None:
            if keep:
                out.models.append(proc)
            if focus is not None:  # follow what it calls
                for step in proc.steps.values():
                    for call in step.calls:
                        todo.extend(by_stem.get(call.procedure.name, ()))
    problems = out.problems
    rulebook: Rulebook | None = None
    complete = not out.pruned and not out.unbuilt
    if out.head is not None and out.head_ok:
        if complete and keep:
            rulebook = _assemble(out.head, out.models)
        ctx = Context(
            out.head,
            (),
            frozenset(out.ids),
            {},
            focus is None and complete,
            None if focus is None else frozenset(focus),
            out.pruned,
            tuple(out.outlines),
        )
        problems.extend(_trusted(run_rulebook(ctx), out.pruned))
    if focus is not None:
        rb_broken = out.head is None or not out.head_ok
        problems = [
            p for p in problems if p.pos.file in focus or (rb_broken and p.pos.file == rb_name)
        ]
    disabled = {o.path: o.lint_disable for o in out.outlines if o.lint_disable}
    return _Checked(problems, rulebook, out.read, disabled)


def _trusted(
    problems: Iterable[Problem], pruned: Mapping[str, tuple[tuple[Any, ...], ...]]
) -> Iterator[Problem]:
    """Pruning removed evidence: a rule reading what was pruned from a file
    is not trusted in that file."""
    from engine.checks import registry

    untrusted = {
        name: {r.id for r in registry().values() for p in paths if r.untrusted_by(p)}
        for name, paths in pruned.items()
    }
    return (p for p in problems if p.rule not in untrusted.get(p.pos.file, ()))


def _load(
    name: str, entry: Entry, keys: frozenset[str], out: _Loaded, pieces: Pieces | None = None
) -> Loaded | None:
    """Parse one file (its problems go to `out`); None when it cannot be read."""
    from engine.checks import document_checks

    if isinstance(entry, Problem):
        out.problems.append(entry)
        return None
    loaded = load_text(entry, name, keys, pieces)
    out.problems.extend(loaded.problems)
    if loaded.document is None:
        return None
    for lint in document_checks():
        out.problems.extend(lint(loaded.document))
    out.read.append(name)
    return loaded


def _load_rulebook(name: str, entry: Entry, keys: frozenset[str], out: _Loaded) -> None:
    from engine import schema
    from engine.build import build_rulebook_head

    loaded = _load(name, entry, keys, out)
    if loaded is None or loaded.document is None:
        return
    schema_problems, _ = schema.validate_with_paths(loaded.document, "rulebook")
    out.problems.extend(schema_problems)
    if not schema_problems:
        out.head = build_rulebook_head(loaded.document)
        out.head_ok = not any(p.rule != "stray-character" for p in loaded.problems)


def _load_procedure(
    name: str,
    entry: Entry,
    keys: frozenset[str],
    out: _Loaded,
    focus: set[str] | None,
    reuse: tuple[Pieces, Built] | None = None,
) -> Procedure | None:
    """Load, build and check one procedure file; its outline is kept. With
    `reuse` (kept from the file's last version), only what changed is
    parsed and built again."""
    from engine import schema
    from engine.build import build_procedure
    from engine.checks import run_all
    from engine.checks.context import Context

    loaded = _load(name, entry, keys, out, reuse[0] if reuse is not None else None)
    doc = loaded.document if loaded is not None else None
    if doc is None:
        out.unbuilt += 1
        return None
    schema_problems, bad_paths = schema.validate_with_paths(doc, "sop")
    out.problems.extend(schema_problems)
    data: Any = doc.data
    pid = data.get("id") if isinstance(data, dict) else None
    if isinstance(pid, str):
        out.ids.add(pid)
    if not schema_problems:
        proc = build_procedure(doc, reuse[1] if reuse is not None else None)
    else:
        # Check the rest of the file too: build from a copy without the bad nodes.
        pruned = schema.prune(data, bad_paths)
        if pruned is None or not schema.is_valid(pruned, "sop"):
            out.unbuilt += 1
            return None
        proc = build_procedure(_replace_data(doc, pruned))
        out.pruned[name] = tuple(bad_paths)
    if out.head is None or not out.head_ok:
        return proc  # nothing to check it against
    ctx = Context(
        out.head,
        (proc,),
        frozenset(),
        {name: doc.text},
        False,
        None if focus is None else frozenset(focus),
        {name: out.pruned[name]} if name in out.pruned else {},
    )
    out.problems.extend(_trusted(run_all(ctx), out.pruned))
    out.outlines.append(ctx.outline(proc))
    return proc


def _replace_data(doc: Document, data: Any) -> Document:
    return Document(doc.path, doc.text, data, doc.marks, doc.key_marks)


class _Files(Mapping[str, Entry]):
    """The files of a unit, each read when it is asked for and not kept."""

    def __init__(self, names: list[str], max_bytes: int) -> None:
        self._names = names
        self._known = set(names)
        self._max = max_bytes

    def __getitem__(self, name: str) -> Entry:
        if name not in self._known:
            raise KeyError(name)
        return _read(name, self._max)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def _read(name: str, max_bytes: int) -> Entry:
    raw = read_bytes(name, max_bytes)
    if isinstance(raw, Problem):
        return raw
    return decode(raw, name)


def _validate_unit(unit: _Unit, result: Result, max_bytes: int, build: bool) -> list[Problem]:
    if unit.root is None:
        out: list[Problem] = []
        for f in unit.files:
            alone = load_file(f, max_bytes=max_bytes)
            out.extend(alone.problems)
            if alone.document is not None:
                out.append(Problem("missing-rulebook", Pos(f, 1, 1)))
        return out
    rb_shown, names = _unit_files(unit)
    entries = _Files([rb_shown, *names], max_bytes)
    focus = None if unit.whole else set(unit.files)
    checked = _check_unit(rb_shown, entries, focus, keep=build)
    result.disabled.update(checked.disabled)
    if checked.rulebook is not None:
        result.rulebooks.append(checked.rulebook)
    if unit.whole:
        result.files = sorted(set(result.files) | set(checked.read) | {rb_shown})
    return checked.problems


def _unit_files(unit: _Unit) -> tuple[str, list[str]]:
    """How rulebook.yaml and each procedure file of the unit is named: as the
    user named it when they did, else by its path under the rulebook folder
    as the user would reach it."""
    assert unit.root is not None
    display = {os.path.realpath(f): f for f in unit.files}
    base = _shown_root(unit)
    rb_real = os.path.realpath(os.path.join(unit.root, RULEBOOK_FILE))
    rb_shown = display.get(rb_real) or os.path.normpath(os.path.join(base, RULEBOOK_FILE))
    names: list[str] = []
    listed: set[str] = {rb_real}
    for f in iter_yaml_files(unit.root, own_only=True):
        real = os.path.realpath(f)
        if real not in listed:
            listed.add(real)
            shown = os.path.normpath(os.path.join(base, os.path.relpath(f, unit.root)))
            names.append(display.get(real, shown))
    # A file named on the command line is checked even where a folder walk
    # would not look (a hidden file, another extension).
    names += [f for real, f in display.items() if real not in listed]
    return rb_shown, names


def _shown_root(unit: _Unit) -> str:
    """The rulebook folder as the user's own paths reach it: the first named
    file's folder, or a folder above it ("sops/night/x.yaml" → "sops")."""
    assert unit.root is not None
    folder = os.path.dirname(unit.files[0]) or "."
    for _ in range(64):
        if os.path.realpath(folder) == unit.root:
            return folder
        parent = os.path.normpath(os.path.join(folder, os.pardir))
        if parent == folder:
            break
        folder = parent
    return unit.root


def _assemble(head: Rulebook, procedures: list[Procedure]) -> Rulebook:
    from dataclasses import replace

    by_id: dict[str, Procedure] = {}
    for proc in procedures:
        by_id.setdefault(proc.id, proc)
    return replace(head, procedures=by_id)


def rulebook_layout(folder: str) -> list[str]:
    """The files of a rulebook folder the validator reads, relative, "/"-separated."""
    files = [RULEBOOK_FILE]
    for path in iter_yaml_files(folder, own_only=True):
        rel = Path(os.path.relpath(path, folder)).as_posix()
        if rel != RULEBOOK_FILE:
            files.append(rel)
    return files


def read_folder(folder: str) -> dict[str, str | Problem]:
    """The text of every file the validator reads in a rulebook folder (or
    why it could not be read), each read once."""
    files: dict[str, str | Problem] = {}
    for rel in rulebook_layout(folder):
        path = os.path.join(folder, *rel.split("/"))
        raw = read_bytes(path)
        files[rel] = decode(raw, path) if isinstance(raw, bytes) else raw
    return files


def load_rulebook(folder: str | os.PathLike[str]) -> Rulebook:
    """Load a rulebook folder for running or rendering; refuse one with errors.
    A folder whose texts were validated before is answered from the cache."""
    folder = str(folder)
    if os.path.isfile(os.path.join(folder, RULEBOOK_FILE)):
        from engine.cache import validated

        result = validated(read_folder(folder), folder)
    else:
        result = validate_paths([folder])
    if result.errors or not result.rulebooks:
        from engine import i18n
        from engine.report import render_text

        problems = render_text(result, i18n.current(), color=False)
        raise RulebookError(RULEBOOK_HAS_ERRORS, problems=problems)
    return result.rulebooks[0]
