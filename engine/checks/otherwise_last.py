"""An automatic `next` list ends with its one branch without `when`."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.problems import Problem

ID = "otherwise-last"
DESCRIPTION = '自动转入的分支以不带 when 的"否则"结尾 / an automatic next ends with an otherwise'


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        for step in proc.steps.values():
            branches = step.next
            if len(branches) < 2 and not (branches and branches[0].when):
                continue
            for branch in branches[:-1]:
                if branch.when is None:
                    yield Problem(ID, branch.to.pos, {"step": step.id}, "not-last")
            if branches[-1].when is not None:
                yield Problem(ID, branches[-1].when.pos, {"step": step.id}, "missing")
