"""A stored deadline against the clock: when it falls and whether it is
overdue, read the same way by a prompt's reminders (engine.runtime.dues)
and the call list (engine.runtime.calls), which lists thousands of them and
so reads them without the rest of engine.runtime.dues."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any


def moment_of(text: str, tz: tzinfo | None = None) -> datetime:
    """A recorded moment; a bare date is the start of that day."""
    if len(text) == 10:
        start = datetime.combine(date.fromisoformat(text), time(), tz)
        return start if tz is not None else start.astimezone()
    return datetime.fromisoformat(text)


def deadline(due: Mapping[str, Any], now: datetime) -> tuple[datetime, bool, bool]:
    """When a stored deadline falls as of `now`: its moment (for a recurring
    task, the round that is due now, else the next one), whether it is
    overdue (a recurring task: due now), and whether it is a whole day (a
    journey date: due all that day, overdue from the next)."""
    if due["kind"] == "every":
        return round_due(due["since"], int(due["low"]), int(due["high"]), now)
    return falls(str(due["due"]), now)


def round_due(since: str, low: int, high: int, now: datetime) -> tuple[datetime, bool, bool]:
    """`deadline` of a recurring task (`every`), entered at `since`."""
    start = datetime.fromisoformat(since)
    elapsed = (now - start).total_seconds()
    rounds = int(elapsed // low) if low > 0 else 0
    last = start + timedelta(seconds=rounds * low)
    window = max(high - low, 60)
    due_now = rounds >= 1 and (now - last).total_seconds() <= window
    return (last if due_now else start + timedelta(seconds=(rounds + 1) * low)), due_now, False


def falls(text: str, now: datetime) -> tuple[datetime, bool, bool]:
    """`deadline` of a moment or, for a journey touchpoint, a day."""
    if len(text) == 10:
        at = moment_of(text, now.tzinfo)
        return at, now.date() > at.date(), True
    at = datetime.fromisoformat(text)
    return at, now >= at, False
