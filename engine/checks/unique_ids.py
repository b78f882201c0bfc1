"""No two procedures share an id."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.problems import Problem

ID = "duplicate-id"
DESCRIPTION = "流程编号不能重复 / procedure ids are unique"


def check(ctx: Context) -> Iterator[Problem]:
    first: dict[str, str] = {}
    for proc in ctx.procedures:
        if proc.id in first:
            yield Problem(ID, proc.pos, {"id": proc.id, "other": first[proc.id]})
        else:
            first[proc.id] = proc.path
