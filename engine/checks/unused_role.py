"""Roles a procedure lists act in it; rulebook roles act somewhere."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks._fold import FOLD_OVER, folded
from engine.checks.context import Context
from engine.checks.rule import WARNING, Rule
from engine.checks.unknown_role import (
    escalation_refs,
    queue_role_refs,
    role_refs,
    standing_role_refs,
)
from engine.problems import Problem

ID = "unused-role"
RULE = Rule(
    id=ID,
    level=WARNING,
    description=("列出的岗位要有步骤使用", "listed roles act in some step"),
    messages={
        "": (
            '岗位 "{name}" 已列出但没有任何步骤或项由它执行。请删除它, 或指定给步骤',
            'role "{name}" is listed but no step or item uses it. remove it or assign it',
        ),
        "many": (
            "rulebook.yaml 的 {total} 个岗位中有 {count} 个没有被本文件夹的 {procedures} 个流程用到: {names}。只带着部分流程检查共用的 rulebook.yaml 时这是正常的; 要找出真正多余的岗位, 请对整个规则手册文件夹运行 sop validate",
            "{count} of the {total} roles in rulebook.yaml are used by none of the {procedures} procedures in this folder: {names}. expected when checking a shared rulebook.yaml with only some procedures; run sop validate on the whole rulebook folder to find the ones truly unused",
        ),
    },
    keys=(
        "inputs",
        "roles",
        "subject",
        "steps.*.role",
        "steps.*.say",
        "steps.*.do",
        "steps.*.next",
        "steps.*.choices",
        "steps.*.ask",
        "steps.*.with",
        "rules",
        "never_say",
        "entries",
    ),
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        used = {r.name for r in (*role_refs(proc), *escalation_refs(proc))}
        for ref in proc.roles:
            if ref.name not in used:
                yield Problem(ID, ref.pos, {"name": ref.name})


def check_rulebook(ctx: Context) -> Iterator[Problem]:
    if not ctx.whole_rulebook:
        return
    used_all = {name for o in ctx.outlines for name in o.roles}
    used_all |= {r.name for r in queue_role_refs(ctx)}  # a queue's members, its keeper
    rb = ctx.rulebook
    used_all |= {r.name for r in standing_role_refs(rb.rules, rb.never_say)}
    unused = [role for rid, role in ctx.rulebook.roles.items() if rid not in used_all]
    if len(unused) > FOLD_OVER:
        yield Problem(ID, unused[0].pos, folded(unused, ctx.rulebook.roles, ctx), "many")
    else:
        yield from (Problem(ID, role.pos, {"name": role.id}) for role in unused)
