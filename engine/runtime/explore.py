"""Simulation of procedures whose values change during a run (LANG2 §3):
the step graph under one assignment is not enough when a step asks again
on every arrival, `set:` changes an input or a guard reads a recorded
field, or a step times out. Such a procedure is explored as states — the step and
every value the run holds — from the start: each arrival tries each answer
the step's `ask` and the fields its guards read can take, its `set:` and
the way out taken change the values, and a step with `timeout:` may also
be left undone by its timeout. The shortest ways through the states that take each
transition (a loop's way back included, so a loop is walked at least
twice) become scenarios, which simulate then runs through the runner.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, assert_never

from engine import expressions
from engine.expressions import analyse
from engine.model import (
    OUTCOME,
    Assign,
    Call,
    Choices,
    End,
    Expr,
    Next,
    Parallel,
    Procedure,
    Rulebook,
    Step,
)
from engine.runtime.values import BadValue, Spec, candidates, parse

MAX_STATES = 4000  # states explored per assignment of the other inputs
MAX_ANSWERS = 64  # answer combinations tried per arrival

State = tuple[str, tuple[tuple[str, Any], ...]]  # the step, and every value held


@dataclass(frozen=True, slots=True)
class Move:
    """One way from a state: the answers given on arriving (inputs and
    recorded fields, as the scenario writes them), the transition taken
    (kind "next" | "choice" | "timeout", its index and target; None for an
    end), the callee's outcome walked to, and the state it leads to."""

    inputs: tuple[tuple[str, Any], ...]
    record: tuple[tuple[str, Any], ...]
    kind: str | None
    index: int
    to: str | None
    outcome: str | None
    after: State | None


def is_dynamic(rulebook: Rulebook, proc: Procedure) -> bool:
    """Whether a run's values change as it goes: `set:`, a guard reading a
    recorded field, a step that asks on every arrival inside a loop, a timeout."""
    if any(True for _ in proc.assigned()):
        return True
    if any(step.timeout is not None for step in proc.steps.values()):
        return True
    fields = rulebook.field_names
    for expr in proc.exprs():
        if expr.kind == "guard" and fields & set(analyse(expr.source, "guard").names):
            return True
    asking = {sid for sid, s in proc.steps.items() if s.ask}
    return bool(asking & _on_cycles(proc))


def _on_cycles(proc: Procedure) -> set[str]:
    """Steps that can be reached again from themselves."""
    edges = {
        sid: [t.name for t in s.targets if t.name in proc.steps] for sid, s in proc.steps.items()
    }
    out: set[str] = set()
    for sid in proc.steps:
        seen: set[str] = set()
        todo = list(edges[sid])
        while todo:
            n = todo.pop()
            if n == sid:
                out.add(sid)
                break
            if n not in seen:
                seen.add(n)
                todo.extend(edges[n])
    return out


