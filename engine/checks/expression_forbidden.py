"""Guards and templates use only the safe subset (no calls, attributes, loops…)."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks._expr import what
from engine.checks.context import Context
from engine.expressions import ALLOWED_FILTERS
from engine.problems import Problem

ID = "expression-forbidden"
DESCRIPTION = "条件和话术只能用允许的写法 / guards and templates use only the allowed subset"


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        for expr, analysis in ctx.exprs(proc):
            for f in analysis.findings:
                if f.kind == "syntax":
                    continue
                pos = ctx.locate(expr, f.line, f.needle)
                zh, en = what(expr)
                if f.kind == "forbidden":
                    yield Problem(
                        ID,
                        pos,
                        {
                            "what": zh,
                            "what_en": en,
                            "construct": f.construct[0],
                            "construct_en": f.construct[1],
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
