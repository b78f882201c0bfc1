"""Which occurrences of a scheduled procedure have a run, and which one a
new run is for.

An occurrence (engine/schedule.py) is due until a run of the procedure is
started for it: the run's `run.started` event names it (`occurrence:
"2026-12-02T10:30"`). `sop run P` started within an occurrence's window
attaches to it; `--for DATE[THH:MM]` picks one explicitly. Nothing else is
kept: which occurrences are done is a fold over the journal's runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from engine.errors import RunError, UsageError
from engine.i18n import message
from engine.journal import Damaged, Journal
from engine.schedule import Occurrence, occurrences
from engine.timetable import Duty, Site

if TYPE_CHECKING:  # `sop due` reads a `Duty`: the whole model is not loaded
    from engine.model import Procedure, Rulebook

# A window (`by: "09-30"` yearly) can open up to a year before its day.
REACH = timedelta(days=366)

NO_OCCURRENCE = message(
    "run.no-occurrence",
    '"{title}" 在 {wanted} 没有安排 ({schedule})。{hint}附近的安排: {near}',
    '"{title}" has no occurrence at {wanted} ({schedule}). {hint}nearby: {near}',
)
NOT_SCHEDULED = message(
    "run.not-scheduled",
    '"{title}" 没有时间安排 (schedule), 不能用 --for 指定哪一次',
    '"{title}" has no schedule, so --for cannot pick an occurrence',
)
BAD_FOR = message(
    "run.bad-for",
    '--for 应写成日期或日期和时刻, 如 2026-12-25 或 2026-12-02T10:30 (收到 "{value}")',
    '--for takes a date or a date and time such as 2026-12-25 or 2026-12-02T10:30 (not "{value}")',
)
DID_YOU_MEAN = message(
    "run.occurrence-did-you-mean", '是不是 "{near}"? ', 'did you mean "{near}"? '
)
NONE = message("run.occurrence-none", "(无)", "(none)")


class Slot(NamedTuple):
    """An occurrence and the run started for it (None: not yet). A typed
    tuple: the call list makes one for each hour of a patrol's schedule."""

    occurrence: Occurrence
    run: int | None


def started_for(
    journal: Journal, pid: str, first: date, last: date, site: str | None
) -> dict[str, int]:
    """Occurrence key → the first run of `pid` at `site` started for it, for
    the occurrences whose day is in [first, last]. Every such run counts,
    whenever it was started: one picked with `--for` can be started any
    number of days ahead of its occurrence. Sites sharing a journal run the
    same duties: another site's patrol does not do this one's."""
    out: dict[str, int] = {}
    window = (first.isoformat(), last.isoformat() + "~")
    for event in journal.started(pid, window, (site,)):
        if isinstance(event, Damaged):
            continue  # `sop journal verify` names it; the occurrence stays due
        key = event.data.get("occurrence")
        if isinstance(key, str):
            out.setdefault(key, event.run)
    return out


def slots(
    journal: Journal,
    site: Site | None,
    proc: Procedure | Duty,
    first: date,
    last: date,
    now: datetime,
    site_name: str | None,
) -> list[Slot]:
    """The procedure's occurrences at `site` (its hours and holidays) whose
    day is in [first, last], each with the run started for it there (runs
    recorded at `site_name`)."""
    occ = occurrences(proc, site, first, last, now.tzinfo)
    if not occ:
        return []
    runs = started_for(journal, proc.id, first, last, site_name)
    return [Slot(o, runs.get(o.key)) for o in occ]


def attach(
    journal: Journal,
    book: Rulebook,
    proc: Procedure,
    now: datetime,
    wanted: str | None,
    site: str | None,
) -> Occurrence | None:
    """The occurrence a run started now is for: the one `wanted` names
    (`--for`), else the earliest due one whose window holds `now` and that
    has no run yet (None: the run is for no occurrence)."""
    from engine.schedule import describe

    if wanted is not None:
        if not proc.schedule:
            raise RunError(NOT_SCHEDULED, title=proc.title)
        day = _day_of(wanted)
        found = occurrences(proc, book.site, day, day + REACH, now.tzinfo)
        for o in found:
            if o.key == wanted:
                return o
        if len(wanted) == 10:
            on_day = [o for o in found if o.day == day]
            holding = [
                o for o in found if o.contains(datetime.combine(day, now.time(), now.tzinfo))
            ]
            if on_day or holding:
                return (on_day or holding)[0]
        around = occurrences(proc, book.site, day - timedelta(days=3), day + timedelta(days=3))
        keys = [o.key for o in around]
        import difflib  # only for a name that matched nothing

        near = difflib.get_close_matches(wanted, keys, n=1, cutoff=0.8)
        schedule = "; ".join(describe(e) for e in proc.schedule)
        raise RunError(
            NO_OCCURRENCE,
            title=proc.title,
            wanted=wanted,
            schedule=schedule,
            hint=DID_YOU_MEAN.say(near=near[0]) if near else "",
            near=", ".join(_nearest(keys, wanted)) or NONE.say(),
        )
    if not proc.schedule:
        return None
    today = now.date()
    free = [
        s.occurrence
        for s in slots(journal, book.site, proc, today, today + REACH, now, site)
        if s.occurrence.contains(now) and s.run is None
    ]
    return min(free, key=lambda o: (o.due, o.entry)) if free else None


def _day_of(wanted: str) -> date:
    try:
        if len(wanted) == 10:
            return date.fromisoformat(wanted)
        moment = datetime.strptime(wanted, "%Y-%m-%dT%H:%M")
    except ValueError:
        raise UsageError(BAD_FOR, value=wanted) from None
    return moment.date()


def _nearest(keys: Iterable[str], wanted: str, n: int = 4) -> list[str]:
    """The keys closest to `wanted` in time, in time order."""
    ordered = sorted(keys)
    ranked = sorted(ordered, key=lambda k: abs(_ordinal(k) - _ordinal(wanted)))[:n]
    return sorted(ranked)


def _ordinal(key: str) -> float:
    day = date.fromisoformat(key[:10]).toordinal()
    if len(key) > 10:
        hour, minute = key[11:16].split(":")
        return day + (int(hour) * 60 + int(minute)) / 1440
    return day + 0.5
