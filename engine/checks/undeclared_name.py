"""Every name in a guard or template is a declared input or a built-in."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.messages import listing, suggest
from engine.problems import Problem

ID = "undeclared-name"
DESCRIPTION = "条件和话术中的名称必须已声明 / names in guards and templates are declared"


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        known = ctx.names_for(proc)
        for expr, analysis in ctx.exprs(proc):
            if any(f.kind == "syntax" for f in analysis.findings):
                continue  # its names are a guess until it parses: expression-syntax says so
            for name in analysis.names:
                if name not in known:
                    yield Problem(
                        ID,
                        ctx.locate(expr, 1, name),
                        {
                            "name": name,
                            "known": listing(known, 12),
                            "suggestion": suggest(name, known),
                        },
                    )
