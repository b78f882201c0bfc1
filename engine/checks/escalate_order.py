"""An escalation chain goes on in time: each level tells someone later than
the one before, so "who is told next" is never told first or at once."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.model import Escalation
from engine.problems import Problem

ID = "escalate-order"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "escalate 的各级按 after 从早到晚, 每一级比上一级晚",
        "escalation levels come later and later (after increases)",
    ),
    messages={
        "": (
            "第 {n} 级升级 (after: {after}) 不晚于上一级 (after: {before}), "
            "下一级的人会和上一级同时或更早被告知。请按 after 从早到晚排列, 每一级都比上一级晚",
            "escalation level {n} (after: {after}) is not later than the level before "
            "(after: {before}), so the next person would be told as soon or sooner. "
            "order the levels by after, each later than the one before",
        ),
    },
    keys=("escalate", "steps.*.escalate"),
)


def _said(level: Escalation) -> str:
    return level.text or "0min"


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        chains = [proc.escalate, *(s.escalate or () for s in proc.steps.values())]
        for chain in chains:
            for n, (before, level) in enumerate(pairwise(chain), 2):
                if level.after <= before.after:
                    yield RULE.problem(level.pos, n=n, after=_said(level), before=_said(before))
