"""The last revision record carries the procedure's current version."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import WARNING, Rule
from engine.problems import Problem

ID = "revision-version"
RULE = Rule(
    id=ID,
    level=WARNING,
    description=("最后一条修订记录的版本等于流程版本", "the last revision matches the version"),
    messages={
        "": (
            '最后一条修订记录的版本 "{last}" 与流程版本 "{version}" 不一致。请补上修订记录或改正版本号',
            'the last revision\'s version "{last}" differs from the procedure version "{version}". add a revision or fix the version',
        ),
    },
    keys=("version", "document"),
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        revs = proc.document.revisions
        if proc.version and revs and revs[-1].version != proc.version:
            yield Problem(ID, proc.pos, {"version": proc.version, "last": revs[-1].version})
