"""`timeout:` is written on a step that has a deadline (`within` or `due`)."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.problems import Problem

ID = "timeout-without-deadline"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "写了 timeout 的步骤必须有期限 (within 或 due)",
        "a step with timeout has a deadline (within or due)",
    ),
    messages={
        "": (
            '步骤 "{step}" 写了 timeout: {to}, 但没有期限, 永远不会超时。'
            "请加上 within (如 within: 24h) 或 due, 或删去 timeout",
            'step "{step}" has timeout: {to} but no deadline, so it never times out. '
            "add within (e.g. within: 24h) or due, or remove timeout",
        ),
    },
    keys=("steps.*.timeout", "steps.*.within", "steps.*.due"),
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        for step in proc.steps.values():
            if step.timeout is not None and step.within is None and step.due is None:
                yield Problem(ID, step.timeout.pos, {"step": step.id, "to": step.timeout.name})
