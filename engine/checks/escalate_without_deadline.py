"""An escalation chain hangs on a deadline: a step with none is never
overdue, so its chain would never tell anyone; nor would a procedure's chain
that no step with a deadline uses."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.problems import Problem

ID = "escalate-without-deadline"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "escalate 只能用在有期限的步骤上 (within、at、due 或里程碑日期)",
        "escalate needs a deadline to pass (within, at, due or a milestone's date)",
    ),
    messages={
        "": (
            '步骤 "{step}" 没有期限, 永远不会超时, 它的 escalate 不会告诉任何人。'
            "请给此步写期限 (如 within: 24h, 或客户旅程的 due), 或删去 escalate",
            'step "{step}" has no deadline, so it is never overdue and its escalate tells '
            "no one. give the step a deadline (e.g. within: 24h, or a journey's due), "
            "or remove escalate",
        ),
        "procedure": (
            "本流程没有一个步骤有期限 (within、at、due 或里程碑), 流程的 escalate 不会告诉任何人。"
            "请给要跟进的步骤写期限, 或删去 escalate",
            "no step of this procedure has a deadline (within, at, due or a milestone), so "
            "the procedure's escalate tells no one. give the steps to follow up a deadline, "
            "or remove escalate",
        ),
        "unused": (
            "本流程每个有期限的步骤都写了自己的 escalate, 流程的 escalate 不会用到。"
            "请删去流程的 escalate, 或删去与它相同的步骤 escalate",
            "every step of this procedure with a deadline has an escalate of its own, so the "
            "procedure's escalate is never used. remove it, or the steps' escalates that "
            "repeat it",
        ),
    },
    keys=(
        "escalate",
        "steps.*.escalate",
        "steps.*.within",
        "steps.*.at",
        "steps.*.due",
        "steps.*.milestone",
    ),
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        for step in proc.steps.values():
            if step.escalate and not step.has_deadline:
                yield RULE.problem(step.escalate[0].pos, step=step.id)
        if not proc.escalate:
            continue
        dated = [s for s in proc.steps.values() if s.has_deadline]
        if not dated:
            yield RULE.problem(proc.escalate[0].pos, "procedure")
        elif all(s.escalate is not None for s in dated):
            yield RULE.problem(proc.escalate[0].pos, "unused")
