"""Every form in rulebook.yaml is recorded by some procedure."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.problems import Problem

ID = "unused-form"
DESCRIPTION = "定义的表单要有流程记录 / defined forms are recorded somewhere"


def check(ctx: Context) -> Iterator[Problem]:
    if not ctx.whole_rulebook:
        return
    used = {
        rec.form.name
        for p in ctx.rulebook.procedures.values()
        for s in p.steps.values()
        for rec in s.record
    }
    for fid, form in ctx.rulebook.forms.items():
        if fid not in used:
            yield Problem(ID, form.pos, {"name": fid})
