"""`when` guards and text templates parse as Jinja2."""

from __future__ import annotations

import json
from collections.abc import Iterator

from engine.checks._expr import what
from engine.checks.context import Context
from engine.expressions import braces_fix
from engine.problems import Problem

ID = "expression-syntax"
DESCRIPTION = "条件和话术模板必须能解析 / guards and templates parse"


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        for expr, analysis in ctx.exprs(proc):
            for f in analysis.findings:
                if f.kind == "syntax":
                    zh, en = what(expr)
                    text = json.dumps(expr.source, ensure_ascii=False)
                    args = {"what": zh, "what_en": en, "text": text, "detail": f.detail}
                    if expr.kind == "guard" and ("{{" in expr.source or "{%" in expr.source):
                        fixed = braces_fix(expr.source, ctx.names_for(proc))
                        variant = "braces" if fixed else "braces-only"
                        yield Problem(
                            ID, ctx.locate(expr, f.line), {**args, "fixed": fixed}, variant
                        )
                        continue
                    yield Problem(ID, ctx.locate(expr, f.line), args)
