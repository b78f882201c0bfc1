"""A procedure's id equals its file name, so `call: x` finds x.yaml."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePath

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.problems import Fix, Problem

_KEBAB = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")  # the id pattern of sop.schema.json

ID = "id-mismatch"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=("流程编号 (id) 必须与文件名相同", "the procedure id equals the file stem"),
    messages={
        "": (
            '流程编号 "{id}" 与文件名 "{stem}" 不一致。请改成 id: {stem}, 或把文件改名为 {id}.yaml',
            'procedure id "{id}" does not match the file name "{stem}". write id: {stem}, or rename the file {id}.yaml',
        ),
        "rename": (
            '流程编号 "{id}" 与文件名 "{stem}" 不一致。请把文件改名为 {id}.yaml (文件名不能用作编号)',
            'procedure id "{id}" does not match the file name "{stem}", which cannot be an id. rename the file {id}.yaml',
        ),
    },
    keys=("id",),
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        stem = PurePath(proc.path).stem
        if proc.id != stem:
            args = {"id": proc.id, "stem": stem}
            if _KEBAB.fullmatch(stem):
                yield Problem(ID, proc.pos, args, fix=Fix(proc.pos, stem))
            else:
                yield Problem(ID, proc.pos, args, "rename")
