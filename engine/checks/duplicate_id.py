"""No two procedures share an id; no two standing rules of a file do."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context, Outline
from engine.checks.rule import ERROR, Rule
from engine.model import Rule as StandingRule
from engine.problems import Problem

ID = "duplicate-id"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "流程编号不能重复; 同一文件中守则的编号不能重复",
        "procedure ids are unique; so are the standing rules' ids in a file",
    ),
    messages={
        "": (
            '流程编号 "{id}" 已在 {other} 中使用。每个流程的编号必须唯一',
            'procedure id "{id}" is already used in {other}. every procedure needs its own id',
        ),
        "rule": (
            '守则编号 "{id}" 已在第 {line} 行使用。每条守则的编号必须不同',
            'standing rule id "{id}" is already used on line {line}. each rule needs its own id',
        ),
    },
    keys=("rules",),
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        yield from _rules(proc.rules)


def _rules(rules: tuple[StandingRule, ...]) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for rule in rules:
        if rule.id in seen:
            yield RULE.problem(rule.pos, "rule", id=rule.id, line=seen[rule.id])
        else:
            seen[rule.id] = rule.pos.line


def check_rulebook(ctx: Context) -> Iterator[Problem]:
    yield from _rules(ctx.rulebook.rules)
    by_id: dict[str, list[Outline]] = {}
    for proc in ctx.outlines:
        by_id.setdefault(proc.id, []).append(proc)
    for same in by_id.values():
        first, *later = same
        for proc in later:
            yield Problem(ID, proc.pos, {"id": proc.id, "other": first.path})
        # Checking only the first file: its clash is reported there.
        if later and ctx.focus is not None and not any(p.path in ctx.focus for p in later):
            yield Problem(ID, first.pos, {"id": first.id, "other": later[0].path})
