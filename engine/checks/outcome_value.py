"""A caller's `next` compares `outcome` only with outcomes the callee has."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks._types import Domain, mismatches
from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.messages import listing
from engine.model import Expr
from engine.problems import Fix, Pos, Problem

ID = "outcome-value"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "调用后 next 条件中的 outcome 只能和被调用流程的结果比较",
        "after a call, next compares outcome only with the callee's outcomes",
    ),
    messages={
        "": (
            "流程 {callee} 不会以 {value} 结束, 这个分支永远不会被选中。{hint}它的结果: {known}",
            "procedure {callee} never ends with {value}, so this branch is never taken. "
            "{hint}its outcomes: {known}",
        ),
    },
    keys=("steps.*.next", "steps.*.call", "outcomes", "steps.*.end"),
)


def check_rulebook(ctx: Context) -> Iterator[Problem]:
    for outline in ctx.outlines:
        for call in outline.calls:
            callee = ctx.callee(call.procedure.name)
            if callee is None or not callee.outcomes:
                continue  # unknown-procedure says so
            doms = {"outcome": Domain("choice", callee.outcomes)}
            for branch in call.next.branches:
                if branch.when is None:
                    continue
                for m in mismatches(branch.when.source, doms):
                    if m.variant not in ("option", "option-quote", "kind"):
                        continue
                    pos, exact = _at(branch.when, m.raw)
                    yield Problem(
                        ID,
                        pos,
                        {
                            "callee": callee.id,
                            "value": m.raw,
                            "known": listing(callee.outcomes),
                            "suggestion": m.suggestion,
                        },
                        fix=Fix(pos, m.text) if m.text and exact else None,
                    )


def _at(expr: Expr, raw: str) -> tuple[Pos, bool]:
    """Where the literal is written: found in the guard's own text when it
    is written plain on one line (the rulebook stage has no file texts),
    else the whole guard."""
    p = expr.pos
    at = expr.source.find(raw)
    if expr.style or at < 0 or "\n" in expr.source or p.line != p.end_line:
        return p, False
    col = p.col + at
    return Pos(p.file, p.line, col, p.line, col + len(raw)), True