class Explorer:
    """The states of one procedure under one assignment of its other inputs."""

    def __init__(
        self,
        rulebook: Rulebook,
        proc: Procedure,
        start: Mapping[str, Any],
        now: datetime,
        constants: Sequence[Any],
    ) -> None:
        self.rulebook = rulebook
        self.proc = proc
        self.now = now
        self.inputs = rulebook.inputs_for(proc)
        self.constants = constants
        read: set[str] = set()
        for expr in proc.exprs():
            read |= set(analyse(expr.source, expr.kind).names)
        self.read_fields = read & rulebook.field_names
        values = {n: i.default for n, i in self.inputs.items() if i.default is not None}
        values.update(start)
        self.first: State = (proc.start.name, _frozen(values))
        self.moves: dict[State, list[Move]] = {}
        self.complete = True

    # ---- values

    def scope(
        self, values: Mapping[str, Any], extra: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        scope = expressions.builtins(self.now)
        scope.update(dict.fromkeys(self.rulebook.field_names))
        scope.update(values)
        if extra:
            scope.update(extra)
        return scope

    def holds(self, expr: Expr | None, scope: Mapping[str, Any]) -> bool:
        if expr is None:
            return True
        try:
            return expressions.truth(expr.source, scope)
        except (expressions.NeedInput, expressions.ExpressionFailed):
            return False

    def assign(
        self,
        values: dict[str, Any],
        assigns: Sequence[Assign],
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        """`set:` as the runner gives it: each value from the values before."""
        scope = self.scope(values, extra)
        new: dict[str, Any] = {}
        for a in assigns:
            inp = self.inputs.get(a.target.name)
            if inp is None:
                continue
            raw: Any = a.raw
            if a.templated:
                try:
                    raw = expressions.render(a.value.source, scope)
                except (expressions.NeedInput, expressions.ExpressionFailed):
                    continue
            try:
                new[inp.name] = (
                    parse(Spec.of_input(inp), raw, self.now) if isinstance(raw, str) else raw
                )
            except BadValue:
                continue
        values.update(new)

    def answers(self, step: Step) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        """Each combination of answers worth trying on arriving at `step`:
        its `ask`, and the fields it records that guards read."""
        axes: list[tuple[str, str, list[Any]]] = []
        for ref in step.ask:
            inp = self.inputs.get(ref.name)
            if inp is not None:
                axes.append(
                    ("input", ref.name, candidates(Spec.of_input(inp), self.constants, self.now))
                )
        for rec in step.record:
            form = self.rulebook.forms.get(rec.form.name)
            if form is None:
                continue
            ids = list(form.fields) if rec.all_fields else [f.name for f in rec.fields]
            for fid in ids:
                name = f"{form.id}.{fid}"
                if name in self.read_fields and fid in form.fields:
                    spec = Spec.of_field(form.fields[fid])
                    axes.append(("field", name, candidates(spec, self.constants, self.now)))
        for combo in itertools.islice(itertools.product(*(a[2] for a in axes)), MAX_ANSWERS):
            inputs = {a[1]: v for a, v in zip(axes, combo, strict=True) if a[0] == "input"}
            fields = {a[1]: v for a, v in zip(axes, combo, strict=True) if a[0] == "field"}
            yield inputs, fields

    # ---- the states

    def explore(self) -> None:
        todo = deque([self.first])
        self.moves[self.first] = []
        while todo:
            state = todo.popleft()
            moves = list(self._moves(state))
            self.moves[state] = moves
            for m in moves:
                if m.after is not None and m.after not in self.moves:
                    if len(self.moves) >= MAX_STATES:
                        self.complete = False
                        continue
                    self.moves[m.after] = []
                    todo.append(m.after)

    def _moves(self, state: State) -> Iterator[Move]:
        sid, frozen = state
        step = self.proc.steps[sid]
        if step.timeout is not None and step.timeout.name in self.proc.steps and step.stops:
            # Left undone past its deadline: nothing answered, nothing set (a
            # run times out at a prompt: a step that asks nothing is left at once).
            to = step.timeout.name
            yield Move((), (), "timeout", 0, to, None, (to, frozen))
        for inputs, fields in self.answers(step):
            values = dict(frozen)
            values.update(inputs)
            values.update(fields)
            self.assign(values, step.set)
            given = (_frozen(inputs), _record_keys(fields))
            way = step.exit
            match way:
                case End():
                    yield Move(*given, None, 0, None, None, None)
                case Choices(choices):
                    scope = self.scope(values)
                    for i, c in enumerate(choices):
                        if self.holds(c.when, scope):
                            after = dict(values)
                            self.assign(after, c.set)
                            yield Move(
                                *given, "choice", i, c.to.name, None, (c.to.name, _frozen(after))
                            )
                case Next(branches) | Parallel(next=Next(branches)):
                    # A parallel's branches are walked beside the run, each
                    # by its shortest way to an end (simulate); here, its own line.
                    yield from self._branch(given, values, branches, None)
                case Call(next=Next(branches)):
                    callee = self.rulebook.procedures.get(way.procedure.name)
                    reads = any(
                        b.when is not None and OUTCOME in analyse(b.when.source, "guard").names
                        for b in branches
                    )
                    outcomes = list(callee.outcomes()) if callee is not None and reads else [None]
                    for outcome in outcomes:
                        yield from self._branch(given, values, branches, outcome)
                case _:
                    assert_never(way)

    def _branch(
        self,
        given: tuple[tuple[tuple[str, Any], ...], tuple[tuple[str, Any], ...]],
        values: dict[str, Any],
        branches: Sequence[Any],
        outcome: str | None,
    ) -> Iterator[Move]:
        extra = {OUTCOME: outcome} if outcome is not None else None
        scope = self.scope(values, extra)
        for i, b in enumerate(branches):
            if self.holds(b.when, scope):
                after = dict(values)
                self.assign(after, b.set, extra)
                yield Move(*given, "next", i, b.to.name, outcome, (b.to.name, _frozen(after)))
                return

    # ---- ways through

    def ends_from(self) -> dict[State, list[tuple[State, Move]]]:
        """For every state that can reach an end, the shortest way to one."""
        back: dict[State, list[tuple[State, Move]]] = {s: [] for s in self.moves}
        out: dict[State, list[tuple[State, Move]]] = {}
        todo: deque[State] = deque()
        for s, moves in self.moves.items():
            for m in moves:
                if m.after is None:
                    if s not in out:
                        out[s] = [(s, m)]
                        todo.append(s)
                elif m.after in back:
                    back[m.after].append((s, m))
        while todo:
            here = todo.popleft()
            for prev, m in back[here]:
                if prev not in out:
                    out[prev] = [(prev, m), *out[here]]
                    todo.append(prev)
        return out

    def paths_from_start(self) -> dict[State, list[tuple[State, Move]]]:
        paths: dict[State, list[tuple[State, Move]]] = {self.first: []}
        todo = deque([self.first])
        while todo:
            here = todo.popleft()
            for m in self.moves.get(here, []):
                if m.after is not None and m.after not in paths:
                    paths[m.after] = [*paths[here], (here, m)]
                    todo.append(m.after)
        return paths


def _frozen(values: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((k, _hashable(v)) for k, v in values.items()))


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _record_keys(fields: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted(fields.items()))
