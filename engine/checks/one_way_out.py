"""Each step has exactly one way out: next, choices, call+next, parallel+next, or end."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.checks.unreachable_step import flow, shown
from engine.model import NOWHERE, Call, Parallel, exit_key
from engine.problems import Problem

ID = "one-way-out"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=("每个步骤只有一种出口", "each step has exactly one way out"),
    messages={
        "none": (
            '步骤 "{step}" 没有出口。请写 next、choices、call+next、parallel+next 或 end 中的一种',
            'step "{step}" has no way out. write one of next, choices, call+next, parallel+next or end',
        ),
        "none-cut": (
            '步骤 "{step}" 没有出口。请写 next、choices、call+next、parallel+next 或 end 中的一种。写在它后面的 {count} 个步骤因此无法到达 ({steps})',
            'step "{step}" has no way out. write one of next, choices, call+next, parallel+next or end. the {count} steps written after it cannot be reached because of it ({steps})',
        ),
        "many": (
            '步骤 "{step}" 有多种出口 ({keys}), 只能保留一种',
            'step "{step}" has several ways out ({keys}); keep exactly one',
        ),
        "call-without-next": (
            '步骤 "{step}" 调用了流程但没有写 next (调用结束后去哪里)',
            'step "{step}" calls a procedure but has no next (where to go after it returns)',
        ),
        "call-without-next-cut": (
            '步骤 "{step}" 调用了流程但没有写 next (调用结束后去哪里)。写在它后面的 {count} 个步骤因此无法到达 ({steps})',
            'step "{step}" calls a procedure but has no next (where to go after it returns). the {count} steps written after it cannot be reached because of it ({steps})',
        ),
        "parallel-without-next": (
            '步骤 "{step}" 写了 parallel 但没有写 next (开始各分支后本流程去哪里)',
            'step "{step}" has parallel but no next (where the run goes on once its branches start)',
        ),
        "parallel-without-next-cut": (
            '步骤 "{step}" 写了 parallel 但没有写 next (开始各分支后本流程去哪里)。写在它后面的 {count} 个步骤因此无法到达 ({steps})',
            'step "{step}" has parallel but no next (where the run goes on once its branches start). the {count} steps written after it cannot be reached because of it ({steps})',
        ),
        "with-without-call": (
            '步骤 "{step}" 写了 with 但没有 call。with 只能和 call 一起用',
            'step "{step}" has with but no call. with only goes with call',
        ),
    },
    keys=(
        "start",
        "steps.*.next",
        "steps.*.choices",
        "steps.*.call",
        "steps.*.end",
        "steps.*.with",
        "steps.*.parallel",
    ),
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        cut = flow(ctx, proc).cut
        for step in proc.steps.values():
            args: dict[str, object] = {"step": step.id}
            lost = cut.get(step.id)
            if lost:
                args.update(count=len(lost), steps=shown(lost))
            if "with" in step.stray:
                yield Problem(ID, step.pos, args, "with-without-call")
            for way in step.ways:
                if isinstance(way, Call | Parallel) and not way.next.branches:
                    kind = "call" if isinstance(way, Call) else "parallel"
                    variant = f"{kind}-without-next-cut" if lost else f"{kind}-without-next"
                    yield Problem(ID, step.pos, args, variant)
            if step.also:
                keys = ", ".join(exit_key(way) for way in step.ways)
                yield Problem(ID, step.pos, {**args, "keys": keys}, "many")
            elif step.exit == NOWHERE:
                yield Problem(ID, step.pos, args, "none-cut" if lost else "none")
