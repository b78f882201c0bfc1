"""A value written in `set:` fits the input it is given to."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks._fits import fits
from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.problems import Problem, Said

ID = "set-value"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "set 写的值符合输入项的类型",
        "set values fit the types of the inputs they are given to",
    ),
    messages={
        "": (
            '给 "{name}" 的值 {value} 不符合它的类型 {type}{detail}',
            'value {value} given to "{name}" does not fit its type {type}{detail}',
        ),
    },
    keys=("inputs", "steps"),
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        inputs = ctx.rulebook.inputs_for(proc)
        for _, assign in proc.assigned():
            inp = inputs.get(assign.target.name)
            if inp is None or assign.templated:
                continue  # unknown-input's to report; a template is read when it is rendered
            ok, detail, detail_en = fits(inp, assign.raw)
            if not ok:
                yield Problem(
                    ID,
                    assign.value.pos,
                    {
                        "name": assign.target.name,
                        "value": repr(assign.raw),
                        "type": inp.type,
                        "detail": Said(detail, detail_en),
                    },
                )
