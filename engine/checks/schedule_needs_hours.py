"""A schedule that counts by the site's hours (opening, closing, every 1h
between them) needs them declared: rulebook.yaml `site.hours`."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.problems import Problem
from engine.schedule import cadence
from engine.timetable import SITE_TIMES

ID = "schedule-needs-hours"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "用到开门/关门时间的 schedule 需要 site.hours",
        "a schedule using opening/closing needs site.hours",
    ),
    messages={
        "": (
            '{key}: "{value}" 要按案场的营业时间计算, 但 rulebook.yaml 没有写 site.hours。'
            '请在 rulebook.yaml 中加上 site: {{hours: {{open: "08:30", close: "19:00"}}}}, '
            "或写明时刻 (from/to/at)",
            '{key}: "{value}" counts by the site\'s hours, but rulebook.yaml has no site.hours. '
            'add site: {{hours: {{open: "08:30", close: "19:00"}}}} to rulebook.yaml, '
            "or give the times (from/to/at)",
        ),
    },
    keys=("schedule",),
)


def check(ctx: Context) -> Iterator[Problem]:
    site = ctx.rulebook.site
    if site is not None and site.hours is not None:
        return
    for proc in ctx.procedures:
        for entry in proc.schedule:
            unit, _ = cadence(entry.every)
            if (
                unit == "s"
                and entry.every is not None
                and (entry.start is None or entry.end is None)
            ):
                # A sub-day cadence runs from opening to closing unless told.
                yield Problem(ID, entry.every.pos, {"key": "every", "value": entry.every.name})
                continue
            for key, ref in entry.refs():
                if key in ("at", "from", "to") and ref.name in SITE_TIMES:
                    yield Problem(ID, ref.pos, {"key": key, "value": ref.name})
