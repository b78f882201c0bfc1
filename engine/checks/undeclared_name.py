"""Every name in a guard or template is a declared input or a built-in."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.messages import listing, suggest
from engine.problems import Problem, did_you_mean

ID = "undeclared-name"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=("条件和话术中的名称必须已声明", "names in guards and templates are declared"),
    messages={
        "": (
            '名称 "{name}" 未声明。请在 inputs 中声明它。{hint}可用的名称: {known}',
            'name "{name}" is not declared. declare it in inputs. {hint}known names: {known}',
        ),
    },
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        known = ctx.names_for(proc)
        for expr, analysis in ctx.exprs(proc):
            if any(f.kind == "syntax" for f in analysis.findings):
                continue  # its names are a guess until it parses: expression-syntax says so
            for name in analysis.names:
                if name not in known:
                    exact = ctx.locate_name(expr, name)
                    meant = suggest(name, known)
                    yield Problem(
                        ID,
                        exact or ctx.locate(expr, 1, name),
                        {"name": name, "known": listing(known, 12), "suggestion": meant},
                        fix=did_you_mean(exact, meant) if exact else None,
                    )
