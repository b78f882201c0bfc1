"""A schedule's times fall within the site's opening hours: a patrol at
07:00 when the site opens at 08:30 is likely a slip (a warning: cleaning
before opening may be meant)."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import WARNING, Rule
from engine.problems import Problem
from engine.timetable import SITE_TIMES

ID = "at-outside-hours"
RULE = Rule(
    id=ID,
    level=WARNING,
    description=(
        "schedule 的时刻在营业时间之内",
        "a schedule's times fall within the site's hours",
    ),
    messages={
        "": (
            '{key}: "{value}" 在营业时间 {open}–{close} 之外。如果确实要在开门前或关门后做, '
            "可在本流程 lint: {{disable: [at-outside-hours]}}",
            '{key}: "{value}" is outside the site\'s hours {open}–{close}. if it is meant to be '
            "done before opening or after closing, add lint: {{disable: [at-outside-hours]}}",
        ),
    },
    keys=("schedule",),
)


def check(ctx: Context) -> Iterator[Problem]:
    site = ctx.rulebook.site
    if site is None or site.hours is None:
        return
    hours = site.hours
    for proc in ctx.procedures:
        for entry in proc.schedule:
            for key, ref in entry.refs():
                if key not in ("at", "from", "to") or ref.name in SITE_TIMES:
                    continue
                # "08:30" style texts compare as times once zero-padded (build does that).
                if not hours.open <= ref.name <= hours.close:
                    yield Problem(
                        ID,
                        ref.pos,
                        {"key": key, "value": ref.name, "open": hours.open, "close": hours.close},
                    )
