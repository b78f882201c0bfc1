"""Roles a procedure lists act in it; rulebook roles act somewhere."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.role_refs import role_refs
from engine.problems import Problem

ID = "unused-role"
DESCRIPTION = "列出的岗位要有步骤使用 / listed roles act in some step"


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
