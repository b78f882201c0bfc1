"""Deadlines as data: what a step's `within`/`every`/`at`/`due` means in clock time.

Entering a step computes its deadlines once and the journal keeps them (in
the `step.entered` event, the run's summary and the date index); reminders
and the call list are computed from that data when asked. Nothing sleeps or
runs in the background. A journey touchpoint (`due`) falls on a calendar day,
due all that day and overdue from the next; `within` and `at` are moments.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from engine.journal import RunRow
from engine.runtime.deadline import deadline, moment_of

if TYPE_CHECKING:  # `sop due` reads deadlines as data: no rulebook, no model
    from engine.model import DueOf, Procedure, Rulebook, Step

_D = TypeVar("_D", date, datetime)

SOON = timedelta(minutes=30)  # a deadline this close is shown even for other staff's runs


UNITS_ZH = {"hours": "小时", "days": "天", "weeks": "周", "months": "个月", "years": "年"}


def add_months(moment: _D, months: int) -> _D:
    """Same day of month, clamped to the month's last day (Jan 31 + 1 month = Feb 28/29)."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _shift(base: _D, amount: int, unit: str) -> _D:
    if unit == "months":
        return add_months(base, amount)
    if unit == "years":
        return add_months(base, 12 * amount)
    return base + timedelta(**{unit: amount})


def day_of(text: str) -> date:
    """The site's calendar day of a recorded moment or date (2026-11-01…)."""
    return date.fromisoformat(text[:10])


@dataclass(frozen=True, slots=True)
class Touchpoint:
    """When a journey step falls due, as far as the milestones known so far say.

    `when` is a date (days, weeks, months, years), a moment (hours), or None
    while the milestone it hangs on has no date yet."""

    when: date | datetime | None
    anchor: str  # milestone name
    anchor_title: str
    direction: str  # after | before | on (a step that is the milestone itself)
    amount: int = 0
    unit: str = "days"
    # The earlier/later of several dates (`due: {earliest: […]}`): all of them, in words.
    phrase: tuple[str, str] | None = None

    @property
    def text(self) -> str:
        if self.phrase is not None:
            return self.phrase[0]
        if self.direction == "on":
            return f"{self.anchor_title}当天"
        if self.amount == 0:
            return self.anchor_title
        side = "后" if self.direction == "after" else "前"
        return f"{self.anchor_title}{side} {self.amount} {UNITS_ZH[self.unit]}"

    @property
    def text_en(self) -> str:
        if self.phrase is not None:
            return self.phrase[1]
        if self.direction == "on":
            return f"on {self.anchor_title}"
        if self.amount == 0:
            return self.anchor_title
        return f"{self.amount} {self.unit} {self.direction} {self.anchor_title}"


def touchpoint(proc: Procedure, step: Step, milestones: Mapping[str, str]) -> Touchpoint | None:
    """A step's date from `due`, or, for the step that records a milestone,
    that milestone's date when one was given ahead (a booked signing)."""
    from engine.model import DueOf  # here: `sop due` alone never imports the model

    if isinstance(step.due, DueOf):
        return _picked(proc, step.due, milestones)
    if step.due is not None:
        return _dated(
            proc,
            step.due.anchor.name,
            step.due.direction,
            step.due.amount,
            step.due.unit,
            milestones,
        )
    if step.milestone is not None:
        return _dated(proc, step.milestone.name, "on", 0, "days", milestones)
    return None


def _picked(proc: Procedure, due: DueOf, milestones: Mapping[str, str]) -> Touchpoint:
    """The earliest (latest) of several dates. While some have no date yet:
    the earliest is at the latest the earliest known one; the latest is not
    known until all are."""
    points = [
        _dated(proc, d.anchor.name, d.direction, d.amount, d.unit, milestones) for d in due.options
    ]
    known = [p for p in points if p.when is not None]
    zh = (
        "较早者" if due.pick == "earliest" else "较晚者",
        "earlier" if due.pick == "earliest" else "later",
    )
    phrase = (
        f"{'、'.join(p.text for p in points)} 中的{zh[0]}",
        f"the {zh[1]} of {', '.join(p.text_en for p in points)}",
    )
    if due.pick == "latest" and len(known) < len(points):
        waiting = next(p for p in points if p.when is None)
        return replace(waiting, phrase=phrase)
    if not known:
        return replace(points[0], phrase=phrase)
    chosen = (min if due.pick == "earliest" else max)(known, key=lambda p: _sortable(p.when))
    return replace(chosen, phrase=phrase)


