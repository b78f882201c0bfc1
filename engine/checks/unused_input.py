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


def check_rulebook(ctx: Context) -> Iterator[Problem]:
    # An input a caller fills with `with` is part of the callee's interface.
    passed = {(c.procedure.name, k.name) for o in ctx.outlines for c in o.calls for k, _ in c.args}
    for proc in ctx.outlines:
        for name, inp in proc.inputs.items():
            if name not in proc.uses and (proc.id, name) not in passed:
                yield Problem(ID, inp.pos, {"name": name})
    if ctx.whole_rulebook:
        used_anywhere = {name for o in ctx.outlines for name in o.uses}
        for name, inp in ctx.rulebook.inputs.items():
            if name not in used_anywhere:
                yield Problem(ID, inp.pos, {"name": name})
