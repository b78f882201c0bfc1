"""Simulation: scenarios that together take every transition, run for real.

For a procedure, the inputs its guards read are given candidate values (each
boolean both ways, each option, the constants the guards compare against);
for each combination the step graph that results is walked: an automatic
`next` goes where its first true branch goes, a choice step may take any
choice whose guard holds. Each transition not yet covered gets a scenario —
the shortest way from the start to it and on to an end — until every
transition is covered or no combination reaches the rest. A combination
under which some reachable step cannot reach an end (a choice step with
every choice hidden, a loop with no way out) is a dead end, and fails.

The scenarios then run through the same runner staff use (scenario driver,
in-memory journal), and coverage is counted from what the journal recorded,
not from the plan.
"""

from __future__ import annotations

import contextlib
import itertools
import random
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, assert_never

from engine import expressions
from engine.expressions import Const, analyse, guard_tree, walk
from engine.i18n import Lang, messages
from engine.journal import Event
from engine.model import (
    OUTCOME,
    Call,
    Choices,
    End,
    Expr,
    Next,
    Parallel,
    Procedure,
    Ref,
    Rulebook,
    Step,
)
from engine.runtime.events import (
    AnswerCorrected,
    BranchTaken,
    CallReturned,
    CallStarted,
    ChoiceMade,
    EvidenceAttached,
    FieldRecorded,
    InputAnswered,
    ItemChecked,
    LaneEnded,
    LaneStarted,
    LaneSwitched,
    MilestoneReached,
    NoteAdded,
    NoticeFailed,
    NoticeSending,
    NoticeSent,
    PeopleSigned,
    RunContinued,
    RunFinished,
    RunInterrupted,
    RunPaused,
    RunResumed,
    RunStarted,
    RunWarning,
    StepEntered,
    StepTimedOut,
    TurnTaken,
    ValueSet,
    read,
)
from engine.runtime.pinning import Pinned
from engine.runtime.values import BadValue, Spec, candidates, parse, sample
from engine.schedule import describe

MAX_COMBINATIONS = 2048
BASE_TIME = datetime(2026, 11, 23, 10, 0).astimezone()  # a Monday morning


@dataclass(frozen=True, slots=True, order=True)
class Edge:
    procedure: str
    step: str
    kind: str  # "next" (automatic, or after a call returns) | "choice"
    index: int
    to: str

    def label(self, proc: Procedure) -> str:
        if self.kind == "timeout":
            return "超时"
        if self.kind == "join":
            return "汇合"
        way = proc.steps[self.step].exit
        match way:
            case Choices(choices):
                return choices[self.index].label
            case Parallel(lanes) if self.kind == "lane":
                lane = lanes[self.index]
                return f"同时: {lane.name}" if isinstance(lane, Ref) else ""
            case Next(branches) | Call(next=Next(branches)) | Parallel(next=Next(branches)):
                branch = branches[self.index]
                return branch.label or (branch.when.source if branch.when else "")
            case End():
                return ""
            case _:
                assert_never(way)


def _ways(step: Step) -> list[tuple[str, int, Expr | None, str]]:
    """A step's transitions: (kind, index, guard, target), as the runner
    journals them ("next" for a branch, also after a call returns)."""
    way = step.exit
    match way:
        case Next(branches) | Call(next=Next(branches)):
            return [("next", i, b.when, b.to.name) for i, b in enumerate(branches)]
        case Parallel(lanes, _, Next(branches)):
            # A `to:` branch starting is a transition of its own (journaled
            # as lane.started); it is walked beside the run's own line.
            started = [
                ("lane", i, None, lane.name)
                for i, lane in enumerate(lanes)
                if isinstance(lane, Ref)
            ]
            return [*started, *(("next", i, b.when, b.to.name) for i, b in enumerate(branches))]
        case Choices(choices):
            return [("choice", i, c.when, c.to.name) for i, c in enumerate(choices)]
        case End():
            return []
        case _:
            assert_never(way)


def edges_of(proc: Procedure) -> list[Edge]:
    out: list[Edge] = []
    for sid, step in proc.steps.items():
        out += [Edge(proc.id, sid, kind, i, to) for kind, i, _, to in _ways(step)]
        if step.timeout is not None and step.timeout.name in proc.steps:
            out.append(Edge(proc.id, sid, "timeout", 0, step.timeout.name))
    return out + joins_of(proc)


def joins_of(proc: Procedure) -> list[Edge]:
    """The mid-run joins (`parallel: {at}`): fork step → the step where its
    line waits for the branches. Taken when that line arrives there."""
    return [
        Edge(proc.id, sid, "join", 0, step.exit.at.name)
        for sid, step in proc.steps.items()
        if isinstance(step.exit, Parallel)
        and step.exit.at is not None
        and step.exit.at.name in proc.steps
    ]


def _joins_on(proc: Procedure, path: Iterable[Edge]) -> set[Edge]:
    """The joins a planned path takes: along its fork's `next`, on to `at`."""
    wanted = {(j.step, j.to): j for j in joins_of(proc)}
    open_: set[Edge] = set()
    out: set[Edge] = set()
    for e in path:
        for j in list(open_):
            if e.to == j.to or e.step == j.to:
                out.add(j)
                open_.discard(j)
        if e.kind == "next":
            way = proc.steps[e.step].exit
            if isinstance(way, Parallel) and way.at is not None:
                joined = wanted.get((e.step, way.at.name))
                if joined is not None:
                    open_.add(joined)
                    if e.to == joined.to:
                        out.add(joined)
    return out


@dataclass
class Plan:
    procedure: str
    scenarios: list[dict[str, Any]] = field(default_factory=list)
    assignments: list[dict[str, Any]] = field(default_factory=list)
    uncovered: list[Edge] = field(default_factory=list)
    # The steps a run gets trapped in (a choice step with nothing to choose, a
    # loop with no way out), with the inputs that trap it.
    dead_ends: list[tuple[tuple[str, ...], dict[str, Any]]] = field(default_factory=list)
    total: int = 0
    # Conditional records (step, form, filled?) the scenarios were planned to take.
    records: set[tuple[str, str, bool]] = field(default_factory=set)


