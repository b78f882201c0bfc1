"""`timeout:` is written on a step that has a deadline (`within` or `due`)
and stops for staff (a run that asks nothing leaves the step at once)."""

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
        "no-prompt": (
            '步骤 "{step}" 写了 timeout: {to}, 但这一步没有要员工做或回答的事 (do、record、ask、'
            "choices), 运行到达后立即离开, 永远不会超时。请把 timeout 写在员工要完成的那一步上",
            'step "{step}" has timeout: {to}, but nothing in it stops for staff (no do, record, '
            "ask or choices): a run leaves it at once and it never times out. write timeout on "
            "the step staff must complete",
        ),
    },
    keys=("steps.*.timeout", "steps.*.within", "steps.*.due"),
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        for step in proc.steps.values():
            if step.timeout is None:
                continue
            args = {"step": step.id, "to": step.timeout.name}
            if step.within is None and step.due is None:
                yield Problem(ID, step.timeout.pos, args)
            elif not step.stops:
                yield Problem(ID, step.timeout.pos, args, "no-prompt")
