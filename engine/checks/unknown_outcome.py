"""A procedure that declares `outcomes:` ends only with one of them."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.messages import listing, suggest
from engine.model import End
from engine.problems import Problem, did_you_mean

ID = "unknown-outcome"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "声明了 outcomes 的流程, end 只能用其中的结果",
        "where outcomes are declared, end names one of them",
    ),
    messages={
        "": (
            '结果 "{name}" 未在本流程的 outcomes 中声明。{hint}'
            "请写声明过的结果, 或在 outcomes 中声明它 (连同员工看到的说法)。已声明的结果: {known}",
            'outcome "{name}" is not declared in this procedure\'s outcomes. {hint}'
            "name a declared one, or declare it in outcomes with its title. declared: {known}",
        ),
        "title": (
            '结果 "{name}" 的说法已在 outcomes 中声明为 "{declared}", 这里又写了 "{title}"。'
            "一个结果只在 outcomes 中声明一次: 请改为 end: {name}",
            'outcome "{name}" is declared in outcomes as "{declared}", and titled "{title}" here '
            "again. an outcome is declared once: write end: {name}",
        ),
    },
    keys=("outcomes", "steps.*.end"),
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        declared = proc.declared_outcomes
        if not declared:
            continue  # the first edition: each end says its own id and words
        for step in proc.steps.values():
            for way in step.ways:
                if not isinstance(way, End) or way.pos is None:
                    continue
                known = declared.get(way.outcome)
                if known is None:
                    meant = suggest(way.outcome, declared)
                    yield Problem(
                        ID,
                        way.pos,
                        {"name": way.outcome, "known": listing(declared), "suggestion": meant},
                        fix=did_you_mean(way.pos, meant),
                    )
                elif way.title is not None and way.title != known.title:
                    yield Problem(
                        ID,
                        way.pos,
                        {"name": way.outcome, "declared": known.title, "title": way.title},
                        "title",
                    )
