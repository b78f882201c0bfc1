"""`when` guards and text templates parse as Jinja2."""

from __future__ import annotations

import json
from collections.abc import Iterator

from engine.checks._expr import what, whole
from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.expressions import braces_fix
from engine.problems import Problem

ID = "expression-syntax"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=("条件和话术模板必须能解析", "guards and templates parse"),
    messages={
        "": (
            "{what} {text} 写法有误: {detail}",
            "{what} {text} does not parse: {detail}",
        ),
        "braces": (
            "条件不用写 {{{{ }}}} 或 {{% %}}: when 的内容本身就是表达式。请写成 when: {fixed}",
            "a guard takes no {{{{ }}}} or {{% %}}: what follows when: is an expression already. write when: {fixed}",
        ),
        "braces-only": (
            '条件 {text} 中不用写 {{{{ }}}} 或 {{% %}}: when 的内容本身就是表达式。请去掉括号 (如 when: "{{{{ vip }}}}" 写成 when: vip)',
            'a guard takes no {{{{ }}}} or {{% %}}: {text} is an expression already. drop the braces (when: "{{{{ vip }}}}" is written when: vip)',
        ),
    },
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        for expr, analysis in ctx.exprs(proc):
            for f in analysis.findings:
                if f.kind == "syntax":
                    text = json.dumps(expr.source, ensure_ascii=False)
                    args = {"what": what(expr), "text": text, "detail": f.detail}
                    if expr.kind == "guard" and ("{{" in expr.source or "{%" in expr.source):
                        fixed = braces_fix(expr.source, ctx.names_for(proc))
                        yield Problem(
                            ID,
                            ctx.locate(expr, f.line),
                            {**args, "fixed": fixed},
                            "braces" if fixed else "braces-only",
                            fix=whole(expr, fixed) if fixed else None,
                        )
                        continue
                    yield Problem(ID, ctx.locate(expr, f.line), args)
