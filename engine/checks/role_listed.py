"""A procedure that lists its `roles:` uses only those roles in its steps."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.role_refs import role_refs
from engine.problems import Problem

ID = "role-not-listed"
DESCRIPTION = "步骤用到的岗位必须列在流程的 roles 中 / step roles appear in the procedure's roles"


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        if not proc.roles:
            continue
        listed = {r.name for r in proc.roles}
        for ref in role_refs(proc):
            if ref.name not in listed and ref.name in ctx.rulebook.roles:
                yield Problem(
                    ID, ref.pos, {"name": ref.name, "listed": ", ".join(r.name for r in proc.roles)}
                )
