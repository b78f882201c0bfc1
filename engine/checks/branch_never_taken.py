"""Every branch of an automatic `next` is taken for some values: not shadowed by the ones before."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks._types import Typed, branches_taken, typed
from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.model import FIND_STEP, Branch, Step, branches_of
from engine.problems import Problem

ID = "branch-never-taken"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "自动转入的每个分支都要有机会被选中",
        "every branch of an automatic next is taken for some values",
    ),
    messages={
        "": (
            '步骤 "{step}" 中去 "{to}" 的分支永远不会被选中: 凡是它的条件成立时, 前面的分支都已先被选中。请调整分支的顺序或条件',
            'in step "{step}", the branch to "{to}" is never taken: whenever its guard holds, a branch before it is taken first. reorder the branches or change their guards',
        ),
        "otherwise": (
            '步骤 "{step}" 的"否则"分支 (去 "{to}") 永远不会走到: 前面的分支已经覆盖了所有情况。请删除它, 或去掉上一个分支的 when 让它成为"否则"',
            'in step "{step}", the otherwise branch (to "{to}") is never taken: the branches before it cover every case. delete it, or drop the when of the branch before so that it becomes the otherwise',
        ),
    },
    keys=(
        "inputs",
        "steps.*.next",
    ),
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        types = typed(ctx, proc)
        parsed = {e.source: not a.findings for e, a in ctx.exprs(proc) if e.kind == "guard"}
        for step in proc.steps.values():
            if step.id == FIND_STEP:
                continue  # a decision table's entries: unreachable-entry
            for way in step.ways:
                yield from _never_taken(step, branches_of(way), types, parsed)


def _never_taken(
    step: Step, branches: tuple[Branch, ...], types: Typed, parsed: dict[str, bool]
) -> Iterator[Problem]:
    if len(branches) < 2:
        return
    guards = [b.when.source if b.when else None for b in branches]
    if any(g is not None and (not parsed.get(g) or types.mismatches(g)) for g in guards):
        return  # a guard that does not parse or compares wrongly says so itself
    taken = branches_taken(guards, types.doms)
    if taken is None:
        return
    for i, branch in enumerate(branches):
        if i in taken:
            continue
        when = branch.when
        seen = types.outcomes(when.source) if when else None
        if seen is not None and "true" not in seen:
            continue  # guard-never-true says why
        yield Problem(
            ID,
            branch.to.pos,
            {"step": step.id, "to": branch.to.name},
            "" if when else "otherwise",
        )
