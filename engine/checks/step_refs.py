"""`start` and every `next`/`choices` target name a step of the procedure."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.messages import listing, suggest
from engine.model import Ref
from engine.problems import Problem

ID = "unknown-step"
DESCRIPTION = (
    "start、next、choices 指向的步骤必须存在 / start, next and choices name existing steps"
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        refs: list[tuple[Ref, str, str]] = [(proc.start, " (start)", " (start)")]
        for step in proc.steps.values():
            for target in step.targets:
                refs.append((target, f' (在步骤 "{step.id}" 中)', f' (in step "{step.id}")'))
        for ref, where, where_en in refs:
            if ref.name not in proc.steps:
                yield Problem(
                    ID,
                    ref.pos,
                    {
                        "name": ref.name,
                        "where": where,
                        "where_en": where_en,
                        "known": listing(proc.steps),
                        "suggestion": suggest(ref.name, proc.steps),
                    },
                )
