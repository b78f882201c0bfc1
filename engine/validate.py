"""The validation pipeline: files → load → schema → build → checks → Problems.

A folder of procedures with its rulebook.yaml is validated as one unit, since
procedures refer to each other and to the rulebook; when only some files are
asked for, the whole folder is still read but only their problems are
reported (with rulebook.yaml's when it is broken).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.errors import RulebookError
from engine.model import Procedure, Rulebook
from engine.paths import RULEBOOK_FILE, find_root, iter_yaml_files
from engine.paths import expand as paths_expand
from engine.problems import Pos, Problem, Severity, with_severity
from engine.source import MAX_FILE_BYTES, Document, load_file

__all__ = ["RULEBOOK_FILE", "Result", "find_root", "load_rulebook", "validate_paths"]
_EXIT_KEYS = frozenset({"next", "choices", "call", "end", "with"})
_REFERENCING_KEYS = frozenset(
    {"inputs", "roles", "role", "say", "do", "next", "choices", "ask", "with", "text", "when"}
)


def _untrusted_rules(paths: list[tuple[Any, ...]]) -> set[str]:
    """Rules whose findings may be artefacts of pruning these paths away."""
    rules: set[str] = set()
    for path in paths:
        keys = {str(k) for k in path}
        if not path or (
            path[0] in ("start", "steps") and (len(path) <= 2 or path[2] in _EXIT_KEYS)
        ):
            rules |= {"one-way-out", "otherwise-last", "unreachable-step", "dead-end"}
        if not path or keys & _REFERENCING_KEYS or (path[0] == "steps" and len(path) <= 2):
            rules |= {"unused-input", "unused-role"}
        if not path or path[0] == "id":
            rules.add("id-mismatch")
        if not path or path[0] in ("version", "document"):
            rules.add("revision-version")
        if not path or path[0] in ("trigger", "kind"):
            rules.add("emergency-trigger")
    return rules


@dataclass
class Result:
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    rulebooks: list[Rulebook] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(p.severity is Severity.ERROR for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.severity is Severity.WARNING for p in self.problems)


def expand(paths: Iterable[str]) -> tuple[list[str], list[Problem]]:
    files, missing = paths_expand(paths)
    return files, [Problem("not-a-file", Pos(p, 1, 1), {}, "missing") for p in missing]


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


def validate_paths(paths: Iterable[str], max_bytes: int = MAX_FILE_BYTES) -> Result:
    paths = list(paths)
    files, problems = expand(paths)
    folders = {p for p in paths if os.path.isdir(p)}
    result = Result(problems=problems, files=list(files))
    for unit in _group(files, folders):
        result.problems.extend(_validate_unit(unit, result, max_bytes))
    result.problems = sorted((with_severity(p) for p in result.problems), key=Problem.sort_key)
    result.problems = _apply_lint_disable(result.problems, result.rulebooks)
    return result


def _apply_lint_disable(problems: list[Problem], rulebooks: list[Rulebook]) -> list[Problem]:
    disabled: dict[str, frozenset[str]] = {}
    for rb in rulebooks:
        for proc in rb.procedures.values():
            if proc.lint_disable:
                disabled[proc.path] = proc.lint_disable
    return [
        p
        for p in problems
        if not (p.severity is Severity.WARNING and p.rule in disabled.get(p.pos.file, ()))
    ]


@dataclass
class _Loaded:
    docs: dict[str, Document] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    built: list[Procedure] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    head: Rulebook | None = None
    head_ok: bool = False
    pruned: dict[str, set[str]] = field(default_factory=dict)  # file -> rules not to trust
    pruned_steps: dict[str, set[str]] = field(default_factory=dict)  # file -> step ids
    unbuilt: int = 0  # procedure files that could not be built at all


def _load_unit(
    root: str, display: dict[str, str], wanted: list[str] | None, max_bytes: int
) -> _Loaded:
    """Read rulebook.yaml and the procedure files of `root`: all of them, or
    only `wanted` plus what they need (procedures they call, files of the
    same name that could clash), so checking one file stays cheap."""
    from engine import schema

    out = _Loaded()
    keys = schema.known_keys()
    rb_path = os.path.join(root, RULEBOOK_FILE)
    others = [
        os.path.normpath(f)
        for f in iter_yaml_files(root, own_only=True)
        if os.path.realpath(f) != os.path.realpath(rb_path)
    ]
    by_stem: dict[str, list[str]] = {}
    for f in others:
        by_stem.setdefault(Path(f).stem, []).append(f)
    out.ids.update(by_stem)
    _load_one(rb_path, True, keys, display, out, max_bytes)
    if wanted is None:
        for f in others:
            _load_one(f, False, keys, display, out, max_bytes)
        return out
    wanted_real = {os.path.realpath(w) for w in wanted}
    todo = [f for f in others if os.path.realpath(f) in wanted_real]
    todo += [
        f
        for f in others
        if os.path.realpath(f) not in wanted_real
        and any(Path(f).stem == Path(w).stem for w in wanted)
    ]
    done: set[str] = set()
    while todo:
        f = todo.pop(0)
        if f in done:
            continue
        done.add(f)
        before = len(out.built)
        _load_one(f, False, keys, display, out, max_bytes)
        for proc in out.built[before:]:
            for step in proc.steps.values():
                if step.call:
                    todo.extend(by_stem.get(step.call.procedure.name, ()))
    return out


def _load_one(
    real: str,
    is_rulebook: bool,
    keys: frozenset[str],
    display: dict[str, str],
    out: _Loaded,
    max_bytes: int = MAX_FILE_BYTES,
) -> None:
    from engine import schema
    from engine.build import build_procedure, build_rulebook_head

    shown = display.get(os.path.realpath(real), real)
    loaded = load_file(real, keys, max_bytes)
    loaded_problems = [_rename(p, shown) for p in loaded.problems]
    out.problems.extend(loaded_problems)
    doc = loaded.document
    if doc is None:
        if not is_rulebook:
            out.unbuilt += 1
        return
    doc.path = shown
    out.docs[shown] = doc
    schema_problems, bad_paths = schema.validate_with_paths(
        doc, "rulebook" if is_rulebook else "sop"
    )
    out.problems.extend(schema_problems)
    if is_rulebook:
        if not schema_problems:
            out.head = build_rulebook_head(doc)
            out.head_ok = not any(p.rule != "stray-character" for p in loaded_problems)
        return
    data: Any = doc.data
    pid = data.get("id") if isinstance(data, dict) else None
    if isinstance(pid, str):
        out.ids.add(pid)
    if not schema_problems:
        out.built.append(build_procedure(doc))
        return
    # Check the rest of the file too: build from a copy without the bad nodes.
    pruned = schema.prune(data, bad_paths)
    if pruned is not None and schema.is_valid(pruned, "sop"):
        out.built.append(build_procedure(_replace_data(doc, pruned)))
        out.pruned[shown] = _untrusted_rules(bad_paths)
        out.pruned_steps[shown] = {str(p[1]) for p in bad_paths if len(p) == 2 and p[0] == "steps"}
    else:
        out.unbuilt += 1


def _replace_data(doc: Document, data: Any) -> Document:
    return Document(doc.path, doc.text, data, doc.marks, doc.key_marks)


def _rename(p: Problem, shown: str) -> Problem:
    if p.pos.file == shown:
        return p
    pos = Pos(shown, p.pos.line, p.pos.col, p.pos.end_line, p.pos.end_col)
    return Problem(p.rule, pos, {**p.args, "file": shown}, p.variant)


def _validate_unit(unit: _Unit, result: Result, max_bytes: int) -> list[Problem]:
    from engine.checks import Context, run_all

    if unit.root is None:
        out: list[Problem] = []
        for f in unit.files:
            alone = load_file(f, max_bytes=max_bytes)
            out.extend(alone.problems)
            if alone.document is not None:
                out.append(Problem("missing-rulebook", Pos(f, 1, 1)))
        return out
    display = {os.path.realpath(f): f for f in unit.files}
    rb_real = os.path.realpath(os.path.join(unit.root, RULEBOOK_FILE))
    rb_shown = display.get(rb_real) or _shown_rulebook(unit)
    display[rb_real] = rb_shown
    loaded = _load_unit(unit.root, display, None if unit.whole else unit.files, max_bytes)
    problems = list(loaded.problems)
    if loaded.head is not None and loaded.head_ok:
        rulebook = _assemble(loaded.head, loaded.built)
        complete = not loaded.pruned and not loaded.unbuilt
        if complete:
            result.rulebooks.append(rulebook)
        ctx = Context(
            rulebook,
            tuple(loaded.built),
            frozenset(loaded.ids),
            {k: d.text for k, d in loaded.docs.items()},
            unit.whole and complete,
        )
        problems.extend(
            p
            for p in run_all(ctx)
            # Pruning removed evidence: only local checks stay trustworthy there.
            if p.rule not in loaded.pruned.get(p.pos.file, ())
            and not (
                p.rule == "unknown-step"
                and p.args.get("name") in loaded.pruned_steps.get(p.pos.file, ())
            )
        )
    if unit.whole:
        result.files = sorted(set(result.files) | set(loaded.docs) | {rb_shown})
        return problems
    wanted = set(unit.files)
    rb_broken = loaded.head is None or not loaded.head_ok
    return [p for p in problems if p.pos.file in wanted or (rb_broken and p.pos.file == rb_shown)]


def _shown_rulebook(unit: _Unit) -> str:
    """Show rulebook.yaml relative to how the user named the procedure files."""
    assert unit.root is not None
    first = unit.files[0]
    folder = os.path.dirname(first) or "."
    candidate = os.path.join(folder, RULEBOOK_FILE)
    if os.path.realpath(candidate) == os.path.realpath(os.path.join(unit.root, RULEBOOK_FILE)):
        return os.path.normpath(candidate)
    return os.path.join(unit.root, RULEBOOK_FILE)


def _assemble(head: Rulebook, procedures: list[Procedure]) -> Rulebook:
    from dataclasses import replace

    by_id: dict[str, Procedure] = {}
    for proc in procedures:
        by_id.setdefault(proc.id, proc)
    return replace(head, procedures=by_id)


def load_rulebook(folder: str | os.PathLike[str]) -> Rulebook:
    """Load a rulebook folder for running or rendering; refuse one with errors."""
    folder = str(folder)
    result = validate_paths([folder])
    if result.errors or not result.rulebooks:
        from engine.report import render_text

        raise RulebookError(render_text(result, "zh", color=False))
    return result.rulebooks[0]
