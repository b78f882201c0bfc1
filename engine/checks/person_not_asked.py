"""`person: another` and `person: all` ask for names: they are written where
the runner asks (a step or a `do` item; a `say` line is never answered)."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.problems import Problem

ID = "person-not-asked"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "person: another / all 只能写在步骤或 do 的项上",
        "person: another / all is written on a step or a do item",
    ),
    messages={
        "": (
            '步骤 "{step}" 的话术 (say) 不需要确认, 它的 person: {kind} 永远不会询问姓名。'
            "请把 person 写在步骤上, 或写在 do 的一项上",
            'step "{step}": a say line is never answered, so its person: {kind} never asks '
            "for names. write person on the step, or on a do item",
        ),
    },
    keys=("steps.*.say",),
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        for step in proc.steps.values():
            for item in step.say:
                p = item.person
                if p is not None and p.kind != "named":
                    yield RULE.problem(p.pos, step=step.id, kind=p.kind)
