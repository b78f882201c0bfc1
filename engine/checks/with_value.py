"""A literal passed with `with` fits the called procedure's input type."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks._fits import fits
from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.problems import Problem, Said

ID = "with-value"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "with 传入的值符合被调用流程输入项的类型",
        "with values fit the callee's input types",
    ),
    messages={
        "": (
            '传给 "{name}" 的值 {value} 不符合流程 "{callee}" 中它的类型 {type}{detail}',
            'value {value} passed to "{name}" does not fit its type {type} in procedure "{callee}"{detail}',
        ),
    },
)


def check_rulebook(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.outlines:
        for call in proc.calls:
            callee = ctx.callee(call.procedure.name)
            if callee is None:
                continue
            inputs = {**ctx.rulebook.inputs, **callee.inputs}
            for key, value in call.args:
                inp = inputs.get(key.name)
                if inp is None or "{{" in value.source or "{%" in value.source:
                    continue  # unknown-input's to report; templates are checked at run time
                ok, detail, detail_en = fits(inp, value.source)
                if not ok:
                    yield Problem(
                        ID,
                        value.pos,
                        {
                            "name": key.name,
                            "value": repr(value.source),
                            "callee": callee.id,
                            "type": inp.type,
                            "detail": Said(detail, detail_en),
                        },
                    )