# ---------------------------------------------------------------- candidate values


def _guards(proc: Procedure) -> list[Expr]:
    out: list[Expr] = []
    for step in proc.steps.values():
        out += [when for _, _, when, _ in _ways(step) if when]
        out += [i.when for i in (*step.say, *step.do) if i.when]
        out += [r.when for r in step.record if r.when]
    return out


def conditional_records(proc: Procedure) -> list[tuple[str, str]]:
    """The (step, form) of each record written with `when:`: a simulation
    fills each in once and leaves it once."""
    return [(sid, r.form.name) for sid, st in proc.steps.items() for r in st.record if r.when]


def _constants(exprs: Sequence[Expr]) -> list[Any]:
    found: list[Any] = []
    for expr in exprs:
        tree = guard_tree(expr.source)
        if tree is None:  # the validator reports syntax; nothing to learn here
            continue
        found += [n.value for n in walk(tree) if isinstance(n, Const)]
    return found


def _clock_candidates(names: set[str], constants: Sequence[Any]) -> list[datetime]:
    """Times of day (and days of the week) that the guards distinguish."""
    times = [BASE_TIME]
    numbers = [c for c in constants if isinstance(c, int) and not isinstance(c, bool)]
    if "hour" in names:
        times += [
            BASE_TIME.replace(hour=h) for n in numbers for h in (n - 1, n, n + 1) if 0 <= h <= 23
        ]
    if "weekday" in names:
        times += [BASE_TIME + timedelta(days=d - 1) for d in numbers if 1 <= d <= 7]
    if "now" in names:
        for c in constants:
            if isinstance(c, str) and len(c) == 5 and c[2] == ":" and c.replace(":", "").isdigit():
                h, m = int(c[:2]), int(c[3:])
                if h < 24 and m < 60:
                    at = BASE_TIME.replace(hour=h, minute=m)
                    times += [at - timedelta(minutes=1), at]
    unique: list[datetime] = []
    for t in times:
        if t not in unique:
            unique.append(t)
    return unique


def _combinations(axes: Sequence[Sequence[Any]], limit: int) -> Iterator[tuple[Any, ...]]:
    """Every combination when there are few; else the first values, each value
    of each axis alone, then a fixed random sample."""
    size = 1
    for axis in axes:
        size *= max(len(axis), 1)
    if size <= limit:
        yield from itertools.product(*axes)
        return
    base = tuple(axis[0] for axis in axes)
    yield base
    seen = {base}
    for i, axis in enumerate(axes):
        for value in axis[1:]:
            combo = (*base[:i], value, *base[i + 1 :])
            if combo not in seen:
                seen.add(combo)
                yield combo
    rng = random.Random(20261122)
    while len(seen) < limit:
        combo = tuple(rng.choice(list(axis)) for axis in axes)
        if combo not in seen:
            seen.add(combo)
            yield combo


# ---------------------------------------------------------------- the graph under one assignment


@dataclass
class _World:
    rulebook: Rulebook
    proc: Procedure
    values: dict[str, Any]
    now: datetime

    def scope(self) -> dict[str, Any]:
        scope = expressions.builtins(self.now)
        inputs = self.rulebook.inputs_for(self.proc)
        scope.update({n: i.default for n, i in inputs.items() if i.default is not None})
        scope.update(self.values)
        return scope

    def holds(self, expr: Expr | None, scope: Mapping[str, Any]) -> bool:
        if expr is None:
            return True
        try:
            return expressions.truth(expr.source, scope)
        except (expressions.NeedInput, expressions.ExpressionFailed):
            return False

    def graph(self) -> dict[str, list[Edge]]:
        scope = self.scope()
        out: dict[str, list[Edge]] = {}
        for sid, step in self.proc.steps.items():
            taken: list[Edge] = []
            for kind, i, when, to in _ways(step):
                if self.holds(when, scope):
                    taken.append(Edge(self.proc.id, sid, kind, i, to))
                    if kind == "next":  # the first branch that holds is taken
                        break
            out[sid] = taken
        return out


def _paths_from(start: str, graph: Mapping[str, list[Edge]]) -> dict[str, list[Edge]]:
    """Shortest edge path from `start` to every step it reaches."""
    paths: dict[str, list[Edge]] = {start: []}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        for e in graph.get(here, []):
            if e.to not in paths:
                paths[e.to] = [*paths[here], e]
                queue.append(e.to)
    return paths


def _ways_out(
    proc: Procedure, graph: Mapping[str, list[Edge]], outcome: str | None = None
) -> dict[str, list[Edge]]:
    """For every step that can reach an `end` (with `outcome`, when given),
    the shortest edge path to one."""
    back: dict[str, list[Edge]] = {sid: [] for sid in proc.steps}
    for edges in graph.values():
        for e in edges:
            if e.kind != "lane":  # a branch starting is no way on for the line that starts it
                back[e.to].append(e)
    ends = [
        sid
        for sid, s in proc.steps.items()
        if isinstance(s.exit, End) and outcome in (None, s.exit.outcome)
    ]
    out: dict[str, list[Edge]] = {sid: [] for sid in ends}
    queue = deque(ends)
    while queue:
        here = queue.popleft()
        for e in back[here]:
            if e.step not in out:
                out[e.step] = [e, *out[here]]
                queue.append(e.step)
    return out


def _traps(trapped: set[str], graph: Mapping[str, list[Edge]]) -> list[tuple[str, ...]]:
    """Where runs that cannot reach an end get stuck: the sink components of
    the trapped steps (a step with no way out, or a loop with no exit), not
    the steps on the way there."""

    def reach(start: str) -> set[str]:
        seen, todo = {start}, [start]
        while todo:
            for e in graph.get(todo.pop(), []):
                if e.to in trapped and e.to not in seen:
                    seen.add(e.to)
                    todo.append(e.to)
        return seen

    reaches = {sid: reach(sid) for sid in trapped}
    sinks = {
        frozenset(r) for sid, r in reaches.items() if all(sid in reaches[other] for other in r)
    }
    return sorted(tuple(sorted(s)) for s in sinks)


