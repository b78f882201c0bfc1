"""Calendar schedules: a procedure's `schedule:` turned into occurrences.

An occurrence is one time the procedure falls due (the 10:30 patrol, the
report due by 25 December). It is pure arithmetic over the model — the
procedure's schedule entries and the rulebook's `site:` (hours, holidays,
closed days) — and never reads the journal: which occurrences already have
a run is the runtime's business (engine/runtime/occurrences.py).

The calendar arithmetic of single days is python-dateutil's `rrule` (RFC
5545 recurrence rules: intervals, weekdays, the last day of a month, every 2
weeks from a first date), imported only when such a rule is worked out; the
plainest (every n days, given weekdays every week) and the windows of `by:`
(a week from Monday, a month from the 1st) are counted by hand.

Due arithmetic (docs/language.md):
- whole days (`every: day|week|month|year`, `on:`): due all that day,
  overdue from the next; with `by:` the window runs from the period's
  first day to that day;
- moments (`at:`, a sub-day cadence such as `1h`): an `at` is overdue once
  its time has passed; a cadence's occurrence at 10:30 is the one to do
  until the next (11:30), overdue from then.
An occurrence on a day the site is closed (`site.closed`, a holiday marked
`closed: true`) is skipped; a window (`by:`) is not, since it has open days.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Literal, NamedTuple

from engine.i18n import Lang, counted_messages, messages
from engine.timetable import PERIODS, SITE_TIMES, WEEKDAYS, Ref, Schedule, Site

if TYPE_CHECKING:  # `sop due` reads a `Duty`: the whole model is not loaded
    from dateutil.rrule import rruleset

    from engine.model import Procedure
    from engine.timetable import Duty

DayKind = Literal["weekday", "monthday", "last", "yearday", "holiday", "bad"]

_MMDD = re.compile(r"^([0-9]{2})-([0-9]{2})$")
_CADENCE = re.compile(r"^([1-9][0-9]*)(min|h|d|w)$")
_UNIT = {"min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
DAY = timedelta(days=1)


def _month_length(year: int, month: int) -> int:
    """The days in a month (calendar.monthrange's second value, without
    importing calendar for it)."""
    return 31 if month == 12 else (date(year, month + 1, 1) - DAY).day


def day_kind(text: str, site: Site | None) -> DayKind:
    """What an `on`/`by` value names. A name that is none of the fixed forms
    is a holiday when the site declares it, else `bad` (unknown-day)."""
    if text in WEEKDAYS:
        return "weekday"
    if text == "last":
        return "last"
    if text.isascii() and text.isdigit():
        return "monthday" if 1 <= int(text) <= 31 else "bad"
    m = _MMDD.match(text)
    if m:
        month, day = int(m.group(1)), int(m.group(2))
        ok = 1 <= month <= 12 and 1 <= day <= _month_length(2024, month)
        return "yearday" if ok else "bad"
    if site is not None and text in site.holidays:
        return "holiday"
    return "bad"


def cadence(every: Ref | None) -> tuple[str, int]:
    """`every` as (unit, count): ("day", 1) … ("year", 1) for a period,
    ("d", 3) / ("w", 2) for whole-day cadences, ("s", 3600) for sub-day ones,
    ("", 0) when absent (the `on` days alone say when)."""
    if every is None:
        return "", 0
    if every.name in PERIODS:
        return every.name, 1
    m = _CADENCE.match(every.name)
    if m is None:
        return "", 0
    count, unit = int(m.group(1)), m.group(2)
    if unit in ("d", "w"):
        return unit, count
    return "s", count * _UNIT[unit]


def clock(ref: Ref | None, site: Site | None, default: str | None = None) -> time | None:
    """A clock value: "10:00", or opening/closing from the site's hours
    (None when the site has no hours: schedule-needs-hours)."""
    text = ref.name if ref is not None else default
    if text is None:
        return None
    if text in SITE_TIMES:
        if site is None or site.hours is None:
            return None
        text = site.hours.open if text == "opening" else site.hours.close
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


class Occurrence(NamedTuple):
    """One time a procedure falls due. A typed tuple: a week's call list
    works out some 1,700 of them (hourly patrols), each a fraction of a
    frozen dataclass's cost to make.

    `key` names it in the journal (`run.started` `occurrence`) and on the
    command line (`--for`): the day ("2026-12-25") or the moment
    ("2026-12-02T10:30"). A run started between `opens` and `closes`
    attaches to it; it is overdue from `due` while no run is started for it."""

    procedure: str
    entry: int  # index of the schedule entry
    key: str
    opens: datetime
    closes: datetime
    due: datetime
    whole_day: bool

    @property
    def day(self) -> date:
        return date.fromisoformat(self.key[:10])

    @property
    def clock(self) -> str | None:
        """The time of day of a moment ("10:30"); None for a whole day."""
        return None if self.whole_day else self.key[11:16]

    @property
    def at(self) -> datetime:
        """When it is shown as falling: the moment (10:30, opening), or
        the start of its day for a whole day."""
        if self.whole_day:
            return datetime.combine(self.day, time(), self.due.tzinfo)
        return datetime.combine(self.day, time.fromisoformat(self.key[11:16]), self.due.tzinfo)

    def contains(self, moment: datetime) -> bool:
        return self.opens <= moment < self.closes


def reach(entry: Schedule) -> int:
    """Days back from a day to the entry's previous occurrence at the
    latest (so a missed one can be compared with the one after it)."""
    unit, count = cadence(entry.every)
    if unit == "month":
        return 62
    if unit == "week":
        return 14
    if unit in ("d", "w"):
        return count * (7 if unit == "w" else 1) + 1
    if unit in ("day", "s"):
        return 1 + 7 * bool(entry.on)  # on given weekdays: a week back
    return 400  # a year, holidays, days of the year


def closed_days(site: Site | None) -> tuple[frozenset[int], frozenset[date]]:
    """The weekdays (0 = Monday) and dates the site is closed."""
    if site is None:
        return frozenset(), frozenset()
    weekdays = frozenset(WEEKDAYS.index(w) for w in site.closed)
    dates = frozenset(
        date.fromisoformat(d) for h in site.holidays.values() if h.closed for d in h.dates
    )
    return weekdays, dates


def occurrences(
    proc: Procedure | Duty, site: Site | None, first: date, last: date, tz: tzinfo | None = None
) -> list[Occurrence]:
    """Every occurrence of the procedure whose day falls in [first, last],
    earliest due first. An entry the checks would refuse (an unknown day,
    opening with no hours) yields nothing rather than guessing."""
    out: list[Occurrence] = []
    for index, entry in enumerate(proc.schedule):
        out.extend(_entry(proc.id, index, entry, site, first, last, tz))
    out.sort(key=lambda o: (o.due, o.entry))
    return out


def is_occurrence(proc: Procedure | Duty, site: Site | None, key: str) -> bool:
    """Whether `key` names an occurrence of the procedure's schedule."""
    try:
        day = date.fromisoformat(key[:10])
    except ValueError:
        return False
    return any(o.key == key for o in occurrences(proc, site, day, day))


