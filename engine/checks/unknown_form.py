"""Every recorded form is defined in rulebook.yaml."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.messages import listing, suggest
from engine.problems import Problem, did_you_mean

ID = "unknown-form"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "record 的表单必须在 rulebook.yaml 中定义",
        "recorded forms are defined in rulebook.yaml",
    ),
    messages={
        "": (
            '表单 "{name}" 未在 rulebook.yaml 的 forms 中定义。{hint}已有的表单: {known}',
            'form "{name}" is not defined in rulebook.yaml forms. {hint}forms: {known}',
        ),
    },
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
                        fix=did_you_mean(rec.form.pos, suggest(rec.form.name, forms)),
                    )
