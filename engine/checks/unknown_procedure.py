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


def check_rulebook(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.outlines:
        for call in proc.calls:
            name = call.procedure.name
            if name not in ctx.procedure_ids:
                meant = suggest(name, ctx.procedure_ids)
                yield Problem(
                    ID,
                    call.procedure.pos,
                    {"name": name, "known": listing(ctx.procedure_ids), "suggestion": meant},
                    fix=did_you_mean(call.procedure.pos, meant),
                )
