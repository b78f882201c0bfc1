"""Every entry of a decision table (entries with `when:`) applies in some case."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks._types import branches_taken, typed
from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.model import Entry, Procedure
from engine.problems import Problem

ID = "unreachable-entry"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "判断规则表的每一条都要有机会适用",
        "every entry of a decision table applies in some case",
    ),
    messages={
        "": (
            '条目 "{entry}" 永远不会适用: 凡是它的 when 成立时, 前面的条目都已先适用。请调整条目的顺序或条件',
            'entry "{entry}" never applies: whenever its when holds, an entry before it applies first. reorder the entries or change their conditions',
        ),
        "after-otherwise": (
            '条目 "{entry}" 永远不会适用: 它前面的 "{other}" 是"否则" (otherwise: true), 总是先适用。"否则"请写在最后',
            'entry "{entry}" never applies: "{other}" before it is the otherwise (otherwise: true) and always applies first. write the otherwise last',
        ),
        "no-when": (
            '判断规则表的条目 "{entry}" 既没有 when 也没有 otherwise: true, 不知何时适用。请写上条件, 或在最后一条写 otherwise: true',
            'entry "{entry}" of a decision table has neither a when nor otherwise: true, so it never knows when it applies. give it a condition, or write otherwise: true on the last entry',
        ),
        "no-otherwise": (
            '判断规则表的最后一条 "{entry}" 写了 when: 条件都不成立时没有条目适用。请在最后加一条 otherwise: true',
            'the last entry "{entry}" of a decision table has a when: when no condition holds, no entry applies. add a last entry with otherwise: true',
        ),
        "otherwise-lookup": (
            '条目 "{entry}" 写了 otherwise: true, 但本表没有写 when 的条目, 员工按序号或文字查找。请删除 otherwise',
            'entry "{entry}" has otherwise: true, but no entry of this table has a when: staff find entries by number or words. delete otherwise',
        ),
    },
    keys=("inputs", "entries"),
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        if not proc.decides:
            for entry in proc.entries:
                if entry.otherwise:
                    yield RULE.problem(entry.pos, "otherwise-lookup", entry=entry.id)
            continue
        yield from _decision(ctx, proc)


def _decision(ctx: Context, proc: Procedure) -> Iterator[Problem]:
    entries = proc.entries
    fallback: Entry | None = None
    vague = False
    for entry in entries:
        if fallback is not None:
            yield RULE.problem(entry.pos, "after-otherwise", entry=entry.id, other=fallback.id)
        elif entry.when is None and not entry.otherwise:
            yield RULE.problem(entry.pos, "no-when", entry=entry.id)
            vague = True
        elif entry.when is None:
            fallback = entry
    if vague or (fallback is not None and fallback is not entries[-1]):
        return  # what is reported comes first; shadowing is moot
    if entries and entries[-1].when is not None:
        last = entries[-1].when
        yield RULE.problem(last.pos, "no-otherwise", entry=entries[-1].id)
    types = typed(ctx, proc)
    parsed = {e.source: not a.findings for e, a in ctx.exprs(proc) if e.kind == "guard"}
    guards = [e.when.source if e.when else None for e in entries]
    if any(g is not None and (not parsed.get(g) or types.mismatches(g)) for g in guards):
        return  # a condition that does not parse or compares wrongly says so itself
    taken = branches_taken(guards, types.doms)
    if taken is None:
        return
    for i, entry in enumerate(entries):
        if i in taken or entry.when is None:
            continue
        seen = types.outcomes(entry.when.source)
        if seen is not None and "true" not in seen:
            continue  # guard-never-true says why
        yield RULE.problem(entry.pos, entry=entry.id)
