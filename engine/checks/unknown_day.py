"""A schedule's `on`/`by` names a day that exists: a weekday, a day of the
month, last, MM-DD, or a holiday declared in rulebook.yaml `site.holidays`."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.messages import listing, suggest
from engine.problems import Problem, did_you_mean
from engine.schedule import day_kind
from engine.timetable import WEEKDAYS

ID = "unknown-day"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "schedule 的 on/by 写的是星期、日期或已声明的节日",
        "a schedule's on/by names a weekday, a date or a declared holiday",
    ),
    messages={
        "": (
            '{key}: "{name}" 不是星期 (mon … sun)、每月的第几日 (1–31 或 last)、"MM-DD" 或 '
            "rulebook.yaml site.holidays 中的节日。{hint}已声明的节日: {known}",
            '{key}: "{name}" is no weekday (mon … sun), day of the month (1–31 or last), '
            '"MM-DD" or holiday in rulebook.yaml site.holidays. {hint}holidays: {known}',
        ),
        "date": (
            '{key}: 日期 "{name}" 不存在。每月写 1–31 或 last, 每年写 "MM-DD" (如 "09-30")',
            '{key}: there is no date "{name}". write 1–31 or last for a day of the month, '
            '"MM-DD" (such as "09-30") for a day of the year',
        ),
    },
    keys=("schedule",),
)


def check(ctx: Context) -> Iterator[Problem]:
    site = ctx.rulebook.site
    holidays = list(site.holidays) if site else []
    names = [*WEEKDAYS, "last", *holidays]
    for proc in ctx.procedures:
        for entry in proc.schedule:
            for key, ref in entry.refs():
                if key not in ("on", "by") or day_kind(ref.name, site) != "bad":
                    continue
                if ref.name.isdigit() or ref.name[:2].isdigit():
                    yield Problem(ID, ref.pos, {"key": key, "name": ref.name}, "date")
                    continue
                # Holiday names are two or three characters (春节): one wrong
                # character is already half the name, so look a little wider.
                near = suggest(ref.name, names) or next(
                    iter(difflib.get_close_matches(ref.name, holidays, n=1, cutoff=0.5)), None
                )
                yield Problem(
                    ID,
                    ref.pos,
                    {"key": key, "name": ref.name, "known": listing(holidays), "suggestion": near},
                    fix=did_you_mean(ref.pos, near),
                )
