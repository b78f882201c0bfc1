"""`ask`, `subject`, `set` and a turn's `as` name inputs of the procedure;
`with` names inputs of the callee."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.messages import listing, suggest
from engine.model import Input, Ref
from engine.problems import Problem, Said, did_you_mean

ID = "unknown-input"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "ask、subject、set、with 和 turn 的 as 用到的输入项必须已声明",
        "ask, subject, set, with and a turn's as name declared inputs",
    ),
    messages={
        "": (
            '输入项 "{name}" 未在{owner}的 inputs 中声明。{hint}已声明的输入项: {known}',
            'input "{name}" is not declared in the inputs of {owner}. {hint}declared: {known}',
        ),
    },
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        own = ctx.rulebook.inputs_for(proc)
        asked = [ref for step in proc.steps.values() for ref in step.ask]
        asked += [s.turn.binds for s in proc.steps.values() if s.turn and s.turn.binds]
        assigned = [a.target for _, a in proc.assigned()]
        for ref in sorted([*proc.subject, *asked, *assigned], key=lambda r: r.pos):
            if ref.name not in own:
                yield _unknown(ref, own, Said("本流程", "this procedure"))


def check_rulebook(ctx: Context) -> Iterator[Problem]:
    """`with` names inputs of the procedure it calls."""
    for proc in ctx.outlines:
        for call in proc.calls:
            callee = ctx.callee(call.procedure.name)
            if callee is None:
                continue
            theirs = {**ctx.rulebook.inputs, **callee.inputs}
            for key, _ in call.args:
                if key.name not in theirs:
                    owner = Said(f'流程 "{callee.id}" ', f'procedure "{callee.id}"')
                    yield _unknown(key, theirs, owner)


def _unknown(ref: Ref, known: Mapping[str, Input], owner: Said) -> Problem:
    return Problem(
        ID,
        ref.pos,
        {
            "name": ref.name,
            "owner": owner,
            "known": listing(known),
            "suggestion": suggest(ref.name, known),
        },
        fix=did_you_mean(ref.pos, suggest(ref.name, known)),
    )
