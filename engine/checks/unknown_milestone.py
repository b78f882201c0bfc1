"""`due` and `milestone` name milestones the procedure declares."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.messages import listing, suggest
from engine.model import due_anchors
from engine.problems import Problem, did_you_mean

ID = "unknown-milestone"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "due 和 milestone 用到的里程碑必须已声明",
        "due and milestone name declared milestones",
    ),
    messages={
        "": (
            '里程碑 "{name}" 未在本流程的 milestones 中声明。{hint}已声明的里程碑: {known}',
            'milestone "{name}" is not declared in this procedure\'s milestones. {hint}declared: {known}',
        ),
    },
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        declared = proc.milestones
        for step in proc.steps.values():
            refs = [*due_anchors(step.due), *([step.milestone] if step.milestone else [])]
            for ref in refs:
                if ref.name not in declared:
                    yield Problem(
                        ID,
                        ref.pos,
                        {
                            "name": ref.name,
                            "known": listing(declared),
                            "suggestion": suggest(ref.name, declared),
                        },
                        fix=did_you_mean(ref.pos, suggest(ref.name, declared)),
                    )
