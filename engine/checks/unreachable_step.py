"""Every step can be reached from `start`."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.messages import suggest
from engine.model import Procedure
from engine.problems import Problem

ID = "unreachable-step"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=("每个步骤都能从 start 到达", "every step is reachable from start"),
    messages={
        "": (
            '步骤 "{step}" 从 start 出发无法到达。请从某个步骤的 next/choices 指向它, 或删除它',
            'step "{step}" cannot be reached from start. point a next/choice at it, or delete it',
        ),
    },
    keys=(
        "start",
        "steps.*.next",
        "steps.*.choices",
        "steps.*.call",
        "steps.*.end",
        "steps.*.with",
    ),
)


def reachable(proc: Procedure) -> set[str]:
    """Steps reachable from start. A misspelt target counts as reaching the
    step it was probably meant to be, so one typo is reported once."""
    seen: set[str] = set()
    todo = [proc.start.name]
    while todo:
        sid = todo.pop()
        if sid not in proc.steps:
            meant = suggest(sid, proc.steps)
            if meant is None:
                continue
            sid = meant
        if sid in seen:
            continue
        seen.add(sid)
        todo.extend(t.name for t in proc.steps[sid].targets)
    return seen


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        if proc.start.name not in proc.steps:
            continue  # unknown-step says so
        seen = reachable(proc)
        for sid, step in proc.steps.items():
            if sid not in seen:
                yield Problem(ID, step.pos, {"step": sid})
