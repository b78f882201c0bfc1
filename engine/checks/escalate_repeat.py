"""Escalation goes up: each level tells someone new, and not the role the
step belongs to (it is reminded when the step falls due)."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import WARNING, Rule
from engine.problems import Problem

ID = "escalate-repeat"
RULE = Rule(
    id=ID,
    level=WARNING,
    description=(
        "escalate 每一级告诉一个新的岗位, 不是负责此步的岗位",
        "each escalation level tells a new role, not the step's own",
    ),
    messages={
        "": (
            '第 {n} 级升级又告诉岗位 "{role}", 它在第 {first} 级已被告知。'
            "下一级应告诉另一个岗位 (如其上级), 否则没有人接手",
            'escalation level {n} tells role "{role}" again (it was told at level {first}). '
            "tell another role at the next level (its manager, say), or no one takes over",
        ),
        "self": (
            '第 {n} 级升级告诉的是负责步骤 "{step}" 的岗位 "{role}" 本人, 到期时已提醒过它。'
            "升级应告诉另一个岗位 (如其主管或客服中心)",
            'escalation level {n} tells role "{role}", the one step "{step}" belongs to, '
            "which was reminded when it fell due. escalate to another role (its supervisor "
            "or the call centre)",
        ),
    },
    keys=("escalate", "steps.*.escalate", "steps.*.role"),
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        for chain in (proc.escalate, *(s.escalate or () for s in proc.steps.values())):
            seen: dict[str, int] = {}
            for n, level in enumerate(chain, 1):
                name = level.tell.name
                if name in seen:
                    yield RULE.problem(level.pos, n=n, role=name, first=seen[name])
                else:
                    seen[name] = n
        for step in proc.steps.values():
            for n, level in enumerate(step.escalate or (), 1):
                if step.role is not None and level.tell.name == step.role.name:
                    yield RULE.problem(level.pos, "self", n=n, role=level.tell.name, step=step.id)
