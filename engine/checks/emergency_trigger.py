"""An emergency says when it applies, so staff can recognise it."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import WARNING, Rule
from engine.problems import Problem

ID = "emergency-trigger"
RULE = Rule(
    id=ID,
    level=WARNING,
    description=("应急流程要写 trigger", "an emergency has a trigger"),
    messages={
        "": (
            "应急流程没有写 trigger (什么情况下启动)。请补上, 员工需要据此判断",
            "emergency procedure has no trigger (when it applies). add one so staff can recognise the situation",
        ),
    },
    keys=("trigger", "kind"),
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        if proc.kind == "emergency" and not proc.trigger:
            yield Problem(ID, proc.pos, {})
