"""From every reachable step some `end` step can be reached."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.checks.unreachable_step import after, ends, flow, shown
from engine.model import Procedure
from engine.problems import Problem, Said

ID = "dead-end"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=("每个步骤都能走到结束", "every step can reach an end"),
    messages={
        "": (
            '从步骤 "{step}" 出发永远到不了结束 (end) 步骤。请检查它之后的去向',
            'no end step can be reached from step "{step}". check where it leads',
        ),
        "trap": (
            '从步骤 "{step}" 出发永远到不了结束 (end) 步骤: 运行会困在 {trap} 之中{more}。请给其中一步加上通往结束的去向',
            'no end step can be reached from step "{step}": a run gets stuck among {trap}{more}. give one of them a way to an end',
        ),
    },
    keys=(
        "start",
        "steps.*.next",
        "steps.*.choices",
        "steps.*.call",
        "steps.*.parallel",
        "steps.*.end",
        "steps.*.with",
    ),
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        f = flow(ctx, proc)
        back: dict[str, list[str]] = {sid: [] for sid in proc.steps}
        for sid, targets in f.edges.items():
            for t in targets:
                if t in back:
                    back[t].append(sid)
        # A step with a misspelt target is unknown-step's to report, and one
        # with no way onward one-way-out's: the steps leading to them are not
        # dead ends of their own.
        done = {
            sid
            for sid, s in proc.steps.items()
            # (ends or stuck: ends, or no way onward)
            if not f.edges[sid] or ends(s) or any(t not in proc.steps for t in f.edges[sid])
        }
        todo = list(done)
        while todo:
            for prev in back[todo.pop()]:
                if prev not in done:
                    done.add(prev)
                    todo.append(prev)
        dead = {sid for sid in proc.steps if sid in f.seen and sid not in done}
        yield from _traps(proc, dead, f.edges)


def _traps(
    proc: Procedure, dead: set[str], edges: Mapping[str, tuple[str, ...]]
) -> Iterator[Problem]:
    """One problem per place runs get stuck (a loop with no way to an end),
    naming the steps that lead only there."""
    ahead = {sid: set(after(proc, sid, dead, edges)) for sid in dead}
    reported: set[str] = set()
    for sid in proc.steps:
        if sid not in dead or sid in reported:
            continue
        trap = {x for x in ahead[sid] if sid in ahead[x]}
        if any(trap != {y for y in ahead[x] if x in ahead[y]} for x in ahead[sid]):
            continue  # not where runs end up: a step further on is
        reported |= trap
        order = [x for x in proc.steps if x in trap]
        feeders = [x for x in proc.steps if x in dead and x not in trap and ahead[x] & trap]
        if len(order) == 1 and not feeders:
            yield Problem(ID, proc.steps[sid].pos, {"step": sid})
            continue
        more = (
            Said(
                f"; 另有 {len(feeders)} 个步骤只能走到这里 ({shown(feeders)})",
                f"; {len(feeders)} more steps lead only here ({shown(feeders)})",
            )
            if feeders
            else Said("", "")
        )
        args = {"step": sid, "trap": " → ".join(order), "more": more}
        yield Problem(ID, proc.steps[sid].pos, args, "trap")
