"""Every name in a rulebook and what it denotes, read from the built model.

Each `Ref` of the model (a `next:` target, a role, a form, a `with:` key…)
and each declaration (a step's key, a role's key in rulebook.yaml…) becomes
an `Occurrence` of a `Target`; the names a guard or a `{{ }}` template reads
are found with the expression language's own lexer. Definitions, references
and rename are then look-ups in this index, for the whole rulebook at once.
An occurrence is kept only where the file's text at its range is the name
itself, so an edit made from it replaces exactly the name.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from engine.lsp.steps import calls
from engine.model import (
    BUILTIN_NAMES,
    FIND_STEP,
    OUTCOME,
    End,
    Expr,
    NeverSay,
    Parallel,
    Procedure,
    Ref,
    Rule,
    Rulebook,
    due_anchors,
)
from engine.problems import Pos

Kind = Literal[
    "procedure",
    "step",
    "role",
    "form",
    "field",
    "input",
    "milestone",
    "outcome",
    "queue",
    "holiday",
    "rule",
]
RENAMABLE: frozenset[Kind] = frozenset(
    {"step", "role", "form", "field", "input", "milestone", "outcome", "queue", "holiday", "rule"}
)


@dataclass(frozen=True, slots=True)
class Target:
    """What a name denotes. `scope` is where it is declared: the procedure's
    file for its steps (a rule table's entries are its steps), milestones,
    outcomes, standing rules and own inputs; the form's id for a field; ""
    for the rulebook's roles, forms, inputs, queues, holidays and standing
    rules, and for procedures (whose ids are unique across the rulebook)."""

    kind: Kind
    scope: str
    name: str


@dataclass(frozen=True, slots=True)
class Occurrence:
    target: Target
    pos: Pos  # the name itself, inside any quotes; end exclusive
    declaration: bool = False


@dataclass
class Index:
    """The occurrences of a rulebook by file (in position order) and by target."""

    by_file: dict[str, list[Occurrence]] = field(default_factory=dict)
    by_target: dict[Target, list[Occurrence]] = field(default_factory=dict)
    procedures: dict[str, Procedure] = field(default_factory=dict)  # by file
    rulebook: Rulebook | None = None

    def at(self, file: str, line: int, col: int) -> Occurrence | None:
        """The occurrence under a cursor (1-based; the column just after the
        name counts, where an editor's cursor rests after typing it)."""
        found = self.by_file.get(file, [])
        i = bisect.bisect_right([(o.pos.line, o.pos.col) for o in found], (line, col))
        for occ in reversed(found[max(0, i - 2) : i]):
            p = occ.pos
            if p.line == line and p.col <= col <= p.end_col:
                return occ
        return None

    def declarations(self, target: Target) -> list[Occurrence]:
        return [o for o in self.by_target.get(target, []) if o.declaration]

    def occurrences(self, target: Target, declaration: bool = True) -> list[Occurrence]:
        return [o for o in self.by_target.get(target, []) if declaration or not o.declaration]

    def procedure_by_id(self, pid: str) -> Procedure | None:
        for proc in self.procedures.values():
            if proc.id == pid:
                return proc
        return None

    def targets(self, kind: Kind, scope: str | None = None) -> list[Target]:
        """The declared targets of a kind (in a scope), in declaration order."""
        return [
            t
            for t, occs in self.by_target.items()
            if t.kind == kind
            and (scope is None or t.scope == scope)
            and any(o.declaration for o in occs)
        ]


def build_index(
    rulebook: Rulebook | None,
    procedures: Mapping[str, Procedure],
    texts: Mapping[str, str],
    cache: dict[tuple[int, ...], tuple[object, ...]] | None = None,
) -> Index:
    """The index of a rulebook: rulebook.yaml's head (roles, forms, inputs)
    and each procedure built, by file; `texts` are the files as they are
    now (an occurrence whose range no longer holds its name is left out).
    `cache`, kept between calls, holds each file's occurrences."""
    index = Index(procedures=dict(procedures), rulebook=rulebook)
    lines = _Lines(texts)
    found: list[Occurrence] = []
    if rulebook is not None:
        found += _exact(_rulebook(rulebook), lines)
    by_id = {p.id: p for p in procedures.values()}
    fresh: dict[tuple[int, ...], tuple[object, ...]] = {}
    for proc in procedures.values():
        # a file's occurrences depend on its model and text, rulebook.yaml's
        # head and the procedures it calls: kept while none of them changed
        callees = [by_id.get(c.procedure.name) for s in proc.steps.values() for c in calls(s)]
        text = texts.get(proc.path)
        held: tuple[object, ...] = (proc, rulebook, text, *callees)
        key = tuple(id(x) for x in held)
        known = cache.get(key) if cache is not None else None
        if known is None:
            occs = _exact(_procedure(proc, rulebook, by_id, lines), lines)
            known = (*held, occs)
        fresh[key] = known
        got = known[-1]
        assert isinstance(got, list)
        found += got
    if cache is not None:
        cache.clear()
        cache.update(fresh)
    for occ in found:
        index.by_file.setdefault(occ.pos.file, []).append(occ)
        index.by_target.setdefault(occ.target, []).append(occ)
    for occs in index.by_file.values():
        occs.sort(key=lambda o: (o.pos.line, o.pos.col))
    return index


def _exact(found: Iterable[Occurrence], lines: _Lines) -> list[Occurrence]:
    out: list[Occurrence] = []
    for occ in found:
        exact = lines.exact(occ.pos, occ.target.name)
        if exact is not None:
            out.append(Occurrence(occ.target, exact, occ.declaration))
    return out


def _rulebook(rb: Rulebook) -> Iterator[Occurrence]:
    for rid, role in rb.roles.items():
        yield Occurrence(Target("role", "", rid), role.pos, True)
    for fid, form in rb.forms.items():
        yield Occurrence(Target("form", "", fid), form.pos, True)
        for name, fld in form.fields.items():
            yield Occurrence(Target("field", fid, name), fld.pos, True)
    for name, inp in rb.inputs.items():
        yield Occurrence(Target("input", "", name), inp.pos, True)
    for qid, queue in rb.queues.items():
        yield Occurrence(Target("queue", "", qid), queue.pos, True)
        for ref in (queue.role, queue.keeper):
            if ref is not None:
                yield Occurrence(Target("role", "", ref.name), ref.pos)
    if rb.site is not None:
        for name, holiday in rb.site.holidays.items():
            yield Occurrence(Target("holiday", "", name), holiday.pos, True)
    yield from _standing(rb.rules, rb.never_say, "", None)


def _standing(
    rules: Sequence[Rule], never_say: Sequence[NeverSay], scope: str, steps_of: str | None
) -> Iterator[Occurrence]:
    """Standing rules (their ids declared in `scope`) and words never to
    say: the posts they bind and, in a procedure (`steps_of`, its file), the
    steps (a table's entries) they are shown at."""
    for rule in rules:
        yield Occurrence(Target("rule", scope, rule.id), rule.pos, True)
    standings: list[Rule | NeverSay] = [*rules, *never_say]
    for standing in standings:
        for ref in standing.roles:
            yield Occurrence(Target("role", "", ref.name), ref.pos)
        if steps_of is not None:
            for ref in standing.steps:
                yield Occurrence(Target("step", steps_of, ref.name), ref.pos)


def input_target(name: str, proc: Procedure | None, rb: Rulebook | None) -> Target:
    """What an input name means in a procedure: its own input, else the rulebook's."""
    if proc is not None and name in proc.inputs:
        return Target("input", proc.path, name)
    if rb is not None and name in rb.inputs:
        return Target("input", "", name)
    return Target("input", proc.path if proc is not None else "", name)


def _procedure(
    proc: Procedure, rb: Rulebook | None, by_id: Mapping[str, Procedure], lines: _Lines
) -> Iterator[Occurrence]:
    here = proc.path

    def step(ref: Ref) -> Occurrence:
        return Occurrence(Target("step", here, ref.name), ref.pos)

    def role(ref: Ref) -> Occurrence:
        return Occurrence(Target("role", "", ref.name), ref.pos)

    def inp(ref: Ref) -> Occurrence:
        return Occurrence(input_target(ref.name, proc, rb), ref.pos)

    yield Occurrence(Target("procedure", "", proc.id), proc.pos, True)
    for name, i in proc.inputs.items():
        yield Occurrence(Target("input", here, name), i.pos, True)
    for name, m in proc.milestones.items():
        yield Occurrence(Target("milestone", here, name), m.pos, True)
    for name, o in proc.declared_outcomes.items():
        yield Occurrence(Target("outcome", here, name), o.pos, True)
    # without `outcomes:` (the first edition) each `end:` declares its outcome
    ends_declare = not proc.declared_outcomes
    yield step(proc.start)
    yield from map(role, proc.roles)
    yield from map(inp, proc.subject)
    for esc in proc.escalate:
        yield role(esc.tell)
    entry_never = [n for e in proc.entries for n in e.never_say]
    yield from _standing(proc.rules, (*proc.never_say, *entry_never), here, here)
    holidays = rb.site.holidays if rb is not None and rb.site is not None else {}
    for sched in proc.schedule:
        for _, ref in sched.refs():
            if ref.name in holidays:
                yield Occurrence(Target("holiday", "", ref.name), ref.pos)
    for sid, s in proc.steps.items():
        yield Occurrence(Target("step", here, sid), s.pos, True)
        yield from map(role, s.roles)
        for item in (*s.do, *s.say):
            yield from map(role, item.roles)
        yield from map(inp, s.ask)
        if s.turn is not None:
            yield Occurrence(Target("queue", "", s.turn.queue.name), s.turn.queue.pos)
            if s.turn.binds is not None:
                yield inp(s.turn.binds)
        for rec in s.record:
            yield Occurrence(Target("form", "", rec.form.name), rec.form.pos)
            for f in rec.fields:
                yield Occurrence(Target("field", rec.form.name, f.name), f.pos)
        if sid != FIND_STEP:  # a table's first step leads to every entry: not written
            yield from map(step, s.targets)
        for way in s.ways:
            if isinstance(way, End) and way.pos is not None:
                yield Occurrence(Target("outcome", here, way.outcome), way.pos, ends_declare)
            if isinstance(way, Parallel) and way.at is not None:  # where the branches join
                yield step(way.at)
        for call in calls(s):
            callee = by_id.get(call.procedure.name)
            yield Occurrence(Target("procedure", "", call.procedure.name), call.procedure.pos)
            for key, _ in call.args:
                yield Occurrence(input_target(key.name, callee, rb), key.pos)
            scope = callee.path if callee is not None else ""
            for branch in call.next.branches:
                if branch.when is not None:
                    for name, pos in outcomes_in(branch.when, lines):
                        yield Occurrence(Target("outcome", scope, name), pos)
        if s.milestone is not None:
            yield Occurrence(Target("milestone", here, s.milestone.name), s.milestone.pos)
        if s.milestone_from is not None:
            yield from _form_field(s.milestone_from.name, s.milestone_from.pos, lines)
        for anchor in due_anchors(s.due):
            yield Occurrence(Target("milestone", here, anchor.name), anchor.pos)
        for esc in s.escalate or ():
            yield role(esc.tell)
    for _, assign in proc.assigned():  # `set:` names the inputs it gives values to
        yield inp(assign.target)
    for expr in proc.exprs():
        for name, pos in names_in(expr, lines):
            if "." in name:  # `form.field`: the latest value recorded
                yield from _form_field(name, pos, lines, spanned=True)
            elif name not in BUILTIN_NAMES and name != OUTCOME:
                yield Occurrence(input_target(name, proc, rb), pos)


def _form_field(name: str, pos: Pos, lines: _Lines, spanned: bool = False) -> Iterator[Occurrence]:
    """`form.field` written at `pos` (`spanned`: from the form's first letter
    to the field's last, as `names_in` gives it, spaces around the dot
    allowed): the form, then the field of that form."""
    form, _, fld = name.partition(".")
    whole = pos if spanned else lines.exact(pos, name)
    if whole is None:
        return
    yield Occurrence(
        Target("form", "", form),
        Pos(pos.file, whole.line, whole.col, whole.line, whole.col + len(form)),
    )
    yield Occurrence(
        Target("field", form, fld),
        Pos(pos.file, whole.end_line, whole.end_col - len(fld), whole.end_line, whole.end_col),
    )


def names_in(expr: Expr, lines: _Lines) -> Iterator[tuple[str, Pos]]:
    """The free names a guard or template reads, each where the file writes
    it: the scalar's text is run through the expression language's lexer
    (strings, filters and attributes are not names; `form.field` is one
    name, from the form's first letter to the field's last)."""
    from engine.expressions import analyse

    free = analyse(expr.source, expr.kind).names
    if not free:
        return
    span = lines.scalar(expr.pos, expr.style)
    if span is None:
        return
    text, line, col = span
    for name, offset, length in _name_offsets(text, expr.kind == "guard", frozenset(free)):
        yield name, _advance(expr.pos.file, text, offset, line, col, length)


def outcomes_in(expr: Expr, lines: _Lines) -> Iterator[tuple[str, Pos]]:
    """The outcomes a caller's guard compares `outcome` with (`outcome ==
    'escalated'`, `outcome in ['a', 'b']`), each where the file writes it
    (inside its quotes). Which literals are compared with `outcome` is read
    from the guard's tree, where they are written from its tokens."""
    from engine.expressions import Compare, Const, List, Name, Tuple, guard_tree, walk

    if OUTCOME not in expr.source:
        return
    tree = guard_tree(expr.source)
    if tree is None:
        return
    values: set[str] = set()
    for node in walk(tree):
        if not isinstance(node, Compare):
            continue
        sides = [node.left, *(op.right for op in node.ops)]
        if not any(isinstance(x, Name) and x.name == OUTCOME for x in sides):
            continue
        for x in sides:
            for c in x.items if isinstance(x, List | Tuple) else (x,):
                if isinstance(c, Const) and isinstance(c.value, str):
                    values.add(c.value)
    if not values:
        return
    span = lines.scalar(expr.pos, expr.style)
    if span is None:
        return
    text, line, col = span
    for value, offset in _literal_offsets(text, frozenset(values)):
        yield value, _advance(expr.pos.file, text, offset, line, col, len(value))


@lru_cache(maxsize=65536)
def _name_offsets(text: str, guard: bool, free: frozenset[str]) -> tuple[tuple[str, int, int], ...]:
    """Where in `text` each of the `free` names is read, and its length
    (kept per text: a file's unchanged guards and templates are not lexed
    again)."""
    from engine.expressions import environment

    found: list[tuple[str, int, int]] = []
    try:
        tokens: list[tuple[str, str, int]] = []  # (kind, value, offset), no whitespace
        offset = 0
        lexed = environment().lexer.tokeniter(text, None, state="variable" if guard else None)
        for _, token, value in lexed:
            if token != "whitespace":
                tokens.append((token, value, offset))
            offset += len(value)
    except Exception:  # a broken expression: its problem is the validator's to report
        return ()
    for i, (token, value, at) in enumerate(tokens):
        if token != "name" or (i and tokens[i - 1][1] in ("|", ".")):
            continue
        if i + 2 < len(tokens) and tokens[i + 1][1] == "." and tokens[i + 2][0] == "name":
            dotted = f"{value}.{tokens[i + 2][1]}"
            if dotted in free:
                last = tokens[i + 2]
                found.append((dotted, at, last[2] + len(last[1]) - at))
            continue
        if value in free:
            found.append((value, at, len(value)))
    return tuple(found)


@lru_cache(maxsize=16384)
def _literal_offsets(text: str, values: frozenset[str]) -> tuple[tuple[str, int], ...]:
    """Where in a guard's `text` each string literal among `values` is
    written: the offset just inside its quote (a literal written with
    escapes is left out: its text is not the value)."""
    from engine.expressions import environment

    found: list[tuple[str, int]] = []
    offset = 0
    try:
        for _, token, raw in environment().lexer.tokeniter(text, None, state="variable"):
            if token == "string" and raw[1:-1] in values:
                found.append((raw[1:-1], offset + 1))
            offset += len(raw)
    except Exception:  # a broken guard: the validator's to report
        return ()
    return tuple(found)


def _advance(file: str, text: str, offset: int, line: int, col: int, length: int) -> Pos:
    """The position `offset` characters into `text`, which starts at line:col."""
    before = text[:offset]
    newlines = before.count("\n")
    if newlines:
        line += newlines
        col = offset - before.rfind("\n")
    else:
        col += offset
    return Pos(file, line, col, line, col + length)


class _Lines:
    """The files' lines, split once, to check and trim positions."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        self._texts = texts
        self._lines: dict[str, list[str]] = {}

    def of(self, file: str) -> list[str]:
        got = self._lines.get(file)
        if got is None:
            got = self._texts.get(file, "").split("\n")
            self._lines[file] = got
        return got

    def exact(self, pos: Pos, name: str) -> Pos | None:
        """`pos` narrowed to the name inside any quotes, or None when the
        text there is not the name (a position that fell back to a parent)."""
        lines = self.of(pos.file)
        if not 1 <= pos.line <= len(lines):
            return None
        src = lines[pos.line - 1]
        start = pos.col - 1
        if src[start : start + 1] in ("'", '"'):
            start += 1
        if src[start : start + len(name)] != name:
            return None
        end = start + len(name)
        if src[end : end + 1].isalnum() or src[end : end + 1] in ("_", "-"):
            return None
        return Pos(pos.file, pos.line, start + 1, pos.line, end + 1)

    def scalar(self, pos: Pos, style: str) -> tuple[str, int, int] | None:
        """A scalar's text as the file writes it (inside quotes; a block
        scalar from the line after its header) with where it starts."""
        lines = self.of(pos.file)
        end_line = pos.end_line or pos.line
        if not 1 <= pos.line <= end_line <= len(lines):
            return None
        if style in ("|", ">"):
            line, col = pos.line + 1, 1
            if line > end_line:
                return None
            end_col = pos.end_col if end_line > pos.line else 1
        else:
            line, col, end_col = pos.line, pos.col, pos.end_col
            if style in ("'", '"'):
                col += 1
                end_col -= 1
        parts: list[str] = []
        for n in range(line, end_line + 1):
            src = lines[n - 1]
            a = col - 1 if n == line else 0
            b = end_col - 1 if n == end_line else len(src)
            parts.append(src[a:b])
        return "\n".join(parts), line, col
