"""A step asks for no more than 9 `do` items: more cannot be held in mind."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.problems import Problem

ID = "too-many-items"
DESCRIPTION = "一个步骤的 do 不超过 9 项 / at most 9 do items per step"
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
