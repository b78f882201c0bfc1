"""From every reachable step some `end` step can be reached."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.checks.unreachable_step import reachable
from engine.problems import Problem

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
    },
    keys=(
        "start",
        "steps.*.next",
        "steps.*.choices",
        "steps.*.call",
        "steps.*.end",
        "steps.*.with",
    ),
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        back: dict[str, list[str]] = {sid: [] for sid in proc.steps}
        for sid, step in proc.steps.items():
            for t in step.targets:
                if t.name in back:
                    back[t.name].append(sid)
        # A step with a misspelt target is unknown-step's to report, not ours.
        done = {
            sid
            for sid, s in proc.steps.items()
            if s.end is not None or any(t.name not in proc.steps for t in s.targets)
        }
        todo = list(done)
        while todo:
            for prev in back[todo.pop()]:
                if prev not in done:
                    done.add(prev)
                    todo.append(prev)
        live = reachable(proc) if proc.start.name in proc.steps else set(proc.steps)
        for sid, step in proc.steps.items():
            # A step whose own way out is missing is one-way-out's to report.
            if sid in live and sid not in done and step.exits_declared:
                yield Problem(ID, step.pos, {"step": sid})
