"""Every recorded field belongs to its form."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.messages import listing, suggest
from engine.problems import Problem, did_you_mean

ID = "unknown-field"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=("record 的字段必须属于该表单", "recorded fields belong to their form"),
    messages={
        "": (
            '表单 "{form}" 没有字段 "{name}"。{hint}该表单的字段: {known}',
            'form "{form}" has no field "{name}". {hint}its fields: {known}',
        ),
    },
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        for step in proc.steps.values():
            for rec in step.record:
                form = ctx.rulebook.forms.get(rec.form.name)
                if form is None:
                    continue
                for ref in rec.fields:
                    if ref.name not in form.fields:
                        yield Problem(
                            ID,
                            ref.pos,
                            {
                                "name": ref.name,
                                "form": form.id,
                                "known": listing(form.fields, 20),
                                "suggestion": suggest(ref.name, form.fields),
                            },
                            fix=did_you_mean(ref.pos, suggest(ref.name, form.fields)),
                        )
