"""Every recorded form is defined in rulebook.yaml."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.messages import listing, suggest
from engine.problems import Problem

ID = "unknown-form"
DESCRIPTION = (
    "record 的表单必须在 rulebook.yaml 中定义 / recorded forms are defined in rulebook.yaml"
)


def check(ctx: Context) -> Iterator[Problem]:
    forms = ctx.rulebook.forms
    for proc in ctx.procedures:
        for step in proc.steps.values():
            for rec in step.record:
                if rec.form.name not in forms:
                    yield Problem(
                        ID,
                        rec.form.pos,
                        {
                            "name": rec.form.name,
                            "known": listing(forms),
                            "suggestion": suggest(rec.form.name, forms),
                        },
                    )
