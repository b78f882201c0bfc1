"""A schedule entry's keys agree with each other: `on`/`by` days of the
kind its `every` counts in, `by` only for a week/month/year window, not
both `on` and `by`, `from`/`to` only for a cadence within the day, from
before to, a first date for every 3d / 2w, and something that says when."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.model import Schedule, Site
from engine.problems import Problem, Said
from engine.schedule import DayKind, cadence, clock, day_kind

ID = "schedule-conflict"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "schedule 的各项互不矛盾",
        "a schedule entry's keys agree with each other",
    ),
    messages={
        "": (
            "这条时间安排没有说什么时候做: 请写 every (如 every: day) 或 on (如 on: 春节)",
            "this schedule entry does not say when: write every (such as every: day) "
            "or on (such as on: 春节)",
        ),
        "on-by": (
            "on 和 by 不能同时写: on 是固定的某几天, by 是从周期开始到这天之间任何一天都可做。请删去其中一个",
            "on and by cannot both be written: on is fixed days, by is a window from the "
            "period's start to that day. remove one of them",
        ),
        "day-kind": (
            '{key}: "{value}" 是{what}, 但 every: {every} 的 {key} 应写{expected}',
            '{key}: "{value}" is {what}, but with every: {every} {key} takes {expected}',
        ),
        "by-unit": (
            "by: 只用于 every: week、month 或 year (从周期开始到这天前完成), 不用于 every: {every}",
            "by: is only for every: week, month or year (a window from the period's start), "
            "not every: {every}",
        ),
        "window": (
            "{key}: 只用于一天之内的间隔 (如 every: 1h), 不用于 every: {every}。"
            "整天的工作用 at 写时刻",
            "{key}: is only for a cadence within the day (such as every: 1h), not every: {every}. "
            "give a whole-day duty a time with at",
        ),
        "at-cadence": (
            "at: every: {every} 已经按间隔排好时刻, 不能再写 at。请用 from/to 写起止时刻",
            "at: every: {every} already spaces the times; write from/to for where they start "
            "and stop instead of at",
        ),
        "from-to": (
            'from "{start}" 不早于 to "{end}": 一天之内的间隔要从早到晚',
            'from "{start}" is not before to "{end}": a cadence within the day runs from '
            "earlier to later",
        ),
        "starting": (
            'every: {every} 需要 starting: 第一次的日期 (如 starting: "2027-01-04"), '
            "才知道从哪天起算",
            'every: {every} needs starting: the first date (such as starting: "2027-01-04") '
            "to count from",
        ),
    },
    keys=("schedule",),
)

_KIND: dict[DayKind, Said] = {
    "weekday": Said("星期", "a weekday"),
    "monthday": Said("每月的第几日", "a day of the month"),
    "last": Said("每月的最后一天", "the last day of the month"),
    "yearday": Said('每年的某天 ("MM-DD")', 'a day of the year ("MM-DD")'),
    "holiday": Said("节日", "a holiday"),
}
# What `on` may name with each unit of `every` ("" : no every, any day).
_ON: dict[str, frozenset[DayKind]] = {
    "": frozenset({"weekday", "monthday", "last", "yearday", "holiday"}),
    "day": frozenset(),
    "d": frozenset(),
    "week": frozenset({"weekday"}),
    "w": frozenset({"weekday"}),
    "s": frozenset({"weekday"}),
    "month": frozenset({"monthday", "last"}),
    "year": frozenset({"yearday"}),
}
_BY: dict[str, frozenset[DayKind]] = {
    "week": frozenset({"weekday"}),
    "month": frozenset({"monthday", "last"}),
    "year": frozenset({"yearday"}),
}
_EXPECTED: dict[str, Said] = {
    "week": Said("星期 (mon … sun)", "a weekday (mon … sun)"),
    "w": Said("星期 (mon … sun)", "a weekday (mon … sun)"),
    "s": Said("星期 (mon … sun)", "a weekday (mon … sun)"),
    "month": Said("每月的第几日 (1–31 或 last)", "a day of the month (1–31 or last)"),
    "year": Said('每年的某天 ("MM-DD")', 'a day of the year ("MM-DD")'),
    "day": Said("不写 (每天都做)", "nothing (it is done every day)"),
    "d": Said("不写 (按间隔)", "nothing (the cadence says when)"),
}


def check(ctx: Context) -> Iterator[Problem]:
    site = ctx.rulebook.site
    for proc in ctx.procedures:
        for entry in proc.schedule:
            yield from _entry(entry, site)


def _entry(entry: Schedule, site: Site | None) -> Iterator[Problem]:
    unit, _ = cadence(entry.every)
    every = entry.every.name if entry.every else ""
    if entry.every is None and not entry.on:
        yield Problem(ID, entry.pos, {}, "")
        return
    if entry.on and entry.by is not None:
        yield Problem(ID, entry.by.pos, {}, "on-by")
    for key, ref in entry.refs():
        if key not in ("on", "by"):
            continue
        kind = day_kind(ref.name, site)
        if kind == "bad":
            continue  # unknown-day's
        allowed = _ON[unit] if key == "on" else _BY.get(unit, frozenset())
        if kind not in allowed and (key == "on" or entry.every is not None):
            if key == "by" and unit not in _BY:
                yield Problem(ID, ref.pos, {"every": every}, "by-unit")
                continue
            expected = _EXPECTED[unit]
            yield Problem(
                ID,
                ref.pos,
                {"key": key, "value": ref.name, "what": _KIND[kind], "every": every,
                 "expected": expected},
                "day-kind",
            )  # fmt: skip
    if unit != "s":
        for key, bound in (("from", entry.start), ("to", entry.end)):
            if bound is not None:
                yield Problem(ID, bound.pos, {"key": key, "every": every or "—"}, "window")
    elif entry.at is not None:
        yield Problem(ID, entry.at.pos, {"every": every}, "at-cadence")
    else:
        begin = clock(entry.start, site, "opening")
        end = clock(entry.end, site, "closing")
        if begin is not None and end is not None and begin >= end:
            where = entry.start or entry.end or entry.every
            assert where is not None
            start_text = entry.start.name if entry.start else "opening"
            end_text = entry.end.name if entry.end else "closing"
            yield Problem(ID, where.pos, {"start": start_text, "end": end_text}, "from-to")
    if unit in ("d", "w") and entry.starting is None and entry.every is not None:
        yield Problem(ID, entry.every.pos, {"every": every}, "starting")
