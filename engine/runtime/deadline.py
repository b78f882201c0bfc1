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
        since = datetime.fromisoformat(due["since"])
        low, high = int(due["low"]), int(due["high"])
        elapsed = (now - since).total_seconds()
        rounds = int(elapsed // low) if low > 0 else 0
        last = since + timedelta(seconds=rounds * low)
        window = max(high - low, 60)
        due_now = rounds >= 1 and (now - last).total_seconds() <= window
        return (last if due_now else since + timedelta(seconds=(rounds + 1) * low)), due_now, False
    text = str(due["due"])
    if len(text) == 10:
        at = moment_of(text, now.tzinfo)
        return at, now.date() > at.date(), True
    at = datetime.fromisoformat(text)
    return at, now >= at, False
