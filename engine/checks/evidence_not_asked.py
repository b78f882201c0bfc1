"""Evidence is written where the runner asks for it: on a step or a `do`
item (a `say` line is never answered), and it asks for something."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.problems import Problem

ID = "evidence-not-asked"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "evidence 只能写在步骤或 do 的项上, 且要求照片或签名",
        "evidence is written on a step or a do item, and asks for photos or a signature",
    ),
    messages={
        "": (
            '步骤 "{step}" 的话术 (say) 不需要确认, 它的 evidence 永远不会被要求。'
            "请把 evidence 写在步骤上, 或写在 do 的一项上",
            'step "{step}": a say line is never answered, so its evidence is never asked for. '
            "write evidence on the step, or on a do item",
        ),
        "nothing": (
            '步骤 "{step}" 的 evidence 什么也没有要求。请写 photo: 1 (照片张数) 或 '
            "signature: true, 或删去 evidence",
            'step "{step}": evidence asks for nothing. write photo: 1 (how many photos) or '
            "signature: true, or remove evidence",
        ),
    },
    keys=("steps.*.evidence", "steps.*.do", "steps.*.say"),
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        for step in proc.steps.values():
            for item in step.say:
                if item.evidence is not None:
                    yield RULE.problem(item.evidence.pos, step=step.id)
            for ev in (step.evidence, *(i.evidence for i in step.do)):
                if ev is not None and not ev.photos and not ev.signature:
                    yield RULE.problem(ev.pos, "nothing", step=step.id)