def _records_on(world: _World, path: Sequence[Edge]) -> set[tuple[str, str, bool]]:
    """The conditional records a path passes, each filled in or left under
    the world's values."""
    proc = world.proc
    steps = {proc.start.name, *(e.to for e in path)}
    scope = world.scope()
    return {
        (sid, r.form.name, world.holds(r.when, scope))
        for sid in steps
        if sid in proc.steps
        for r in proc.steps[sid].record
        if r.when is not None
    }


# ---------------------------------------------------------------- planning


class Planner:
    def __init__(self, rulebook: Rulebook) -> None:
        self.rulebook = rulebook

    def axes(self, proc: Procedure) -> tuple[list[str], list[list[Any]], list[datetime]]:
        guards = _guards(proc)
        names: set[str] = set()
        for g in guards:
            names.update(analyse(g.source, "guard").names)
        constants = _constants(guards)
        inputs = self.rulebook.inputs_for(proc)
        varied = [n for n in inputs if n in names and inputs[n].default is None]
        axes = [candidates(Spec.of_input(inputs[n]), constants, BASE_TIME) for n in varied]
        returned = self._returned(proc) if OUTCOME in names else []
        if returned:  # each way a called procedure can end, for the caller's next
            varied.append(OUTCOME)
            axes.append(returned)
        return varied, axes, _clock_candidates(names, constants)

    def _returned(self, proc: Procedure) -> list[str]:
        """The outcomes the procedures `proc` calls can end with."""
        out: list[str] = []
        for step in proc.steps.values():
            for call in step.calls:
                callee = self.rulebook.procedures.get(call.procedure.name)
                for name in callee.outcomes() if callee else ():
                    if name not in out:
                        out.append(name)
        return out

    def base_values(self, proc: Procedure) -> dict[str, Any]:
        """A value for every input the procedure may ask (guards vary some of them)."""
        inputs = self.rulebook.inputs_for(proc)
        return {
            n: sample(Spec.of_input(i), BASE_TIME) for n, i in inputs.items() if i.default is None
        }

    def plan(self, proc: Procedure) -> Plan:
        from engine.runtime.explore import is_dynamic

        if is_dynamic(self.rulebook, proc):
            return self.plan_states(proc)
        plan = Plan(proc.id)
        wanted = set(edges_of(proc))
        plan.total = len(wanted)
        covered: set[Edge] = set()
        dead: set[tuple[str, ...]] = set()
        varied, axes, clocks = self.axes(proc)
        base = self.base_values(proc)
        for combo in _combinations([*axes, clocks], MAX_COMBINATIONS):
            values = {**base, **dict(zip(varied, combo[:-1], strict=True))}
            world = _World(self.rulebook, proc, values, combo[-1])
            graph = world.graph()
            reach = _paths_from(proc.start.name, graph)
            out = _ways_out(proc, graph)
            for trap in _traps(set(reach) - set(out), graph):
                if trap not in dead:
                    dead.add(trap)
                    plan.dead_ends.append((trap, {n: values[n] for n in varied}))
            for e in sorted(wanted - covered):
                if e in covered:  # taken by a path made earlier in this loop
                    continue
                path = self._path_to(e, reach, graph, out)
                if path is not None:
                    covered.update(path)
                    covered.update(_joins_on(proc, path))
                    plan.scenarios.append(self.scenario(world, path, len(plan.scenarios) + 1))
                    plan.assignments.append({n: values[n] for n in varied})
                    plan.records |= _records_on(world, path)
        plan.uncovered = sorted(wanted - covered)
        self._record_sides(proc, plan, varied, axes, clocks, base)
        if not plan.scenarios:  # no transitions (a one-step procedure): walk it once anyway
            world = _World(self.rulebook, proc, base, BASE_TIME)
            way = _ways_out(proc, world.graph()).get(proc.start.name)
            if way is not None:
                plan.scenarios.append(self.scenario(world, way, 1))
                plan.assignments.append({})
        return plan

    @staticmethod
    def _path_to(
        e: Edge,
        reach: Mapping[str, list[Edge]],
        graph: Mapping[str, list[Edge]],
        out: Mapping[str, list[Edge]],
    ) -> list[Edge] | None:
        """The shortest way from the start through `e` to an end; for a
        join, through its fork's `next` on to the step it joins at."""
        if e.step not in reach:
            return None
        if e.kind != "join":
            return [*reach[e.step], e, *out[e.to]] if e in graph[e.step] and e.to in out else None
        on = next((x for x in graph[e.step] if x.kind == "next"), None)
        if on is None:
            return None
        line = {s: [x for x in edges if x.kind != "lane"] for s, edges in graph.items()}
        onward = _paths_from(on.to, line)
        if e.to not in onward or e.to not in out:
            return None
        return [*reach[e.step], on, *onward[e.to], *out[e.to]]

    def _record_sides(
        self,
        proc: Procedure,
        plan: Plan,
        varied: list[str],
        axes: list[list[Any]],
        clocks: list[datetime],
        base: dict[str, Any],
    ) -> None:
        """A scenario more for each side of a conditional record (filled in,
        left) that the transitions' scenarios did not take: the first
        assignment under which its step is reached and its `when` goes that
        way, walked to the step and on to an end."""
        sides = {
            (sid, form, side) for sid, form in conditional_records(proc) for side in (True, False)
        }
        if not sides - plan.records:
            return
        for combo in _combinations([*axes, clocks], MAX_COMBINATIONS):
            values = {**base, **dict(zip(varied, combo[:-1], strict=True))}
            world = _World(self.rulebook, proc, values, combo[-1])
            graph = world.graph()
            reach = _paths_from(proc.start.name, graph)
            out = _ways_out(proc, graph)
            scope = world.scope()
            for sid, form, side in sorted(sides - plan.records):
                if (sid, form, side) in plan.records or sid not in reach or sid not in out:
                    continue
                rec = next(r for r in proc.steps[sid].record if r.form.name == form)
                if world.holds(rec.when, scope) != side:
                    continue
                path = [*reach[sid], *out[sid]]
                plan.scenarios.append(self.scenario(world, path, len(plan.scenarios) + 1))
                plan.assignments.append({n: values[n] for n in varied})
                plan.records |= _records_on(world, path) | {(sid, form, side)}
            if not sides - plan.records:
                return

    def plan_states(self, proc: Procedure) -> Plan:
        """The plan of a procedure whose values change as a run goes
        (engine.runtime.explore): its states explored under each assignment
        of the inputs asked once, a scenario for each transition not yet
        taken — the shortest way to a state that takes it, then on to an end."""
        from engine.runtime.explore import Explorer

        plan = Plan(proc.id)
        wanted = set(edges_of(proc))
        plan.total = len(wanted)
        covered: set[Edge] = set()
        dead: set[tuple[str, ...]] = set()
        varied, axes, clocks = self.axes(proc)
        if OUTCOME in varied:  # explored: each outcome the callee can end with
            at = varied.index(OUTCOME)
            del varied[at], axes[at]
        base = self.base_values(proc)
        constants = _constants(_guards(proc))
        for combo in _combinations([*axes, clocks], MAX_COMBINATIONS // 32):
            values = {**base, **dict(zip(varied, combo[:-1], strict=True))}
            explorer = Explorer(self.rulebook, proc, values, combo[-1], constants)
            explorer.explore()
            starts, ends = explorer.paths_from_start(), explorer.ends_from()
            asked = {r.name for step in proc.steps.values() for r in step.ask}
            chosen = {n: values[n] for n in varied if n not in asked}  # those: at each arrival
            if explorer.complete:
                trapped = tuple(sorted({s[0] for s in starts if s not in ends}))
                if trapped and trapped not in dead:
                    dead.add(trapped)
                    plan.dead_ends.append((trapped, chosen))
            for state, moves in explorer.moves.items():
                if state not in starts:
                    continue
                for m in moves:
                    if m.kind is None or m.to is None or m.after not in ends:
                        continue
                    edge = Edge(proc.id, state[0], m.kind, m.index, m.to)
                    if edge not in wanted or edge in covered:
                        continue
                    path = [*starts[state], (state, m), *ends[m.after]]
                    taken = [
                        Edge(proc.id, s[0], mv.kind, mv.index, mv.to)
                        for s, mv in path
                        if mv.kind is not None and mv.to is not None
                    ]
                    covered.update(taken)
                    covered.update(_joins_on(proc, taken))
                    number = len(plan.scenarios) + 1
                    plan.scenarios.append(
                        self.state_scenario(proc, path, values, combo[-1], number)
                    )
                    plan.assignments.append(chosen)
        plan.uncovered = sorted(wanted - covered)
        return plan

    def state_scenario(
        self,
        proc: Procedure,
        path: Sequence[tuple[Any, Any]],
        values: Mapping[str, Any],
        now: datetime,
        number: int,
    ) -> dict[str, Any]:
        """A scenario along explored states: each arrival's answers written
        on its visit (a step visited again has one entry per visit)."""
        steps: dict[str, list[dict[str, Any]]] = {}
        inputs = dict(values)
        clock = now
        # Dates that milestones are taken from fall a day ahead, so a deadline
        # counted from them has not passed unless the scenario lets it pass.
        anchors = {s.milestone_from.name for s in proc.steps.values() if s.milestone_from}
        ahead = (now + timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
        for state, move in path:
            sid = state[0]
            step = proc.steps[sid]
            visit: dict[str, Any] = {}
            if move.kind == "timeout":  # arrive after the deadline: the run times out
                wait = step.within.low if step.within else 400 * 86400
                clock = clock + timedelta(seconds=wait + 3600)
                steps.setdefault(sid, []).append({"on": clock.isoformat()})
                continue
            if move.inputs:
                visit["inputs"] = dict(move.inputs)
            record = {**self._record(step), **dict(move.record)}
            for key in list(record):
                if key in anchors:
                    record[key] = ahead
            if record:
                visit["record"] = record
            proofs = _evidence(step)
            if proofs:
                visit["evidence"] = proofs
            if move.kind == "choice" and isinstance(step.exit, Choices):
                visit["choice"] = step.exit.choices[move.index].label
            steps.setdefault(sid, []).append(visit)
            if isinstance(step.exit, Call):
                self._callee(proc, step.exit, steps, inputs, move.outcome)
            if isinstance(step.exit, Parallel):
                self._lanes(proc, step.exit, steps, inputs, qualify=False)
        return {
            "title": f"{proc.title} · 场景 {number}",
            "procedure": proc.id,
            "now": now.isoformat(),
            "inputs": inputs,
            "steps": {k: (v[0] if len(v) == 1 else v) for k, v in steps.items()},
        }

    def scenario(self, world: _World, path: Sequence[Edge], number: int) -> dict[str, Any]:
        steps: dict[str, list[dict[str, Any]]] = {}
        inputs = dict(world.values)
        returned = inputs.pop(OUTCOME, None)  # not an input: where the callee is walked to
        self._walk(
            world.proc, world.proc.start.name, path, steps, inputs, qualify=False, outcome=returned
        )
        return {
            "title": f"{world.proc.title} · 场景 {number}",
            "procedure": world.proc.id,
            "now": world.now.isoformat(),
            "inputs": inputs,
            "steps": {k: (v[0] if len(v) == 1 else v) for k, v in steps.items()},
        }

    def _walk(
        self,
        proc: Procedure,
        start: str,
        path: Sequence[Edge],
        steps: dict[str, list[dict[str, Any]]],
        inputs: dict[str, Any],
        qualify: bool,
        outcome: str | None = None,
    ) -> None:
        """Write one visit per step along `path` (and through any callee,
        walked to `outcome` when it can end so)."""
        here = start
        queue = list(path)
        while True:
            step = proc.steps[here]
            visit: dict[str, Any] = {}
            record = self._record(step)
            if record:
                visit["record"] = record
            people = _people(step)
            if people:
                visit["people"] = people
            proofs = _evidence(step)
            if proofs:
                visit["evidence"] = proofs
            edge = queue.pop(0) if queue else None
            if edge is not None and edge.kind == "choice":
                visit["choice"] = edge.label(proc)
            key = f"{proc.id}:{here}" if qualify else here
            steps.setdefault(key, []).append(visit)
            if isinstance(step.exit, Call):
                self._callee(proc, step.exit, steps, inputs, outcome)
            if isinstance(step.exit, Parallel):
                # The branches first, as the runner walks them (the one the
                # path goes into along the path), then the step's own line.
                into = (edge.index, queue) if edge is not None and edge.kind == "lane" else None
                self._lanes(proc, step.exit, steps, inputs, qualify, into)
                if into is not None:
                    world = _World(self.rulebook, proc, inputs, BASE_TIME)
                    graph = world.graph()
                    on = next((e for e in graph[here] if e.kind == "next"), None)
                    if on is None:
                        return
                    queue = list(_ways_out(proc, graph).get(on.to, []))
                    edge = on
            if edge is None:
                return
            here = edge.to

    def _lanes(
        self,
        proc: Procedure,
        way: Parallel,
        steps: dict[str, list[dict[str, Any]]],
        inputs: dict[str, Any],
        qualify: bool,
        into: tuple[int, list[Edge]] | None = None,
    ) -> None:
        """Visits for the branches a step's `parallel:` starts, in the order
        the runner walks them: each by its shortest way to an end (branch
        `into[0]` along the path `into[1]`)."""
        world = _World(self.rulebook, proc, inputs, BASE_TIME)
        out = _ways_out(proc, world.graph())
        walked = into[0] if into is not None else 0
        # `join: all` at a step of the line (`at`): each branch is turned away
        # from at its first prompt (b), so that the line reaches `at` first
        # and waits there, as staff who go on with the visit would.
        wait = way.at is not None and way.join == "all" and into is None
        for i, lane in enumerate(way.lanes):
            if wait:
                first = self._first_key(proc, lane, qualify)
                if self._first_step(proc, lane).stops:
                    before = len(steps.get(first, []))
                    self._lane(proc, lane, steps, inputs, qualify, out)
                    steps[first][before]["branch"] = True
                    continue
            if way.join == "any" and i != walked:
                # The first of a join: any to end cancels the rest: the
                # branches before the one walked are turned away from (b).
                if i < walked:
                    first = self._first_key(proc, lane, qualify)
                    steps.setdefault(first, []).append({"branch": True})
                continue
            if isinstance(lane, Call):
                self._callee(proc, lane, steps, inputs)
            elif into is not None and into[0] == i:
                self._walk(proc, lane.name, into[1], steps, inputs, qualify)
            else:
                self._walk(proc, lane.name, out.get(lane.name, []), steps, inputs, qualify)

    def _lane(
        self,
        proc: Procedure,
        lane: Ref | Call,
        steps: dict[str, list[dict[str, Any]]],
        inputs: dict[str, Any],
        qualify: bool,
        out: Mapping[str, list[Edge]],
    ) -> None:
        """Visits for one branch, by its shortest way to an end."""
        if isinstance(lane, Call):
            self._callee(proc, lane, steps, inputs)
        else:
            self._walk(proc, lane.name, out.get(lane.name, []), steps, inputs, qualify)

    def _first_step(self, proc: Procedure, lane: Ref | Call) -> Step:
        """A branch's first step (a callee's start)."""
        if isinstance(lane, Call):
            callee = self.rulebook.procedure(lane.procedure.name)
            return callee.steps[callee.start.name]
        return proc.steps[lane.name]

    def _first_key(self, proc: Procedure, lane: Ref | Call, qualify: bool) -> str:
        """The scenario's key of a branch's first step."""
        if isinstance(lane, Call):
            callee = self.rulebook.procedure(lane.procedure.name)
            return f"{callee.id}:{callee.start.name}"
        return f"{proc.id}:{lane.name}" if qualify else lane.name

    def _callee(
        self,
        caller: Procedure,
        call: Call,
        steps: dict[str, list[dict[str, Any]]],
        inputs: dict[str, Any],
        outcome: str | None = None,
    ) -> None:
        """The callee's shortest way to an end (one with `outcome` if it
        can reach one), with the values the call passes."""
        callee = self.rulebook.procedure(call.procedure.name)
        caller_world = _World(self.rulebook, caller, inputs, BASE_TIME)
        given: dict[str, Any] = {}
        callee_inputs = self.rulebook.inputs_for(callee)
        for ref, expr in call.args:
            try:
                text = expressions.render(expr.source, caller_world.scope())
            except (expressions.NeedInput, expressions.ExpressionFailed):
                continue
            inp = callee_inputs.get(ref.name)
            try:
                given[ref.name] = parse(Spec.of_input(inp), text, BASE_TIME) if inp else text
            except BadValue:
                given[ref.name] = text
        for name, value in self.base_values(callee).items():
            inputs.setdefault(name, value)
        world = _World(self.rulebook, callee, {**inputs, **given}, BASE_TIME)
        graph = world.graph()
        path = _ways_out(callee, graph, outcome).get(callee.start.name)
        if path is None:
            path = _ways_out(callee, graph).get(callee.start.name, [])
        self._walk(callee, callee.start.name, path, steps, inputs, qualify=True)

    def _record(self, step: Any) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for rec in step.record:
            form = self.rulebook.forms[rec.form.name]
            fields = (
                form.fields.values()
                if rec.all_fields
                else [form.fields[r.name] for r in rec.fields]
            )
            for fld in fields:
                values[f"{form.id}.{fld.id}"] = sample(Spec.of_field(fld), BASE_TIME)
        return values


# People a simulation names where a step asks who did it (`person:`), and
# the members it puts in each queue a procedure takes turns from.
SIMULATED_PEOPLE = ("模拟人员甲", "模拟人员乙", "模拟人员丙")


def _people(step: Step) -> list[Any]:
    """The names a visit gives, in the order the runner asks: each `do` item's,
    then the step's (one for another, two for all)."""
    asked = [i.person for i in step.do] + [step.person]
    return [
        SIMULATED_PEOPLE[0] if p.kind == "another" else list(SIMULATED_PEOPLE[:2])
        for p in asked
        if p is not None and p.kind != "named"
    ]


SIMULATED_PHOTO = "模拟照片.png"
# The smallest PNG (a 1×1 transparent pixel): the picture every simulated
# `evidence:` photo is, written into the simulation's own folder.
_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001"
    "0d0a2db40000000049454e44ae426082"
)


def _evidence(step: Step) -> list[Any]:
    """The proof a visit gives, in the order the runner asks: each `do`
    item's, then the step's."""
    asked = [i.evidence for i in step.do] + [step.evidence]
    return [
        {
            "photo": [SIMULATED_PHOTO] * e.photos,
            **(
                {"signature": e.signer or SIMULATED_PEOPLE[0], "signature_file": SIMULATED_PHOTO}
                if e.signature
                else {}
            ),
        }
        for e in asked
        if e is not None
    ]


@contextlib.contextmanager
def _photos() -> Iterator[Path]:
    """A folder holding the simulated photo and the simulation's evidence store."""
    with tempfile.TemporaryDirectory(prefix="sop-simulate-") as tmp:
        folder = Path(tmp)
        (folder / SIMULATED_PHOTO).write_bytes(_PNG)
        yield folder


def _fill_queues(journal: Any, pinned: Pinned) -> None:
    """Members for every queue the rulebook's steps take turns from, so their
    turns can be taken in the simulation's own journal."""
    from engine.runtime import queues

    book = pinned.rulebook
    wanted = {
        s.turn.queue.name
        for p in book.procedures.values()
        for s in p.steps.values()
        if s.turn is not None and s.turn.queue.name in book.queues
    }
    for qid in sorted(wanted):
        queues.write(
            journal,
            book,
            (pinned.sha, pinned.files),
            book.queues[qid],
            None,  # the simulation's runner names no site
            "simulate",
            lambda: BASE_TIME,
            queues.keeper_change(book.queues[qid].title, "join", SIMULATED_PEOPLE),
        )


# ---------------------------------------------------------------- running the plan


@dataclass
class Simulation:
    plan: Plan
    wanted: set[Edge] = field(default_factory=set)  # every transition of the procedure
    runs: list[int] = field(default_factory=list)
    outcomes: list[str | None] = field(default_factory=list)
    taken: set[Edge] = field(default_factory=set)  # transitions the journal shows were taken
    failures: list[str] = field(default_factory=list)
    # Steps that take a queue turn, and places (step, do index or -1) that
    # name who did it: wanted, and seen in the journal.
    turns_wanted: set[str] = field(default_factory=set)
    turns_taken: set[str] = field(default_factory=set)
    signs_wanted: set[tuple[str, int]] = field(default_factory=set)
    signs_taken: set[tuple[str, int]] = field(default_factory=set)
    # Schedule entries (by index), and those a run was started for an
    # occurrence of (the journal's run.started says which).
    entries: set[int] = field(default_factory=set)
    entries_run: set[int] = field(default_factory=set)
    # Conditional records (step, form, filled?): each side wanted, and the
    # sides the journal shows (the step entered, the form's fields recorded or not).
    records_wanted: set[tuple[str, str, bool]] = field(default_factory=set)
    records_seen: set[tuple[str, str, bool]] = field(default_factory=set)

    @property
    def missing(self) -> list[Edge]:
        return sorted(self.wanted - self.taken)

    @property
    def never_due(self) -> list[int]:
        """Schedule entries no occurrence of which was run: none falls in a year."""
        return sorted(self.entries - self.entries_run)

    @property
    def ok(self) -> bool:
        return not (
            self.failures
            or self.plan.dead_ends
            or self.missing
            or self.never_due
            or self.turns_wanted - self.turns_taken
            or self.records_wanted - self.records_seen
        )


def simulate(pinned: Pinned, pid: str) -> Simulation:
    """Plan scenarios for procedure `pid` and run each through the runner."""
    from engine.errors import SopError
    from engine.journal import Journal
    from engine.runtime.runner import Runner
    from engine.runtime.scenario import ScenarioDriver, parse_scenario

    proc = pinned.rulebook.procedure(pid)
    plan = Planner(pinned.rulebook).plan(proc)
    sim = Simulation(plan, set(edges_of(proc)))
    sim.turns_wanted = {sid for sid, st in proc.steps.items() if st.turn is not None}
    for sid, st in proc.steps.items():
        sim.signs_wanted |= {(sid, i) for i, it in enumerate(st.do) if it.person is not None}
        if st.person is not None:
            sim.signs_wanted.add((sid, -1))
    conditional = conditional_records(proc)
    sim.records_wanted = {(sid, form, side) for sid, form in conditional for side in (True, False)}
    with Journal(":memory:") as journal, _photos() as photos:
        _fill_queues(journal, pinned)
        for number, data in enumerate(plan.scenarios, 1):
            scenario = parse_scenario(data, f"场景 {number}")
            driver = ScenarioDriver(scenario, photos=photos)
            runner = Runner(
                journal,
                driver,
                clock=driver.clock,
                operator="simulate",
                evidence=str(photos / "evidence"),
            )
            try:
                outcome = runner.start(pinned, pid, scenario.preset)
                driver.check_complete(outcome.outcome)
            except SopError as exc:
                sim.failures.append(f"场景 {number}: {exc.message}")
                continue
            sim.runs.append(outcome.run)
            sim.outcomes.append(outcome.outcome)
            if outcome.status != "finished":
                sim.failures.append(f"场景 {number}: 运行没有结束 ({outcome.status})")
            events = journal.events(outcome.run)
            sim.taken.update(_taken(proc, events))
            _named(sim, events)
            sim.records_seen |= _filled(pid, conditional, events)
        _run_occurrences(sim, pinned, proc, journal, photos)
    return sim


def _named(sim: Simulation, events: Iterable[Event]) -> None:
    """The queue turns taken and the names given, as the journal shows them."""
    for e in events:
        event = read(e)
        match event:
            case TurnTaken(step=step):
                if step in sim.turns_wanted:
                    sim.turns_taken.add(step)
            case PeopleSigned(step=step, item=item):
                sim.signs_taken.add((str(step), -1 if item is None else item))
            case _:
                pass  # the other kinds say nothing of turns or names


def _filled(
    pid: str, conditional: Sequence[tuple[str, str]], events: Iterable[Event]
) -> set[tuple[str, str, bool]]:
    """For each conditional record at a step a run entered: whether its form
    was filled in there (as the journal shows)."""
    entered: set[str] = set()
    recorded: set[tuple[str, str]] = set()
    for e in events:
        event = read(e)
        if isinstance(event, StepEntered) and event.procedure == pid:
            entered.add(event.step)
        elif isinstance(event, FieldRecorded) and event.step is not None:
            recorded.add((event.step, event.form))
    return {(sid, form, (sid, form) in recorded) for sid, form in conditional if sid in entered}


def _taken(proc: Procedure, events: Iterable[Event]) -> Iterator[Edge]:
    """The transitions of procedure `proc` a run's journal shows were taken
    (a join: the line that started the branches arrived where they join)."""
    pid = proc.id
    lane = 0  # the lane the run is on
    joining: set[tuple[int, str, str]] = set()  # (the line, the fork step, where they join)
    for e in events:
        event = read(e)
        match event:
            case LaneStarted(procedure=procedure, step=step, parent=parent) if procedure == pid:
                way = proc.steps[step].exit if step in proc.steps else None
                if isinstance(way, Parallel) and way.at is not None:
                    joining.add((parent, step, way.at.name))
                if event.to is not None:
                    yield Edge(pid, step, "lane", event.index, event.to)
            case LaneSwitched(lane=to_lane):
                lane = to_lane
            case StepEntered(procedure=procedure, step=step) if procedure == pid:
                for j in sorted(joining):
                    if j[0] == lane and j[2] == step:
                        joining.discard(j)
                        yield Edge(pid, j[1], "join", 0, step)
            case BranchTaken(procedure=procedure, step=step, index=index, to=to):
                if procedure == pid:
                    yield Edge(pid, step, "next", index, to)
            case ChoiceMade(procedure=procedure, step=step, index=index, to=to):
                if procedure == pid:
                    yield Edge(pid, step, "choice", index, to)
            case StepTimedOut(procedure=procedure, step=step, to=to):
                if procedure == pid:
                    yield Edge(pid, step, "timeout", 0, to)
            case LaneStarted() | LaneEnded():
                pass  # another procedure's branch; a branch's end is no transition
            case (
                RunStarted()
                | StepEntered()
                | InputAnswered()
                | ItemChecked()
                | FieldRecorded()
                | AnswerCorrected()
                | ValueSet()
                | CallStarted()
                | CallReturned()
                | MilestoneReached()
                | NoteAdded()
                | RunWarning()
                | RunPaused()
                | RunResumed()
                | RunInterrupted()
                | RunContinued()
                | RunFinished()
                | TurnTaken()
                | PeopleSigned()
                | EvidenceAttached()
                | NoticeSending()
                | NoticeSent()
                | NoticeFailed()
            ):
                pass  # not a transition of a step
            case _:
                assert_never(event)


def _run_occurrences(
    sim: Simulation, pinned: Pinned, proc: Procedure, journal: Any, photos: Path
) -> None:
    """For each schedule entry, the first scenario run again for the entry's
    first occurrence within a year (`--for` it): the run must record that
    occurrence. An entry with none in a year (a holiday the site is closed
    on, a date that never comes) is reported."""
    from engine.errors import SopError
    from engine.runtime.runner import Runner
    from engine.runtime.scenario import ScenarioDriver, parse_scenario
    from engine.schedule import occurrences

    sim.entries = set(range(len(proc.schedule)))
    if not proc.schedule or not sim.plan.scenarios:
        return
    first = BASE_TIME.date()
    found = occurrences(proc, pinned.rulebook.site, first, first + timedelta(days=366))
    for index in sorted(sim.entries):
        occ = next((o for o in found if o.entry == index), None)
        if occ is None:
            continue
        scenario = parse_scenario(sim.plan.scenarios[0], "时间安排")
        driver = ScenarioDriver(scenario, photos=photos)
        runner = Runner(
            journal, driver, clock=driver.clock, operator="simulate", evidence=str(photos / "ev")
        )
        try:
            outcome = runner.start(pinned, proc.id, scenario.preset, wanted=occ.key)
        except SopError as exc:
            sim.failures.append(f"{occ.key}: {exc.message}")
            continue
        started = read(journal.events(outcome.run)[0])
        recorded = started.occurrence if isinstance(started, RunStarted) else None
        if recorded == occ.key and outcome.status == "finished":
            sim.entries_run.add(index)


# ---------------------------------------------------------------- reporting


def _shown(values: Mapping[str, Any], lang: Lang = "zh") -> str:
    from engine.runtime.values import show

    return ", ".join(f"{k}={show(v, lang)}" for k, v in values.items())


SIM_WORDS = messages(
    "simulate.schedule",
    {
        "entries": (
            "; 时间安排 {run}/{total} 条已按安排运行",
            "; {run}/{total} schedule entries run",
        ),
        "never": (
            "  ✗ 时间安排一年内从不发生: {schedule} (节日是否休息? 日期是否写对?)",
            "  ✗ schedule entry never falls due within a year: {schedule} "
            "(a holiday the site is closed on? a date that never comes?)",
        ),
    },
)


SUMMARY_WORDS = messages(
    "simulate.summary",
    {
        "head": (
            "{mark} {title} ({id}): {scenarios} 个场景, 覆盖 {taken}/{total} 条转移 ({share})",
            "{mark} {title} ({id}): {scenarios} scenarios, {taken}/{total} transitions covered "
            "({share})",
        ),
        "turns": (
            "    轮序取人 {turns} 个步骤, 签名/经办人 {signs} 处",
            "    queue turns taken at {turns} steps, who did it named at {signs} places",
        ),
        "always": ("(任何情况)", "(always)"),
        "dead-end": (
            "  ✗ 走不到结束: 当 {when} 时, 运行会困在 {steps}, 无法到达结束步骤",
            "  ✗ dead end: when {when}, a run gets stuck at {steps} and cannot reach an end",
        ),
        "never-taken": ("  ✗ 没有走到的转移: {what}", "  ✗ never taken: {what}"),
        "no-turn": ("  ✗ 没有在此步取过人: {step}", "  ✗ no turn taken at: {step}"),
        "records": (
            "    有条件的记录: 填写 {filled}, 不填写 {left}",
            "    conditional records: filled in {filled}, left {left}",
        ),
        "record-side": (
            "  ✗ 没有走到: 「{step}」的《{form}》{side}",
            "  ✗ never seen: 《{form}》 at 「{step}」 {side}",
        ),
        "side-filled": ("填写", "filled in"),
        "side-left": ("不填写", "left"),
    },
)


def summary_text(sim: Simulation, pinned: Pinned, lang: str = "zh") -> str:
    proc = pinned.rulebook.procedure(sim.plan.procedure)
    said: Lang = "en" if lang == "en" else "zh"
    words = SUMMARY_WORDS
    taken, total = len(sim.taken & sim.wanted), len(sim.wanted)
    lines = [
        words["head"].say(
            said,
            mark="✓" if sim.ok else "✗",
            title=proc.title,
            id=proc.id,
            scenarios=len(sim.plan.scenarios),
            taken=taken,
            total=total,
            share=f"{100 * taken // total}%" if total else "—",
        )
    ]
    if sim.turns_wanted or sim.signs_wanted:
        turns = f"{len(sim.turns_taken & sim.turns_wanted)}/{len(sim.turns_wanted)}"
        signs = f"{len(sim.signs_taken & sim.signs_wanted)}/{len(sim.signs_wanted)}"
        lines.append(words["turns"].say(said, turns=turns, signs=signs))
    if sim.records_wanted:

        def share(side: bool) -> str:
            wanted = {r for r in sim.records_wanted if r[2] is side}
            return f"{len(wanted & sim.records_seen)}/{len(wanted)}"

        lines.append(words["records"].say(said, filled=share(True), left=share(False)))
    for i, (values, outcome) in enumerate(zip(sim.plan.assignments, sim.outcomes, strict=False), 1):
        lines.append(f"    {i}. {_shown(values, said) or '—'} → {outcome}")
    for trap, values in sim.plan.dead_ends:
        steps = ", ".join(f"「{proc.steps[sid].title}」({sid})" for sid in trap)
        when = _shown(values, said) or words["always"].say(said)
        lines.append(words["dead-end"].say(said, when=when, steps=steps))
    if sim.entries:
        lines[0] += SIM_WORDS["entries"].say(said, run=len(sim.entries_run), total=len(sim.entries))
    for index in sim.never_due:
        lines.append(SIM_WORDS["never"].say(said, schedule=describe(proc.schedule[index], said)))
    for e in sim.missing:
        label = e.label(proc)
        what = f"{e.step} → {e.to}" + (f" ({label})" if label else "")
        lines.append(words["never-taken"].say(said, what=what))
    for sid in sorted(sim.turns_wanted - sim.turns_taken):
        lines.append(words["no-turn"].say(said, step=sid))
    for sid, form, side in sorted(sim.records_wanted - sim.records_seen):
        title = pinned.rulebook.forms[form].title if form in pinned.rulebook.forms else form
        how = words["side-filled" if side else "side-left"].say(said)
        lines.append(
            words["record-side"].say(said, step=proc.steps[sid].title, form=title, side=how)
        )
    lines += [f"  ✗ {f}" for f in sim.failures]
    return "\n".join(lines)


def summary_json(sim: Simulation, pinned: Pinned) -> dict[str, Any]:
    proc = pinned.rulebook.procedure(sim.plan.procedure)
    return {
        "procedure": proc.id,
        "ok": sim.ok,
        "scenarios": len(sim.plan.scenarios),
        "transitions": len(sim.wanted),
        "covered": len(sim.taken & sim.wanted),
        "outcomes": sim.outcomes,
        "dead_ends": [{"steps": list(t), "inputs": v} for t, v in sim.plan.dead_ends],
        "missing": [
            {"step": e.step, "to": e.to, "kind": e.kind, "index": e.index} for e in sim.missing
        ],
        "failures": sim.failures,
        "turns": {"steps": len(sim.turns_wanted), "taken": len(sim.turns_taken)},
        "conditional_records": {
            "wanted": len(sim.records_wanted),
            "seen": len(sim.records_wanted & sim.records_seen),
        },
        "signed": {"places": len(sim.signs_wanted), "named": len(sim.signs_taken)},
        "schedule_entries": len(sim.entries),
        "schedule_entries_run": len(sim.entries_run),
        "never_due": sim.never_due,
    }


def save_scenarios(sim: Simulation, folder: str) -> list[str]:
    """Write the scenarios as YAML files that `sop run --answers` reads."""
    import os

    import yaml  # writing only: reading YAML stays in engine.source

    os.makedirs(folder, exist_ok=True)
    paths = []
    for i, data in enumerate(sim.plan.scenarios, 1):
        path = os.path.join(folder, f"{sim.plan.procedure}-{i:02d}.yaml")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(f"# sop run {sim.plan.procedure} --answers {os.path.basename(path)}\n")
            yaml.safe_dump(data, fh, allow_unicode=True, sort_keys=False)
        paths.append(path)
    if any("evidence" in v for data in sim.plan.scenarios for v in _visits(data)):
        # the photo the scenarios name, beside them (read from the scenario's folder)
        with open(os.path.join(folder, SIMULATED_PHOTO), "wb") as fh:
            fh.write(_PNG)
    return paths


def _visits(data: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for entry in data.get("steps", {}).values():
        yield from entry if isinstance(entry, list) else [entry]
