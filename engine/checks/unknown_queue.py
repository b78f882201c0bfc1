"""A step's `turn` takes from a queue declared in rulebook.yaml."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.messages import listing, suggest
from engine.problems import Problem, did_you_mean

ID = "unknown-queue"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "turn 用到的轮序必须在 rulebook.yaml 的 queues 中声明",
        "a turn's queue is declared in rulebook.yaml queues",
    ),
    messages={
        "": (
            '轮序 "{name}" 未在 rulebook.yaml 的 queues 中声明。{hint}已声明的轮序: {known}',
            'queue "{name}" is not declared in rulebook.yaml queues. {hint}queues: {known}',
        ),
    },
    keys=("steps.*.turn",),
)


def check(ctx: Context) -> Iterator[Problem]:
    queues = ctx.rulebook.queues
    for proc in ctx.procedures:
        for step in proc.steps.values():
            if step.turn is None or step.turn.queue.name in queues:
                continue
            ref = step.turn.queue
            meant = suggest(ref.name, queues)
            yield Problem(
                ID,
                ref.pos,
                {"name": ref.name, "known": listing(queues), "suggestion": meant},
                fix=did_you_mean(ref.pos, meant),
            )
