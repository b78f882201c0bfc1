"""A procedure's id equals its file name, so `call: x` finds x.yaml."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePath

from engine.checks.context import Context
from engine.problems import Problem

ID = "id-mismatch"
DESCRIPTION = "流程编号 (id) 必须与文件名相同 / the procedure id equals the file stem"


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        stem = PurePath(proc.path).stem
        if proc.id != stem:
            yield Problem(ID, proc.pos, {"id": proc.id, "stem": stem})
