"""A step asks for no more than 9 `do` items: more cannot be held in mind."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import WARNING, Rule
from engine.problems import Problem

ID = "too-many-items"
RULE = Rule(
    id=ID,
    level=WARNING,
    description=("一个步骤的 do 不超过 9 项", "at most 9 do items per step"),
    messages={
        "": (
            '步骤 "{step}" 有 {count} 项要做, 超过 {limit} 项, 现场难以记住。请拆成几个步骤',
            'step "{step}" has {count} items to do, more than {limit}; too many to hold in mind. split the step',
        ),
    },
)
LIMIT = 9


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        for step in proc.steps.values():
            if len(step.do) > LIMIT:
                yield Problem(
                    ID,
                    step.do[LIMIT].text.pos,
                    {"step": step.id, "count": len(step.do), "limit": LIMIT},
                )
