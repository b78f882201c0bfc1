"""An emergency says when it applies, so staff can recognise it."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.problems import Problem

ID = "emergency-trigger"
DESCRIPTION = "应急流程要写 trigger / an emergency has a trigger"


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        if proc.kind == "emergency" and not proc.trigger:
            yield Problem(ID, proc.pos, {})
