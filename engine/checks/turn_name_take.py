"""A turn's `name` is read only when it takes a named person."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.problems import Fix, Problem

ID = "turn-name-take"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "turn 写了 name 时 take 必须是 named",
        "a turn that gives a name takes: named",
    ),
    messages={
        "": (
            'turn 写了 name, 但 take 是 "{take}": name 只在 take: named 时使用, '
            "{take} 会按轮序取人而不看 name。请写 take: named, 或删除 name",
            'the turn gives a name but takes "{take}": name is read only with take: named, '
            "and {take} takes by the order regardless. write take: named, or remove name",
        ),
    },
    keys=("steps.*.turn",),
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        for step in proc.steps.values():
            turn = step.turn
            if turn is None or turn.name is None or turn.take == "named":
                continue
            pos = turn.take_pos or turn.name.pos
            fix = Fix(turn.take_pos, "named") if turn.take_pos else None
            yield Problem(ID, pos, {"take": turn.take}, fix=fix)
