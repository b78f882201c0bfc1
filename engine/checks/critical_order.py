"""Critical items come first in a step's `do` list."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import WARNING, Rule
from engine.problems import Problem

ID = "critical-order"
RULE = Rule(
    id=ID,
    level=WARNING,
    description=("关键项排在非关键项之前", "critical items come first"),
    messages={
        "": (
            '关键项 "{item}" 排在非关键项之后。请把关键项 (critical: true) 移到最前面',
            'critical item "{item}" comes after a non-critical one. move critical items first',
        ),
    },
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        for step in proc.steps.values():
            seen_plain = False
            for item in step.do:
                if not item.critical:
                    seen_plain = True
                elif seen_plain:
                    text = item.text.source
                    yield Problem(
                        ID, item.text.pos, {"item": text if len(text) <= 20 else text[:19] + "…"}
                    )
