"""A guard that no value of its names can make true: its item, branch, choice or
conditional record is dead."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import assert_never

from engine.checks._types import typed
from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.model import Call, Choices, End, Expr, Next, Parallel, Procedure
from engine.problems import Problem, Said

ID = "guard-never-true"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "条件在输入项的类型和选项下必须有可能成立",
        "a guard can hold for some value of its names' types and options",
    ),
    messages={
        "": (
            "条件 {text} 永远不成立: 按各输入项的类型和选项, 没有任何取值能让它成立, {effect}。请检查条件",
            "the guard {text} never holds: no value its names' types and options allow makes it true, so {effect}. check the guard",
        ),
    },
    keys=("inputs", "steps"),
)

ITEM = Said("这一项永远不会出现", "this item never shows")
BRANCH = Said("这个分支永远不会走到", "this branch is never taken")
CHOICE = Said("这个选项永远不会出现", "this choice is never offered")
RECORD = Said("这张表单永远不会填写", "this form is never filled in")


def guarded(proc: Procedure) -> Iterator[tuple[Expr, Said, bool]]:
    """Every guard of a procedure, what it guards, and whether it is a `next` branch's."""
    for step in proc.steps.values():
        for item in (*step.say, *step.do):
            if item.when:
                yield item.when, ITEM, False
        yield from ((r.when, RECORD, False) for r in step.record if r.when)
        for way in step.ways:
            match way:
                case Next(branches) | Call(next=Next(branches)) | Parallel(next=Next(branches)):
                    yield from ((b.when, BRANCH, True) for b in branches if b.when)
                case Choices(choices):
                    yield from ((c.when, CHOICE, False) for c in choices if c.when)
                case End():
                    pass
                case _:
                    assert_never(way)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        types = typed(ctx, proc)
        parsed = {id(e): not a.findings for e, a in ctx.exprs(proc)}
        for expr, effect, _ in guarded(proc):
            if not parsed.get(id(expr)) or types.mismatches(expr.source):
                continue  # compare-value or the syntax rules say what is wrong
            seen = types.outcomes(expr.source)
            if seen is not None and "false" in seen and "true" not in seen:
                text = json.dumps(expr.source, ensure_ascii=False)
                yield Problem(ID, expr.pos, {"text": text, "effect": effect})
