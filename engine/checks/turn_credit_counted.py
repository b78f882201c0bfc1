"""A turn that credits a make-up turn is not itself a reception."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.problems import Fix, Problem

ID = "turn-credit-counted"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "credit: true (补接待一次) 的 turn 不能同时计接待次数",
        "a turn with credit: true (a make-up turn) cannot also count",
    ),
    messages={
        "": (
            "credit: true 表示本次不计接待、补给此人一次接待, 与 counts: true 矛盾。"
            "请删除 counts, 或写 counts: false",
            "credit: true means this does not count and the person is owed a make-up turn; "
            "counts: true contradicts it. remove counts, or write counts: false",
        ),
    },
    keys=("steps.*.turn",),
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        for step in proc.steps.values():
            turn = step.turn
            if turn is None or not (turn.credit and turn.counts) or turn.counts_pos is None:
                continue
            pos = turn.counts_pos
            yield Problem(ID, pos, {}, fix=Fix(pos, "false"))
