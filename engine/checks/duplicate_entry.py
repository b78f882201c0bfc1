"""A rule table's entries have their own ids and numbers."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.problems import Problem

ID = "duplicate-entry"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "规则表的条目编号和序号不能重复",
        "a rule table's entry ids and numbers are unique",
    ),
    messages={
        "": (
            '序号 {number} 已是条目 "{other}" 的序号。员工按序号查找, 每条的序号必须不同',
            'number {number} is already entry "{other}"\'s. staff find entries by number, so each needs its own',
        ),
        "id": (
            '条目编号 "{id}" 已在第 {line} 行使用。每条的编号必须不同',
            'entry id "{id}" is already used on line {line}. each entry needs its own id',
        ),
    },
    keys=("entries",),
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        numbers: dict[int, str] = {}
        ids: dict[str, int] = {}
        for entry in proc.entries:
            if entry.id in ids:
                yield RULE.problem(entry.pos, "id", id=entry.id, line=ids[entry.id])
            else:
                ids[entry.id] = entry.pos.line
            if entry.number in numbers:
                yield RULE.problem(
                    entry.number_pos, number=entry.number, other=numbers[entry.number]
                )
            else:
                numbers[entry.number] = entry.id
