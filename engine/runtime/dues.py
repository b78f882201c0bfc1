"""Deadlines as data: what a step's `within`/`every`/`at`/`due` means in clock time.

Entering a step computes its deadlines once and the journal keeps them (in
the `step.entered` event and the run's summary); reminders are computed from
that data whenever a prompt is shown. Nothing sleeps or runs in the background.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from engine.journal import RunRow
from engine.model import Procedure, Step

SOON = timedelta(minutes=30)  # a deadline this close is shown even for other staff's runs


def add_months(moment: datetime, months: int) -> datetime:
    """Same day of month, clamped to the month's last day (Jan 31 + 1 month = Feb 28/29)."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _shift(base: datetime, amount: int, unit: str) -> datetime:
    if unit == "months":
        return add_months(base, amount)
    if unit == "years":
        return add_months(base, 12 * amount)
    return base + timedelta(**{unit: amount})


def step_dues(
    proc: Procedure, step: Step, entered: datetime, milestones: Mapping[str, str]
) -> list[dict[str, Any]]:
    base = {
        "procedure": proc.id,
        "procedure_title": proc.title,
        "step": step.id,
        "title": step.title,
    }
    out: list[dict[str, Any]] = []
    if step.within:
        due = entered + timedelta(seconds=step.within.low)
        out.append(
            {
                **base,
                "kind": "within",
                "since": entered.isoformat(),
                "due": due.isoformat(),
                "text": step.within.text,
            }
        )
    if step.every:
        out.append(
            {
                **base,
                "kind": "every",
                "since": entered.isoformat(),
                "low": step.every.low,
                "high": step.every.high,
                "text": step.every.text,
            }
        )
    if step.at:
        hour, minute = (int(p) for p in step.at.split(":"))
        due = entered.replace(hour=hour, minute=minute, second=0, microsecond=0)
        out.append({**base, "kind": "at", "due": due.isoformat(), "text": step.at})
    if step.due:
        anchor = milestones.get(step.due.anchor.name)
        milestone = proc.milestones.get(step.due.anchor.name)
        if anchor is not None:
            sign = 1 if step.due.direction == "after" else -1
            due = _shift(datetime.fromisoformat(anchor), sign * step.due.amount, step.due.unit)
            out.append(
                {
                    **base,
                    "kind": "due",
                    "due": due.isoformat(),
                    "text": f"{milestone.title if milestone else step.due.anchor.name}"
                    f" {step.due.direction} {step.due.amount} {step.due.unit}",
                }
            )
    return out


@dataclass(frozen=True, slots=True)
class Reminder:
    run: int
    procedure_title: str
    step_title: str
    kind: str  # within | every | at | due
    text: str  # the duration or time as written
    at: datetime  # the deadline, or the next time a recurring task comes round
    overdue: bool  # past the deadline / a recurring task is due now
    mine: bool  # belongs to the runs of this session


def reminder(run: int, due: Mapping[str, Any], now: datetime, mine: bool) -> Reminder:
    kind = due["kind"]
    if kind == "every":
        since = datetime.fromisoformat(due["since"])
        low, high = int(due["low"]), int(due["high"])
        elapsed = (now - since).total_seconds()
        rounds = int(elapsed // low) if low > 0 else 0
        last = since + timedelta(seconds=rounds * low)
        window = max(high - low, 60)
        due_now = rounds >= 1 and (now - last).total_seconds() <= window
        at = last if due_now else since + timedelta(seconds=(rounds + 1) * low)
        return Reminder(
            run, due["procedure_title"], due["title"], kind, due["text"], at, due_now, mine
        )
    at = datetime.fromisoformat(due["due"])
    return Reminder(
        run, due["procedure_title"], due["title"], kind, due["text"], at, now >= at, mine
    )


def reminders(
    rows: Iterable[RunRow], now: datetime, mine: set[int], everything: bool = False
) -> list[Reminder]:
    """The reminders worth showing at a prompt: all of this session's runs,
    and other open runs' deadlines that are overdue or close (all with
    `everything`, as `sop due` shows them)."""
    out: list[Reminder] = []
    for row in rows:
        for due in row.dues:
            r = reminder(row.id, due, now, row.id in mine)
            if everything or r.mine or (r.kind != "every" and (r.overdue or r.at - now <= SOON)):
                out.append(r)
    out.sort(key=lambda r: (not r.overdue, r.at))
    return out
