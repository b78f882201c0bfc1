"""A `call` names a procedure that can be run: not a code of conduct (rules only)."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.problems import Problem

ID = "call-not-runnable"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "call 不能调用只有守则、没有步骤的流程",
        "call names a procedure with steps, not a code of conduct",
    ),
    messages={
        "": (
            '调用的流程 "{name}" 只有守则和禁用语, 没有步骤, 不能运行。'
            "守则在它约束的岗位和步骤上自动显示, 不需要调用; 请删去这个 call",
            'called procedure "{name}" has only standing rules and no steps, so it cannot run. '
            "its rules show by themselves at the posts and steps they bind; remove this call",
        ),
    },
)


def check_rulebook(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.outlines:
        for call in proc.calls:
            callee = ctx.callee(call.procedure.name)
            if callee is not None and not callee.runnable:
                yield Problem(ID, call.procedure.pos, {"name": call.procedure.name})
