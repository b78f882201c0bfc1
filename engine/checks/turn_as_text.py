"""A turn's `as` puts a person's name into an input: the input holds text."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.problems import Problem

ID = "turn-as-text"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "turn 的 as 放入的是姓名, 所指的输入项必须是 text 类型",
        "a turn's as holds a name: its input is of type text",
    ),
    messages={
        "": (
            'turn 的 as 把取到的姓名放进输入项 "{name}", 但它的类型是 {type}。'
            "请把它声明为 {{type: text}}, 或用另一个 text 输入项",
            'a turn\'s as puts the name taken into input "{name}", but its type is {type}. '
            "declare it {{type: text}}, or use another text input",
        ),
    },
    keys=("inputs", "steps.*.turn"),
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        inputs = ctx.rulebook.inputs_for(proc)
        for step in proc.steps.values():
            ref = step.turn.binds if step.turn else None
            inp = inputs.get(ref.name) if ref else None
            if ref is not None and inp is not None and inp.type != "text":
                yield RULE.problem(ref.pos, name=ref.name, type=inp.type)
