"""Each step has exactly one way out: next, choices, call+next, or end."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.problems import Problem

ID = "one-way-out"
DESCRIPTION = "每个步骤只有一种出口 / each step has exactly one way out"


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        for step in proc.steps.values():
            declared = set(step.exits_declared)
            args = {"step": step.id}
            if "with" in step.written and "call" not in declared:
                yield Problem(ID, step.pos, args, "with-without-call")
            if "call" in declared:
                declared.discard("next")
                if not step.next:
                    yield Problem(ID, step.pos, args, "call-without-next")
            if not declared:
                yield Problem(ID, step.pos, args, "none")
            elif len(declared) > 1:
                keys = ", ".join(k for k in step.exits_declared)
                yield Problem(ID, step.pos, {**args, "keys": keys}, "many")
