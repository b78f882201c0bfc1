"""Calendar schedules: occurrences computed from `schedule:` and `site:`
(engine/schedule.py), on tests/fixtures/schedule and on hand-built entries."""

from __future__ import annotations

from datetime import date, datetime

import pytest

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
