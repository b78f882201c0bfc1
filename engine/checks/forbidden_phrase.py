"""No `say:` line contains words never to say (`never_say:`) shown at its step."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.problems import Problem

ID = "forbidden-phrase"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "话术中不能含有禁用语 (never_say)",
        "no say line contains words never to say (never_say)",
    ),
    messages={
        "": (
            '步骤 "{step}" 的话术 "{line}" 含有禁用语 "{phrase}"。请改写这句话术',
            'in step "{step}", the say line "{line}" contains "{phrase}", which is never to be said. reword the line',
        ),
        "instead": (
            '步骤 "{step}" 的话术 "{line}" 含有禁用语 "{phrase}"。应当说: {instead}',
            'in step "{step}", the say line "{line}" contains "{phrase}", which is never to be said. say instead: {instead}',
        ),
    },
    keys=("steps.*.say", "never_say", "entries"),
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        for step in proc.steps.values():
            for item in step.say:
                posts = tuple(r.name for r in (item.roles or step.roles))
                _, never = ctx.rulebook.standing(proc, step.id, posts)
                for phrase in never:
                    if phrase.text not in item.text.source:
                        continue
                    args = {"step": step.id, "line": item.text.source, "phrase": phrase.text}
                    if phrase.instead:
                        args["instead"] = phrase.instead
                    yield RULE.problem(
                        ctx.locate(item.text, needle=phrase.text),
                        "instead" if phrase.instead else "",
                        **args,
                    )
