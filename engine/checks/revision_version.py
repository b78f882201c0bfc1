"""The last revision record carries the procedure's current version."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.problems import Problem

ID = "revision-version"
DESCRIPTION = "最后一条修订记录的版本等于流程版本 / the last revision matches the version"


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        revs = proc.document.revisions
        if proc.version and revs and revs[-1].version != proc.version:
            yield Problem(ID, proc.pos, {"version": proc.version, "last": revs[-1].version})
