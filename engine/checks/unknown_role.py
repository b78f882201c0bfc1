"""Every role named by a procedure, step or item is defined in rulebook.yaml."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.messages import listing, suggest
from engine.model import Procedure, Ref, Standing
from engine.problems import Problem, did_you_mean

ID = "unknown-role"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=("岗位必须在 rulebook.yaml 中定义", "roles are defined in rulebook.yaml"),
    messages={
        "": (
            '岗位 "{name}" 未在 rulebook.yaml 的 roles 中定义。{hint}已有的岗位: {known}',
            'role "{name}" is not defined in rulebook.yaml roles. {hint}roles: {known}',
        ),
    },
)


def role_refs(proc: Procedure) -> Iterator[Ref]:
    """Roles used by steps and items, and bound by standing rules (not the
    procedure's `roles:` list)."""
    for step in proc.steps.values():
        yield from step.roles
        for item in (*step.do, *step.say):
            yield from item.roles
    yield from standing_role_refs(proc.rules, proc.never_say)


def standing_role_refs(rules: Iterable[Standing], never: Iterable[Standing]) -> Iterator[Ref]:
    """The posts standing rules and words never to say bind."""
    for rule in (*rules, *never):
        yield from rule.roles


def queue_role_refs(ctx: Context) -> Iterator[Ref]:
    """The posts rulebook.yaml's queues name (their members', their keeper's)."""
    for queue in ctx.rulebook.queues.values():
        yield from (r for r in (queue.role, queue.keeper) if r is not None)


def check_rulebook(ctx: Context) -> Iterator[Problem]:
    yield from _unknown(ctx, queue_role_refs(ctx))
    yield from _unknown(ctx, standing_role_refs(ctx.rulebook.rules, ctx.rulebook.never_say))


def escalation_refs(proc: Procedure) -> Iterator[Ref]:
    """Roles told when a deadline passes (they need not act in the procedure)."""
    yield from (level.tell for level in proc.escalate)
    for step in proc.steps.values():
        yield from (level.tell for level in step.escalate or ())


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        yield from _unknown(ctx, (*proc.roles, *role_refs(proc), *escalation_refs(proc)))


def _unknown(ctx: Context, refs: Iterable[Ref]) -> Iterator[Problem]:
    roles = ctx.rulebook.roles
    for ref in refs:
        if ref.name not in roles:
            yield Problem(
                ID,
                ref.pos,
                {
                    "name": ref.name,
                    "known": listing(roles),
                    "suggestion": suggest(ref.name, roles),
                },
                fix=did_you_mean(ref.pos, suggest(ref.name, roles)),
            )
