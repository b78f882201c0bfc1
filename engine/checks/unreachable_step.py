"""Every step can be reached from `start`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.messages import suggest
from engine.model import End, Procedure, Step
from engine.problems import Problem

ID = "unreachable-step"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=("每个步骤都能从 start 到达", "every step is reachable from start"),
    messages={
        "": (
            '步骤 "{step}" 从 start 出发无法到达。请从某个步骤的 next/choices 指向它, 或删除它',
            'step "{step}" cannot be reached from start. point a next/choice at it, or delete it',
        ),
        "chain": (
            '步骤 "{step}" 从 start 出发无法到达, 它之后的 {count} 个步骤也因此无法到达 ({steps})。请从某个步骤的 next/choices 指向它, 或删除它们',
            'step "{step}" cannot be reached from start, nor can the {count} steps after it ({steps}). point a next/choice at it, or delete them',
        ),
    },
    keys=(
        "start",
        "steps.*.next",
        "steps.*.choices",
        "steps.*.call",
        "steps.*.parallel",
        "steps.*.end",
        "steps.*.with",
    ),
)


def graph(proc: Procedure) -> dict[str, tuple[str, ...]]:
    """Each step's targets by name."""
    return {sid: tuple(t.name for t in step.targets) for sid, step in proc.steps.items()}


def reachable(proc: Procedure, edges: Mapping[str, tuple[str, ...]] | None = None) -> set[str]:
    """Steps reachable from start. A misspelt target counts as reaching the
    step it was probably meant to be, so one typo is reported once."""
    edges = graph(proc) if edges is None else edges
    seen: set[str] = set()
    todo = [proc.start.name]
    while todo:
        sid = todo.pop()
        if sid not in proc.steps:
            meant = suggest(sid, proc.steps)
            if meant is None:
                continue
            sid = meant
        if sid in seen:
            continue
        seen.add(sid)
        todo.extend(edges[sid])
    return seen


def stuck(step: Step) -> bool:
    """A step with no way onward: no next, choices or end (one-way-out says so)."""
    return not step.targets and not ends(step)


def _stuck(proc: Procedure, sid: str, edges: Mapping[str, tuple[str, ...]]) -> bool:
    """`stuck` with the step's targets read from `edges` (its graph)."""
    return not edges[sid] and not ends(proc.steps[sid])


def ends(step: Step) -> bool:
    """Whether the step ends the run (by any way out written)."""
    return any(isinstance(way, End) for way in step.ways)


def after(
    proc: Procedure, first: str, among: set[str], edges: Mapping[str, tuple[str, ...]]
) -> list[str]:
    """`first` and the steps of `among` reached from it, in file order."""
    group = {first}
    todo = [first]
    while todo:
        for name in edges[todo.pop()]:
            if name in among and name not in group:
                group.add(name)
                todo.append(name)
    return [sid for sid in proc.steps if sid in group]


@dataclass(frozen=True)
class Flow:
    """A procedure's step graph and what start reaches, computed once per check run."""

    edges: dict[str, tuple[str, ...]]
    seen: set[str]  # reachable from start (all steps when start is unknown)
    cut: dict[str, list[str]]


def flow(ctx: Context, proc: Procedure) -> Flow:
    def compute() -> Flow:
        edges = graph(proc)
        if proc.start.name not in proc.steps:
            return Flow(edges, set(proc.steps), {})
        seen = reachable(proc, edges)
        return Flow(edges, seen, _cut_off(proc, edges, seen))

    return ctx.memo("flow", proc, compute)


def _cut_off(
    proc: Procedure, edges: Mapping[str, tuple[str, ...]], seen: set[str]
) -> dict[str, list[str]]:
    """Steps cut off by a reachable step with no way onward: that step ->
    the unreachable steps from the one written after it (its likely next),
    in file order. One missing next is one problem, not one per step."""
    lost = set(proc.steps) - seen
    order = list(proc.steps)
    out: dict[str, list[str]] = {}
    for i, sid in enumerate(order[:-1]):
        following = order[i + 1]
        if following in lost and sid in seen and _stuck(proc, sid, edges):
            out[sid] = after(proc, following, lost, edges)
            lost -= set(out[sid])
    # One stuck step and steps still lost elsewhere in the file (its next
    # pointed past a branch written in between): they are its consequence too.
    stuck_left = [s for s in order if s in seen and s not in out and _stuck(proc, s, edges)]
    if len(stuck_left) == 1 and not out and lost:
        later = set(order[order.index(stuck_left[0]) + 1 :])
        targeted = {t for s in lost for t in edges[s] if t != s}
        group: list[str] = []
        for entry in [s for s in order if s in lost & later and s not in targeted]:
            if entry in lost:
                chain = after(proc, entry, lost, edges)
                group += chain
                lost -= set(chain)
        out[stuck_left[0]] = [s for s in order if s in group]
    return out


def shown(steps: list[str], limit: int = 5) -> str:
    return ", ".join(steps[:limit]) + (f", … (+{len(steps) - limit})" if len(steps) > limit else "")


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        if proc.start.name not in proc.steps:
            continue  # unknown-step says so
        f = flow(ctx, proc)
        lost = set(proc.steps) - f.seen
        for group in f.cut.values():
            lost -= set(group)  # one-way-out reports them with the step that lost its way
        # What is left: each chain once, at the step that leads into it (the
        # first in file order for a loop nothing leads into).
        targeted = {t for s in lost for t in f.edges[s] if t != s}
        entries = [s for s in proc.steps if s in lost and s not in targeted]
        entries += [s for s in proc.steps if s in lost and s in targeted]
        for sid in entries:
            if sid not in lost:
                continue
            group = after(proc, sid, lost, f.edges)
            lost -= set(group)
            rest = group[1:]
            if rest:
                args = {"step": sid, "count": len(rest), "steps": shown(rest)}
                yield Problem(ID, proc.steps[sid].pos, args, "chain")
            else:
                yield Problem(ID, proc.steps[sid].pos, {"step": sid})
