"""A conditional record (`record: {form: {fields, when}}`) is decided before
its form is filled in: its condition cannot read that form's own fields (it
would read the value an earlier step recorded, or nothing)."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.problems import Problem

ID = "record-when-own-form"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "表单的填写条件不能读这张表单自己的字段",
        "a conditional record's when does not read its own form's fields",
    ),
    messages={
        "": (
            '《{form}》的填写条件读了它自己的字段 "{name}": 条件在填写这张表单之前判断, '
            "那时这个字段还没有本步的值。请改用输入项, 或本步之前记录的字段",
            'the condition for filling in 《{form}》 reads its own field "{name}": the condition '
            "is judged before the form is filled in, when the field has no value from this step. "
            "use an input, or a field recorded before this step",
        ),
    },
    keys=("steps.*.record", "entries"),
)


def check(ctx: Context) -> Iterator[Problem]:
    forms = ctx.rulebook.forms
    for proc in ctx.procedures:
        analysed = dict((id(e), a) for e, a in ctx.exprs(proc))
        for step in proc.steps.values():
            for rec in step.record:
                when = rec.when
                found = analysed.get(id(when)) if when is not None else None
                if when is None or found is None or found.findings:
                    continue  # the syntax rules say what is wrong
                own = rec.form.name + "."
                for name in sorted(n for n in found.names if n.startswith(own)):
                    form = forms.get(rec.form.name)
                    title = form.title if form is not None else rec.form.name
                    yield Problem(ID, when.pos, {"form": title, "name": name})
