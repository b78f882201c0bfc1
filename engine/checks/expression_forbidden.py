"""Guards and templates use only the safe subset (no calls, attributes, loops…)."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks._expr import what
from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.expressions import ALLOWED_FILTERS
from engine.problems import Problem, Said

ID = "expression-forbidden"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=("条件和话术只能用允许的写法", "guards and templates use only the allowed subset"),
    messages={
        "": (
            "{what}中不允许使用{construct}。只能用输入项名称、常量、比较、and/or/not、in 和 if/else",
            "{construct} is not allowed in {what}. use input names, constants, comparisons, and/or/not, in and if/else",
        ),
        "filter": (
            '不允许使用过滤器 "{name}"。可用的过滤器: {allowed}',
            'filter "{name}" is not allowed. allowed filters: {allowed}',
        ),
        "underscore": (
            '不允许使用以下划线开头的名称 "{name}"',
            'names starting with an underscore ("{name}") are not allowed',
        ),
        "oversized": (
            "常量 {name} 太大 (文字最多 200 字, 数字最大 10 亿)",
            "constant {name} is too large (text up to 200 characters, numbers up to 1e9)",
        ),
    },
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        for expr, analysis in ctx.exprs(proc):
            for f in analysis.findings:
                if f.kind == "syntax":
                    continue
                pos = ctx.locate(expr, f.line, f.needle)
                if f.kind == "forbidden":
                    yield Problem(
                        ID,
                        pos,
                        {
                            "what": what(expr),
                            "construct": Said(f.construct[0], f.construct[1]),
                        },
                    )
                elif f.kind == "filter":
                    yield Problem(
                        ID,
                        pos,
                        {"name": f.detail, "allowed": ", ".join(sorted(ALLOWED_FILTERS))},
                        "filter",
                    )
                else:
                    yield Problem(ID, pos, {"name": f.needle or f.detail}, f.kind)
