"""Roles a procedure lists act in it; rulebook roles act somewhere."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import WARNING, Rule
from engine.checks.unknown_role import role_refs
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
    ),
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        used = {r.name for r in role_refs(proc)}
        for ref in proc.roles:
            if ref.name not in used:
                yield Problem(ID, ref.pos, {"name": ref.name})
    if ctx.whole_rulebook:
        used_all = {
            r.name for p in ctx.rulebook.procedures.values() for r in (*p.roles, *role_refs(p))
        }
        for rid, role in ctx.rulebook.roles.items():
            if rid not in used_all:
                yield Problem(ID, role.pos, {"name": rid})
