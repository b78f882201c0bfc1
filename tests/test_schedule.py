"""Calendar schedules: occurrences computed from `schedule:` and `site:`
(engine/schedule.py), on tests/fixtures/schedule and on hand-built entries."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.model import Procedure, Ref, Schedule, Site
from engine.problems import Pos
from engine.schedule import day_kind, describe, occurrences
from engine.timetable import Holiday, Hours
from engine.validate import load_rulebook
from tests.conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "schedule"
HERE = Pos("x.yaml", 1, 1)
SITE = Site(
    HERE,
    Hours("08:30", "19:00", HERE),
    {
        "春节": Holiday("春节", ("2027-02-06", "2027-02-07"), HERE, closed=True),
        "国庆节": Holiday("国庆节", ("2026-10-01",), HERE),
    },
    ("mon",),
)


def proc(*entries: dict[str, object]) -> Procedure:
    def ref(value: object) -> Ref:
        return Ref(str(value), HERE)

    built = []
    for e in entries:
        on = e.get("on", ())
        built.append(
            Schedule(
                HERE,
                every=ref(e["every"]) if "every" in e else None,
                at=ref(e["at"]) if "at" in e else None,
                start=ref(e["from"]) if "from" in e else None,
                end=ref(e["to"]) if "to" in e else None,
                on=tuple(ref(v) for v in (on if isinstance(on, list) else [on])) if on else (),
                by=ref(e["by"]) if "by" in e else None,
                starting=ref(e["starting"]) if "starting" in e else None,
            )
        )
    return Procedure("p", "P", "routine", "p.yaml", HERE, Ref("s", HERE), {}, schedule=tuple(built))


def keys(p: Procedure, first: str, last: str) -> list[str]:
    got = occurrences(p, SITE, date.fromisoformat(first), date.fromisoformat(last))
    return [o.key for o in got]


def test_every_day_at_opening_skips_the_closed_weekday() -> None:
    # 2026-12-07 is a Monday: the site is closed.
    assert keys(proc({"every": "day", "at": "opening"}), "2026-12-05", "2026-12-08") == [
        "2026-12-05T08:30",
        "2026-12-06T08:30",
        "2026-12-08T08:30",
    ]


def test_hourly_within_the_hours() -> None:
    got = keys(
        proc({"every": "1h", "from": "opening", "to": "closing"}), "2026-12-02", "2026-12-02"
    )
    assert got[0] == "2026-12-02T08:30" and got[-1] == "2026-12-02T18:30" and len(got) == 11


def test_monthly_by_the_25th_is_a_window_from_the_first() -> None:
    p = proc({"every": "month", "by": 25})
    [occ] = occurrences(p, SITE, date(2026, 12, 1), date(2026, 12, 31))
    assert occ.key == "2026-12-25" and occ.opens.date() == date(2026, 12, 1)
    assert occ.contains(datetime(2026, 12, 3, 10)) and not occ.contains(datetime(2026, 12, 26))
    assert occ.due == datetime(2026, 12, 26)  # due all the 25th, overdue from the 26th


def test_last_day_of_month_and_february() -> None:
    assert keys(proc({"every": "month", "on": "last"}), "2027-01-01", "2027-03-31") == [
        "2027-01-31",
        "2027-02-28",
        "2027-03-31",
    ]


def test_yearly_by_and_a_holiday_closed_or_open() -> None:
    assert keys(proc({"every": "year", "by": "09-30"}), "2026-01-01", "2027-12-31") == [
        "2026-09-30",
        "2027-09-30",
    ]
    assert keys(proc({"on": "国庆节"}), "2026-01-01", "2026-12-31") == ["2026-10-01"]
    assert keys(proc({"on": "春节"}), "2027-01-01", "2027-12-31") == []  # closed those days


def test_every_two_weeks_from_a_first_date() -> None:
    p = proc({"every": "2w", "starting": "2026-12-01"})
    assert keys(p, "2026-11-01", "2027-01-01") == ["2026-12-01", "2026-12-15", "2026-12-29"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [("tue", "weekday"), ("25", "monthday"), ("32", "bad"), ("last", "last"),
     ("09-30", "yearday"), ("02-30", "bad"), ("春节", "holiday"), ("tues", "bad")],
)  # fmt: skip
def test_day_kinds(text: str, kind: str) -> None:
    assert day_kind(text, SITE) == kind


def test_fixture_rulebook_builds_its_schedules() -> None:
    rb = load_rulebook(str(FIXTURE))
    assert rb.site is not None and rb.site.hours == Hours("08:30", "19:00", rb.site.hours.pos)
    assert [describe(e) for e in rb.procedures["weekly-clean"].schedule] == [
        "每周 周二、周五",
        "国庆节",
    ]
    assert describe(rb.procedures["hourly-patrol"].schedule[0], "en") == (
        "every 1 h from opening to closing"
    )


_EVERY = st.sampled_from(
    [None, "day", "week", "month", "year", "1d", "3d", "10d", "1w", "2w", "3w"]
)
_ON = st.sampled_from(
    ["mon", "tue", "fri", "sun", "1", "15", "29", "31", "last", "02-29", "09-30", "12-31", "国庆节"]
)
_DAY = st.dates(date(2019, 1, 1), date(2031, 12, 31))


@settings(max_examples=600, deadline=None)
@given(
    every=_EVERY,
    on=st.lists(_ON, max_size=3, unique=True),
    starting=st.none() | _DAY,
    first=_DAY,
    span=st.integers(0, 120),
)
def test_single_days_started_near_the_window_are_those_started_far_before(
    every: str | None, on: list[str], starting: date | None, first: date, span: int
) -> None:
    """`_single_days` starts dateutil's rules a whole number of periods
    before the window rather than a year (or from `starting`, years) before
    it: the days it gives are those of the rules started where the entry
    says, as they were computed before."""
    from dateutil.rrule import rruleset

    from engine.schedule import _at, _rules, _single_days, cadence

    entry = proc(
        {
            **({"every": every} if every else {}),
            **({"on": on} if on else {}),
            **({"starting": starting.isoformat()} if starting else {}),
        }
    ).schedule[0]
    unit, count = cadence(entry.every)
    kinds = [day_kind(r.name, SITE) for r in entry.on]
    lo = max(first, starting) if starting else first
    last = first + timedelta(days=span)
    far: rruleset = _rules(
        unit, count, entry, kinds, SITE, starting or lo - timedelta(days=366), starting
    )
    want = [m.date() for m in far.between(_at(lo), _at(last), inc=True)]
    assert _single_days(unit, count, entry, kinds, SITE, lo, last, starting) == want


@settings(max_examples=300, deadline=None)
@given(
    unit=st.sampled_from(["week", "month", "year", "day"]),
    first=st.dates(date(2000, 1, 1), date(2040, 12, 31)),
    span=st.integers(0, 800),
)
def test_windows_open_on_the_days_dateutil_gives(unit: str, first: date, span: int) -> None:
    """A period's first days, counted by hand, are those of dateutil's rules
    (a week from Monday, a month from the 1st, a year from 1 January; any
    other unit with `by:` is a year)."""
    from dateutil.rrule import MO, MONTHLY, WEEKLY, YEARLY, rrule

    from engine.schedule import _at, _windows

    last = first + timedelta(days=span)
    if unit == "week":
        rule = rrule(WEEKLY, byweekday=MO, dtstart=_at(first - timedelta(days=7)))
    elif unit == "month":
        rule = rrule(MONTHLY, bymonthday=1, dtstart=_at(first.replace(day=1) - timedelta(days=1)))
    else:
        rule = rrule(YEARLY, bymonth=1, bymonthday=1, dtstart=_at(date(first.year - 1, 1, 1)))
    want = [m.date() for m in rule.between(_at(date(1990, 1, 1)), _at(last), inc=True)]
    assert [opens for opens, _ in _windows(unit, None, first, last)] == want


def test_month_lengths_are_calendars() -> None:
    import calendar

    from engine.schedule import _month_length

    for year in (1, 1900, 2000, 2023, 2024, 2100, 9999):
        for month in range(1, 13):
            assert _month_length(year, month) == calendar.monthrange(year, month)[1]
