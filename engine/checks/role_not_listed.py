"""A procedure that lists its `roles:` uses only those roles in its steps."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.checks.unknown_role import role_refs
from engine.problems import Problem

ID = "role-not-listed"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "步骤用到的岗位必须列在流程的 roles 中",
        "step roles appear in the procedure's roles",
    ),
    messages={
        "": (
            '岗位 "{name}" 没有列在本流程的 roles 中。请把它加入 roles: [{listed}]',
            'role "{name}" is not listed in this procedure\'s roles. add it to roles: [{listed}]',
        ),
    },
)


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
