"""No two procedures share an id."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context, Outline
from engine.checks.rule import ERROR, Rule
from engine.problems import Problem

ID = "duplicate-id"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=("流程编号不能重复", "procedure ids are unique"),
    messages={
        "": (
            '流程编号 "{id}" 已在 {other} 中使用。每个流程的编号必须唯一',
            'procedure id "{id}" is already used in {other}. every procedure needs its own id',
        ),
    },
)


def check_rulebook(ctx: Context) -> Iterator[Problem]:
    by_id: dict[str, list[Outline]] = {}
    for proc in ctx.outlines:
        by_id.setdefault(proc.id, []).append(proc)
    for same in by_id.values():
        first, *later = same
        for proc in later:
            yield Problem(ID, proc.pos, {"id": proc.id, "other": first.path})
        # Checking only the first file: its clash is reported there.
        if later and ctx.focus is not None and not any(p.path in ctx.focus for p in later):
            yield Problem(ID, first.pos, {"id": first.id, "other": later[0].path})
