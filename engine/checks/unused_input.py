"""Declared inputs are used by a guard, a text or an `ask`."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import WARNING, Rule
from engine.problems import Problem

ID = "unused-input"
RULE = Rule(
    id=ID,
    level=WARNING,
    description=("声明的输入项要被使用", "declared inputs are used"),
    messages={
        "": (
            '输入项 "{name}" 已声明但从未使用。请删除它, 或在 when/话术中使用',
            'input "{name}" is declared but never used. remove it or use it in a guard or text',
        ),
    },
    keys=(
        "inputs",
        "roles",
        "subject",
        "steps.*.role",
        "steps.*.say",
        "steps.*.do",
        "steps.*.next",
        "steps.*.choices",
        "steps.*.ask",
        "steps.*.with",
    ),
)


def check(ctx: Context) -> Iterator[Problem]:
    used_anywhere: set[str] = set()
    for proc in ctx.rulebook.procedures.values() if ctx.whole_rulebook else ctx.procedures:
        used = {name for _, a in ctx.exprs(proc) for name in a.names}
        used |= {r.name for s in proc.steps.values() for r in s.ask}
        used |= {r.name for r in proc.subject}
        used_anywhere |= used
        if proc not in ctx.procedures:
            continue
        for name, inp in proc.inputs.items():
            if name not in used and not _passed_by_caller(ctx, proc.id, name):
                yield Problem(ID, inp.pos, {"name": name})
    if ctx.whole_rulebook:
        for name, inp in ctx.rulebook.inputs.items():
            if name not in used_anywhere:
                yield Problem(ID, inp.pos, {"name": name})


def _passed_by_caller(ctx: Context, pid: str, name: str) -> bool:
    """An input a caller fills with `with` is part of the callee's interface."""
    for proc in ctx.rulebook.procedures.values():
        for step in proc.steps.values():
            if (
                step.call
                and step.call.procedure.name == pid
                and any(k.name == name for k, _ in step.call.args)
            ):
                return True
    return False
