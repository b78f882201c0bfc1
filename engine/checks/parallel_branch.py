"""A `parallel:` branch of this procedure (`to:`) is walked beside the run
and ends at an end step: it must not lead back to the step that starts it
(every pass would start it again, branches within branches without end),
must not be the step's own `next` (the same steps walked twice at once),
and is written once."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.checks.unreachable_step import flow
from engine.model import Parallel, Ref
from engine.problems import Problem

ID = "parallel-branch"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "同时进行的分支不回到开始它的步骤, 不与本流程的 next 相同, 不重复",
        "a parallel branch does not lead back to the step that starts it, is not its next, "
        "and is written once",
    ),
    messages={
        "cycle": (
            '步骤 "{step}" 同时开始的分支 "{to}" 会回到 "{step}" ({path}): 每走一遍又开始一条同样的分支, '
            "分支中套分支, 运行永远结束不了。请让分支走到自己的结束 (end) 步骤",
            'the branch "{to}" that step "{step}" starts in parallel leads back to "{step}" ({path}): '
            "each pass starts the same branch again, branches within branches, and the run never "
            "ends. let the branch reach an end step of its own",
        ),
        "main": (
            '步骤 "{step}" 同时开始的分支 "{to}" 就是它的 next: 同样的步骤会同时走两遍。'
            "请让 next 指向本流程继续的步骤, 分支写另外的步骤",
            'the branch "{to}" that step "{step}" starts in parallel is also its next: the same '
            "steps would be walked twice at once. let next name where the run goes on, and the "
            "branch another step",
        ),
        "twice": (
            '步骤 "{step}" 的 parallel 把分支 "{to}" 写了两次。每条分支只写一次',
            'step "{step}" lists the branch "{to}" twice under parallel. write each branch once',
        ),
    },
    keys=("steps.*.parallel", "steps.*.next", "steps.*.choices", "steps.*.call", "steps.*.end"),
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        edges = flow(ctx, proc).edges
        for step in proc.steps.values():
            way = step.exit
            if not isinstance(way, Parallel):
                continue
            main = {b.to.name for b in way.next.branches}
            seen: set[str] = set()
            for lane in way.lanes:
                if not isinstance(lane, Ref) or lane.name not in proc.steps:
                    continue  # a callee's branch; an unknown step is unknown-step's
                args = {"step": step.id, "to": lane.name}
                if lane.name in seen:
                    yield Problem(ID, lane.pos, args, "twice")
                    continue
                seen.add(lane.name)
                if lane.name in main:
                    yield Problem(ID, lane.pos, args, "main")
                    continue
                path = _path(edges, lane.name, step.id)
                if path is not None:
                    yield Problem(ID, lane.pos, {**args, "path": " → ".join(path)}, "cycle")


def _path(edges: dict[str, tuple[str, ...]], start: str, goal: str) -> list[str] | None:
    """The shortest way from `start` to `goal` along the steps' ways out."""
    back: dict[str, str | None] = {start: None}
    todo = [start]
    while todo:
        here = todo.pop(0)
        if here == goal:
            out = [here]
            while (prev := back[out[-1]]) is not None:
                out.append(prev)
            return out[::-1]
        for t in edges.get(here, ()):
            if t not in back:
                back[t] = here
                todo.append(t)
    return None
