"""`when` guards and text templates parse as Jinja2."""

from __future__ import annotations

import json
from collections.abc import Iterator

from engine.checks._expr import what
from engine.checks.context import Context
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
                    yield Problem(
                        ID,
                        ctx.locate(expr, f.line),
                        {"what": zh, "what_en": en, "text": text, "detail": f.detail},
                    )
