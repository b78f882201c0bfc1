"""Every form in rulebook.yaml is recorded by some procedure."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import WARNING, Rule
from engine.problems import Problem

ID = "unused-form"
RULE = Rule(
    id=ID,
    level=WARNING,
    description=("定义的表单要有流程记录", "defined forms are recorded somewhere"),
    messages={
        "": (
            '表单 "{name}" 已定义但没有任何流程记录它。请删除它, 或在步骤的 record 中使用',
            'form "{name}" is defined but no procedure records it. remove it or record it in a step',
        ),
    },
)


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