def _sortable(when: date | datetime | None) -> datetime:
    if isinstance(when, datetime):
        return when if when.tzinfo else when.astimezone()
    assert when is not None
    return datetime.combine(when, time()).astimezone()


def _dated(
    proc: Procedure,
    name: str,
    direction: str,
    amount: int,
    unit: str,
    milestones: Mapping[str, str],
) -> Touchpoint:
    m = proc.milestones.get(name)
    title = m.title if m else name
    known = milestones.get(name)
    when: date | datetime | None = None
    if known is not None:
        sign = -1 if direction == "before" else 1
        if unit == "hours":
            when = _shift(moment_of(known), sign * amount, unit)
        else:
            when = _shift(day_of(known), sign * amount, unit)
    return Touchpoint(when, name, title, direction, amount, unit)


def step_dues(
    rulebook: Rulebook,
    proc: Procedure,
    step: Step,
    entered: datetime,
    milestones: Mapping[str, str],
) -> list[dict[str, Any]]:
    role = rulebook.roles.get(step.role.name) if step.role else None
    base = {
        "procedure": proc.id,
        "procedure_title": proc.title,
        "step": step.id,
        "title": step.title,
        "stage": step.stage,
        "role": step.role.name if step.role else None,
        "role_title": role.name if role else None,
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
    tp = touchpoint(proc, step, milestones)
    if tp is not None and tp.when is not None:
        out.append(
            {
                **base,
                "kind": "due",
                "due": tp.when.isoformat(),
                "anchor": tp.anchor,
                "anchor_title": tp.anchor_title,
                "text": tp.text,
                "text_en": tp.text_en,
            }
        )
    if step.timeout is not None and step.timeout.name in proc.steps:
        for d in out:
            if d["kind"] in ("within", "due"):  # where the run is moved once it is overdue
                d["timeout"] = step.timeout.name
                d["timeout_title"] = proc.steps[step.timeout.name].title
    return out


@dataclass(frozen=True, slots=True)
class Wait:
    """A journey step that is not due yet: its date, or the milestone it waits for."""

    until: date | datetime | None
    text: str  # 签约日后 7 天
    text_en: str
    anchor_title: str


def waiting(
    proc: Procedure, step: Step, milestones: Mapping[str, str], now: datetime
) -> Wait | None:
    if proc.kind != "journey":
        return None
    tp = touchpoint(proc, step, milestones)
    if tp is None:
        return None
    if tp.when is None:
        # The step that marks a milestone, reached with no date for it, is
        # that moment itself (the customer is signing); one hung on a
        # milestone after or before waits until the milestone has a date.
        return None if tp.direction == "on" else Wait(None, tp.text, tp.text_en, tp.anchor_title)
    early = tp.when > now if isinstance(tp.when, datetime) else tp.when > now.date()
    return Wait(tp.when, tp.text, tp.text_en, tp.anchor_title) if early else None


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
    dated: bool = False  # a whole day (journey touchpoints), not a moment


def reminder(run: int, due: Mapping[str, Any], now: datetime, mine: bool) -> Reminder:
    at, overdue, dated = deadline(due, now)
    return Reminder(
        run,
        due["procedure_title"],
        due["title"],
        due["kind"],
        due["text"],
        at,
        overdue,
        mine,
        dated,
    )


def reminders(rows: Iterable[RunRow], now: datetime, mine: set[int]) -> list[Reminder]:
    """The reminders worth showing at a prompt: all of this session's runs,
    and other open runs' deadlines that are overdue or close."""
    out: list[Reminder] = []
    for row in rows:
        for due in row.dues:
            r = reminder(row.id, due, now, row.id in mine)
            if r.mine or (r.kind != "every" and (r.overdue or r.at - now <= SOON)):
                out.append(r)
    out.sort(key=lambda r: (not r.overdue, r.at))
    return out