def _entry(
    pid: str,
    index: int,
    entry: Schedule,
    site: Site | None,
    first: date,
    last: date,
    tz: tzinfo | None,
) -> Iterator[Occurrence]:
    unit, count = cadence(entry.every)
    kinds = [day_kind(r.name, site) for r in entry.on]
    if "bad" in kinds or (entry.by is not None and day_kind(entry.by.name, site) == "bad"):
        return
    shut_weekdays, shut_dates = closed_days(site)
    starting = date.fromisoformat(entry.starting.name) if entry.starting else None
    lo = max(first, starting) if starting else first

    def open_on(day: date) -> bool:
        return day.weekday() not in shut_weekdays and day not in shut_dates

    def start_of(day: date) -> datetime:
        return datetime.combine(day, time(), tz)

    if unit == "s":
        begin = clock(entry.start, site, "opening")
        end = clock(entry.end, site, "closing")
        if begin is None or end is None:
            return
        step = timedelta(seconds=count)
        wanted = {
            WEEKDAYS.index(r.name) for r, k in zip(entry.on, kinds, strict=True) if k == "weekday"
        }
        for day in _days(lo, last):
            if not open_on(day) or (wanted and day.weekday() not in wanted):
                continue
            moment, stop = datetime.combine(day, begin, tz), datetime.combine(day, end, tz)
            while moment < stop:
                yield Occurrence(
                    pid, index, _key(moment), moment, moment + step, moment + step, False
                )
                moment += step
        return

    if entry.by is not None or (unit in ("week", "month", "year") and not entry.on):
        for opens, due_day in _windows(unit, entry.by, lo, last):
            if due_day < lo or due_day > last:
                continue
            yield _on_day(pid, index, due_day, entry, site, tz, opens=start_of(opens))
        return

    for day in _single_days(unit, count, entry, kinds, site, lo, last, starting):
        if open_on(day):
            yield _on_day(pid, index, day, entry, site, tz)


def _on_day(
    pid: str,
    index: int,
    day: date,
    entry: Schedule,
    site: Site | None,
    tz: tzinfo | None,
    opens: datetime | None = None,
) -> Occurrence:
    start = datetime.combine(day, time(), tz)
    closes = start + DAY
    at = clock(entry.at, site)
    if at is None:
        return Occurrence(pid, index, day.isoformat(), opens or start, closes, closes, True)
    moment = datetime.combine(day, at, tz)
    return Occurrence(pid, index, _key(moment), opens or start, closes, moment, False)


