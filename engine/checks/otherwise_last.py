"""An automatic `next` list ends with its one branch without `when`."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.model import FIND_STEP, branches_of
from engine.problems import Problem

ID = "otherwise-last"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        '自动转入的分支以不带 when 的"否则"结尾',
        "an automatic next ends with an otherwise",
    ),
    messages={
        "missing": (
            '自动转入的最后一个分支必须不带 when (即"否则"), 否则可能无处可去。请加上 {{to: …}}',
            "the last branch of an automatic next must have no when (the otherwise), or the run can get stuck. add {{to: …}}",
        ),
        "not-last": (
            '不带 when 的分支 ("否则") 必须放在最后, 它后面的分支永远不会被选中',
            "the branch without when (the otherwise) must be last; branches after it are never taken",
        ),
    },
    keys=(
        "start",
        "steps.*.next",
        "steps.*.choices",
        "steps.*.call",
        "steps.*.end",
        "steps.*.with",
    ),
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        for step in proc.steps.values():
            if step.id == FIND_STEP:
                continue  # a decision table's entries: unreachable-entry
            for way in step.ways:
                branches = branches_of(way)
                if len(branches) < 2 and not (branches and branches[0].when):
                    continue
                for branch in branches[:-1]:
                    if branch.when is None:
                        yield Problem(ID, branch.to.pos, {"step": step.id}, "not-last")
                if branches[-1].when is not None:
                    yield Problem(ID, branches[-1].when.pos, {"step": step.id}, "missing")
