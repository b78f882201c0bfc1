"""Every form in rulebook.yaml is recorded by some procedure."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks._fold import FOLD_OVER, folded
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
        "many": (
            "rulebook.yaml 的 {total} 个表单中有 {count} 个没有被本文件夹的 {procedures} 个流程记录: {names}。只带着部分流程检查共用的 rulebook.yaml 时这是正常的; 要找出真正多余的表单, 请对整个规则手册文件夹运行 sop validate",
            "{count} of the {total} forms in rulebook.yaml are recorded by none of the {procedures} procedures in this folder: {names}. expected when checking a shared rulebook.yaml with only some procedures; run sop validate on the whole rulebook folder to find the ones truly unused",
        ),
    },
)


def check_rulebook(ctx: Context) -> Iterator[Problem]:
    if not ctx.whole_rulebook:
        return
    used = {name for o in ctx.outlines for name in o.forms}
    unused = [form for fid, form in ctx.rulebook.forms.items() if fid not in used]
    if len(unused) > FOLD_OVER:
        yield Problem(ID, unused[0].pos, folded(unused, ctx.rulebook.forms, ctx), "many")
    else:
        yield from (Problem(ID, form.pos, {"name": form.id}) for form in unused)
