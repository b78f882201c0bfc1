"""Every `call` names a procedure of the rulebook."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.messages import listing, suggest
from engine.problems import Problem, did_you_mean

ID = "unknown-procedure"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=("call 调用的流程必须存在", "call names an existing procedure"),
    messages={
        "": (
            '调用的流程 "{name}" 不存在。{hint}已有的流程: {known}',
            'called procedure "{name}" does not exist. {hint}procedures: {known}',
        ),
    },
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        for step in proc.steps.values():
            if step.call and step.call.procedure.name not in ctx.procedure_ids:
                name = step.call.procedure.name
                yield Problem(
                    ID,
                    step.call.procedure.pos,
                    {
                        "name": name,
                        "known": listing(ctx.procedure_ids),
                        "suggestion": suggest(name, ctx.procedure_ids),
                    },
                    fix=did_you_mean(step.call.procedure.pos, suggest(name, ctx.procedure_ids)),
                )
