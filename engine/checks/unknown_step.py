"""`start` and every `next`/`choices` target name a step of the procedure."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.messages import listing, suggest
from engine.model import Parallel, Ref
from engine.problems import Problem, Said, did_you_mean

ID = "unknown-step"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "start、next、choices 和 parallel 的 at 指向的步骤必须存在",
        "start, next, choices and a parallel's at name existing steps",
    ),
    messages={
        "": (
            '步骤 "{name}" 不存在{where}。{hint}本流程的步骤: {known}',
            'step "{name}" does not exist{where}. {hint}steps here: {known}',
        ),
    },
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        # A conduct code (rules only) has no start to check.
        refs: list[tuple[Ref, Said]] = (
            [(proc.start, Said(" (start)", " (start)"))] if proc.runnable else []
        )
        for rule in proc.standing:
            for ref in rule.steps:
                refs.append((ref, Said(" (在守则中)", " (in a standing rule)")))
        for step in proc.steps.values():
            for target in step.targets:
                if target.name not in proc.steps:  # (said only where reported)
                    refs.append(
                        (target, Said(f' (在步骤 "{step.id}" 中)', f' (in step "{step.id}")'))
                    )
            for way in step.ways:
                if isinstance(way, Parallel) and way.at is not None:
                    where = Said(
                        f' (步骤 "{step.id}" 的汇合处 at)', f' (step "{step.id}"\'s join at)'
                    )
                    refs.append((way.at, where))
        # Steps the schema stage pruned away exist in the file: not unknown.
        gone = {str(p[1]) for p in ctx.pruned.get(proc.path, ()) if len(p) == 2 and p[0] == "steps"}
        # A table's steps are its entries (build's own steps are not written).
        named = [s for s in proc.steps if not s.startswith("_")]
        for ref, where in refs:
            if ref.name not in proc.steps and ref.name not in gone:
                yield Problem(
                    ID,
                    ref.pos,
                    {
                        "name": ref.name,
                        "where": where,
                        "known": listing(named),
                        "suggestion": suggest(ref.name, named),
                    },
                    fix=did_you_mean(ref.pos, suggest(ref.name, named)),
                )