def _key(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += DAY


def _windows(unit: str, by: Ref | None, first: date, last: date) -> Iterator[tuple[date, date]]:
    """(first day of the period, the day it is due by) for each period that
    can end in [first, last]: a week from Monday, a month from the 1st, a
    year from 1 January. `by` absent: the period's last day. Counted by
    hand: a period's first day needs no recurrence rule, and dateutil
    takes some 13 µs for each it gives."""
    if unit == "week":
        before = first - timedelta(days=7)
        opens = before + timedelta(days=-before.weekday() % 7)  # the Monday on or after
    elif unit == "month":
        opens = first.replace(day=1)
    else:
        opens = date(first.year - 1, 1, 1)
    while opens <= last:
        yield opens, _by_day(unit, by, opens)
        if unit == "week":
            opens += timedelta(days=7)
        elif unit == "month":
            opens = date(opens.year + opens.month // 12, opens.month % 12 + 1, 1)
        else:
            opens = date(opens.year + 1, 1, 1)


def _by_day(unit: str, by: Ref | None, opens: date) -> date:
    if unit == "week":
        return opens + timedelta(days=WEEKDAYS.index(by.name) if by else 6)
    if unit == "month":
        length = _month_length(opens.year, opens.month)
        day = length if by is None or by.name == "last" else min(int(by.name), length)
        return opens.replace(day=day)
    if by is None:
        return date(opens.year, 12, 31)
    month, day = (int(p) for p in by.name.split("-"))
    return date(opens.year, month, min(day, _month_length(opens.year, month)))


def _at(day: date) -> datetime:
    return datetime.combine(day, time())


def _single_days(
    unit: str,
    count: int,
    entry: Schedule,
    kinds: list[DayKind],
    site: Site | None,
    first: date,
    last: date,
    starting: date | None,
) -> Iterable[date]:
    """The days of an entry whose occurrences are single days."""
    begin = starting if starting else first - timedelta(days=366)
    # dateutil walks every day of a rule from its start, so a rule started
    # a year (or, from `starting`, years) before `first` walked all of them
    # to list a week. The rules repeat every `period` days — a cadence of n
    # days every n, one of n weeks every 7n; for the others the start is
    # only a bound, or gives the weekday a week falls on — so one started
    # a whole number of periods later, still on or before `first`, gives
    # the same days from `first` on.
    period = count if unit in ("day", "d") else 7 * max(count, 1)
    begin += timedelta(days=(first - begin).days // period * period)
    if "holiday" not in kinds:
        # The plainest rules, counted by hand (the same days as dateutil's,
        # which is then not imported): every n days from the start, and
        # given weekdays every week.
        if unit in ("day", "d"):
            day = begin + timedelta(days=-(-(first - begin).days // count) * count)
            days = []
            while day <= last:
                days.append(day)
                day += timedelta(days=count)
            return days
        weekly = (unit in ("week", "w") and count == 1) or (
            unit == "" and all(k == "weekday" for k in kinds)
        )
        wanted = {
            WEEKDAYS.index(r.name) for r, k in zip(entry.on, kinds, strict=True) if k == "weekday"
        }
        if weekly and wanted:
            return [day for day in _days(first, last) if day.weekday() in wanted]
    rules = _rules(unit, count, entry, kinds, site, begin, starting)
    return [moment.date() for moment in rules.between(_at(first), _at(last), inc=True)]


def _rules(
    unit: str,
    count: int,
    entry: Schedule,
    kinds: list[DayKind],
    site: Site | None,
    begin: date,
    starting: date | None,
) -> rruleset:
    """The entry's days as dateutil rules started on `begin`."""
    from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, rruleset, weekday

    weekdays = [
        weekday(WEEKDAYS.index(r.name))
        for r, k in zip(entry.on, kinds, strict=True)
        if k == "weekday"
    ]
    monthdays = [
        -1 if k == "last" else int(r.name)
        for r, k in zip(entry.on, kinds, strict=True)
        if k in ("monthday", "last")
    ]
    yeardays = [r.name for r, k in zip(entry.on, kinds, strict=True) if k == "yearday"]
    holidays = [r.name for r, k in zip(entry.on, kinds, strict=True) if k == "holiday"]
    rules = rruleset()
    start = _at(begin)
    if unit in ("day", "d"):
        rules.rrule(rrule(DAILY, interval=count, dtstart=start))
    elif unit in ("week", "w"):
        if count > 1 and not weekdays and starting is not None:
            weekdays = [weekday(starting.weekday())]
        rules.rrule(rrule(WEEKLY, interval=count, byweekday=weekdays or None, dtstart=start))
    elif unit == "month":
        rules.rrule(rrule(MONTHLY, bymonthday=monthdays, dtstart=start))
    elif unit == "year":
        for text in yeardays:
            month, day = (int(p) for p in text.split("-"))
            rules.rrule(rrule(YEARLY, bymonth=month, bymonthday=day, dtstart=start))
    else:  # no `every`: the `on` days say when
        if weekdays:
            rules.rrule(rrule(WEEKLY, byweekday=weekdays, dtstart=start))
        if monthdays:
            rules.rrule(rrule(MONTHLY, bymonthday=monthdays, dtstart=start))
        for text in yeardays:
            month, day = (int(p) for p in text.split("-"))
            rules.rrule(rrule(YEARLY, bymonth=month, bymonthday=day, dtstart=start))
    if site is not None:
        for name in holidays:
            for text in site.holidays[name].dates:
                rules.rdate(_at(date.fromisoformat(text)))
    return rules


WORDS = messages(
    "schedule",
    {
        "day": ("每天", "every day"),
        "week": ("每周", "every week"),
        "month": ("每月", "every month"),
        "year": ("每年", "every year"),
        "min": ("每 {n} 分钟", "every {n} min"),
        "h": ("每 {n} 小时", "every {n} h"),
        "between": ("{start}至{end}", "from {start} to {end}"),
        "on": ("{days}", "on {days}"),
        "by": ("{day}前完成", "by {day}"),
        "at": ("{time}", "at {time}"),
        "starting": ("自 {date} 起", "starting {date}"),
        "opening": ("开门时", "opening"),
        "closing": ("关门时", "closing"),
        "last": ("最后一天", "the last day"),
        "monthday": ("{n} 日", "day {n}"),
        "yearday": ("{month} 月 {day} 日", "{month}/{day}"),
        "holiday": ("{name}", "{name}"),
        "sep": ("、", ", "),
        "mon": ("周一", "Mon"),
        "tue": ("周二", "Tue"),
        "wed": ("周三", "Wed"),
        "thu": ("周四", "Thu"),
        "fri": ("周五", "Fri"),
        "sat": ("周六", "Sat"),
        "sun": ("周日", "Sun"),
    },
)
# A whole-day cadence (every: 3d, 2w), by its unit.
EVERY = counted_messages(
    "schedule.every",
    {
        "d": ("每 {n} 天", "every {n} day", "every {n} days"),
        "w": ("每 {n} 周", "every {n} week", "every {n} weeks"),
    },
)


def describe(entry: Schedule, lang: Lang | None = None) -> str:
    """An entry in words for staff and the manual: 每天 开门时, 每 1 小时
    开门时至关门时, 周二、周五, 每月 25 日前完成, 春节."""
    unit, count = cadence(entry.every)
    parts: list[str] = []
    if unit in PERIODS:
        parts.append(WORDS[unit].say(lang))
    elif unit in ("d", "w"):
        parts.append(EVERY[unit].say(count, lang))
    elif unit == "s" and entry.every is not None:
        text = entry.every.name
        minutes = text.endswith("min")
        amount = int(text.removesuffix("min").removesuffix("h"))
        parts.append(WORDS["min" if minutes else "h"].say(lang, n=amount))
        start = _time(entry.start, "opening", lang)
        parts.append(WORDS["between"].say(lang, start=start, end=_time(entry.end, "closing", lang)))
    if entry.on:
        days = WORDS["sep"].say(lang).join(_day(r.name, lang) for r in entry.on)
        parts.append(WORDS["on"].say(lang, days=days))
    if entry.by is not None:
        parts.append(WORDS["by"].say(lang, day=_day(entry.by.name, lang)))
    if entry.at is not None:
        parts.append(WORDS["at"].say(lang, time=_time(entry.at, "", lang)))
    if entry.starting is not None:
        parts.append(WORDS["starting"].say(lang, date=entry.starting.name))
    return " ".join(parts)


def _day(text: str, lang: Lang | None) -> str:
    if text in WEEKDAYS or text == "last":
        return WORDS[text].say(lang)
    if text.isascii() and text.isdigit():
        return WORDS["monthday"].say(lang, n=int(text))
    m = _MMDD.match(text)
    if m:
        return WORDS["yearday"].say(lang, month=int(m.group(1)), day=int(m.group(2)))
    return WORDS["holiday"].say(lang, name=text)


def _time(ref: Ref | None, default: str, lang: Lang | None) -> str:
    text = ref.name if ref is not None else default
    return WORDS[text].say(lang) if text in SITE_TIMES else text
