"""A guard that every value of its names makes true says nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator

from engine.checks._types import typed
from engine.checks.context import Context
from engine.checks.guard_never_true import guarded
from engine.checks.rule import WARNING, Rule
from engine.problems import Problem

ID = "guard-always-true"
RULE = Rule(
    id=ID,
    level=WARNING,
    description=(
        "条件在输入项的类型和选项下不应总是成立",
        "a guard does not hold for every value of its names' types and options",
    ),
    messages={
        "": (
            "条件 {text} 总是成立: 按各输入项的类型和选项, 任何取值都让它成立, 写了等于没写。请检查条件, 或删除这个 when",
            "the guard {text} always holds: every value its names' types and options allow makes it true, so it changes nothing. check it, or drop the when",
        ),
    },
    keys=("inputs", "steps"),
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        types = typed(ctx, proc)
        parsed = {id(e): not a.findings for e, a in ctx.exprs(proc)}
        for expr, _, in_next in guarded(proc):
            # In a `next`, a branch that always holds shadows the ones after
            # it: branch-never-taken reports those.
            if in_next or not parsed.get(id(expr)) or types.mismatches(expr.source):
                continue
            if types.outcomes(expr.source) == frozenset({"true"}):
                yield Problem(ID, expr.pos, {"text": json.dumps(expr.source, ensure_ascii=False)})
