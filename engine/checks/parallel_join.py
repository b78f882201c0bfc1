"""`parallel: {at: step}` names where the line that starts the branches
waits for them: a step that line reaches after the fork by its `next`
(not the fork itself, not a step only a branch walks), and one no branch of
the fork can reach (a branch arriving there would wait for itself)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from engine.checks.context import Context
from engine.checks.parallel_branch import _path
from engine.checks.rule import ERROR, Rule
from engine.checks.unreachable_step import flow
from engine.messages import listing, suggest
from engine.model import Parallel, Procedure, Ref, lane_steps
from engine.problems import Problem, did_you_mean

ID = "parallel-join"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "parallel 的 at 是本流程在分叉之后按 next 走到的步骤, 分支自己走不到",
        "a parallel's at is a step the run's own line reaches after the fork by next, "
        "and no branch reaches",
    ),
    messages={
        "after": (
            '步骤 "{step}" 的 parallel 在 "{at}" 汇合, 但本流程从 "{step}" 按 next 走不到 "{at}": '
            "本流程永远不会在那里等分支。{hint}at 应写本流程在 {step} 之后走到的步骤: {known}",
            'step "{step}" joins its parallel branches at "{at}", but the run\'s own line does not '
            'reach "{at}" from "{step}" by next: it would never wait there. {hint}at names a step the '
            "line reaches after {step}: {known}",
        ),
        "branch": (
            '步骤 "{step}" 同时开始的分支 "{to}" 自己会走到汇合的步骤 "{at}" ({path}): 分支会在那里等它自己。'
            "请让分支在 {at} 之前走到自己的结束 (end) 步骤, 或者 at 写本流程中分支走不到的步骤",
            'the branch "{to}" that step "{step}" starts in parallel reaches the join step "{at}" '
            "itself ({path}): it would wait there for itself. let the branch reach an end step of "
            "its own before {at}, or let at name a step no branch reaches",
        ),
    },
    keys=("steps.*.parallel", "steps.*.next", "steps.*.choices", "steps.*.call", "steps.*.end"),
)


def main_line(proc: Procedure) -> dict[str, tuple[str, ...]]:
    """Each step's targets by name along its own line (a `parallel:`'s
    branches are other lines)."""
    out: dict[str, tuple[str, ...]] = {}
    for sid, step in proc.steps.items():
        lanes = {r.name for way in step.ways for r in lane_steps(way)}
        out[sid] = tuple(t.name for t in step.targets if t.name not in lanes)
    return out


def after(proc: Procedure, step: str, way: Parallel) -> set[str]:
    """The steps the line that starts `way` at `step` reaches by its `next`
    (not `step` itself)."""
    edges = main_line(proc)
    seen: set[str] = set()
    todo = [b.to.name for b in way.next.branches]
    while todo:
        here = todo.pop()
        if here in seen or here not in proc.steps or here == step:
            continue
        seen.add(here)
        todo += edges[here]
    return seen


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        edges = flow(ctx, proc).edges
        for step in proc.steps.values():
            way = step.exit
            if not isinstance(way, Parallel) or way.at is None:
                continue
            at = way.at
            if at.name not in proc.steps:
                continue  # unknown-step's
            yield from _check(proc, step.id, way, at, edges)


def _check(
    proc: Procedure, step: str, way: Parallel, at: Ref, edges: Mapping[str, tuple[str, ...]]
) -> Iterator[Problem]:
    lanes = [lane for lane in way.lanes if isinstance(lane, Ref) and lane.name in proc.steps]
    walked = {
        lane.name: path
        for lane in lanes
        if (path := _path(dict(edges), lane.name, at.name)) is not None
    }
    line = after(proc, step, way)
    if at.name not in line:
        good = sorted(s for s in line if not any(_path(dict(edges), x.name, s) for x in lanes))
        meant = suggest(at.name, good)
        yield Problem(
            ID,
            at.pos,
            {"step": step, "at": at.name, "known": listing(good), "suggestion": meant},
            "after",
            fix=did_you_mean(at.pos, meant),
        )
        return
    for lane in lanes:
        path = walked.get(lane.name)
        if path is not None:
            args = {"step": step, "to": lane.name, "at": at.name, "path": " → ".join(path)}
            yield Problem(ID, at.pos, args, "branch")
            return
