"""An input's `default` fits its type (and its options)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from engine.checks._fits import fits
from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.model import Input
from engine.problems import Problem, Said

ID = "input-default"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=("输入项的默认值必须符合其类型", "an input's default fits its type"),
    messages={
        "": (
            '输入项 "{name}" 的默认值 {value} 与类型 {type} 不符{detail}',
            'default {value} of input "{name}" does not fit its type {type}{detail}',
        ),
    },
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        yield from _defaults(proc.inputs)


def check_rulebook(ctx: Context) -> Iterator[Problem]:
    if ctx.whole_rulebook:
        yield from _defaults(ctx.rulebook.inputs)


def _defaults(inputs: Mapping[str, Input]) -> Iterator[Problem]:
    for inp in inputs.values():
        if inp.default is None:
            continue
        ok, detail, detail_en = fits(inp, inp.default)
        if not ok:
            yield Problem(
                ID,
                inp.pos,
                {
                    "name": inp.name,
                    "value": repr(inp.default),
                    "type": inp.type,
                    "detail": Said(detail, detail_en),
                },
            )
