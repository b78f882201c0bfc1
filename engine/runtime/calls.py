"""The call list: what is overdue, due and coming up across open runs on a
given day — journey touchpoints by date, other deadlines by the minute.

Reads the journal's date index (`Journal.dues`), so its cost follows the
number of deadlines in the window, not the number of open journeys.
"""

# Without `from __future__ import annotations`: a typed tuple's annotations
# written as strings are each compiled when its class is defined, and
# `sop due` defines this module's on every call.

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from engine.errors import UsageError
from engine.i18n import message
from engine.journal import Damaged, Journal
from engine.journal.events import DueFields
from engine.runtime.deadline import falls, round_due
from engine.timetable import Duty, DutyPlan

if TYPE_CHECKING:
    from engine.model import Rulebook  # only a scheduled duty's list reads one

State = Literal["overdue", "today", "upcoming"]


class CallItem(NamedTuple):
    """A line of the call list. A company's list holds thousands, so it is
    a typed tuple, made for a fraction of what a frozen dataclass costs."""

    run: int | None  # None: a scheduled occurrence no run has been started for
    subject: str | None  # the customer
    site: str | None
    procedure: str
    procedure_title: str
    stage: str | None
    step: str
    step_title: str
    role: str | None
    role_title: str | None
    kind: str  # due | within | at | every | schedule
    text: str  # 签约日后 7 天, 24h, 21:00 …
    text_en: str
    when: datetime  # for a journey date, the start of that day
    dated: bool  # a whole day rather than a moment
    state: State
    days: int  # days from the list's date: -3 is three days overdue
    timeout: str | None = None  # the step an overdue run is moved to (`timeout:`), its title

    @property
    def day(self) -> date:
        return self.when.date()


class CallList(NamedTuple):
    """The list, and the runs or deadlines that could not be read (left
    out of it, so the rest can still be called)."""

    items: list[CallItem]
    damaged: list[Damaged]


def call_list(
    journal: Journal,
    on: date | None = None,
    ahead: int = 7,
    site: str | None = None,
    role: str | None = None,
    now: datetime | None = None,
    book: "Rulebook | DutyPlan | None" = None,
) -> CallList:
    """Everything due on or before `on` + `ahead` days, earliest first: the
    open runs' deadlines and, with `book` (a rulebook, or its scheduled
    duties as engine.cache.duties keeps them), its scheduled procedures'
    occurrences no run has been started for. `on` defaults to today;
    `role` matches a role's id or its title."""
    now = now or datetime.now().astimezone()
    on = on or now.date()
    # As of another day: that day's start; as of today: this minute.
    ref = now if on == now.date() else datetime.combine(on, time(), now.tzinfo)
    last = on + timedelta(days=ahead)
    out: list[CallItem] = []
    damaged: list[Damaged] = []
    # A company's list is thousands of deadlines sharing a few hundred
    # (words, when) and fewer dates: each is worked out once.
    known: dict[str, When] = {}
    said: dict[DueFields, Said] = {}
    for row in journal.call_rows(last.isoformat(), site=site):
        if isinstance(row, Damaged):
            damaged.append(row)
            continue
        d = row.due
        tail = said.get(d)
        if tail is None:
            tail = said[d] = _said(d, ref, on, ahead, role, known)
        if tail:
            out.append(CallItem._make((row.run, row.subject, row.site, *tail)))
    plan = book if isinstance(book, DutyPlan) or book is None else duty_plan(book)
    if plan is not None and (site is None or site == plan.site_name):
        out.extend(scheduled(journal, plan, on, ahead, role, ref))
    # By calendar day first (`days` counts them from `on`): a journey date is
    # a day, not midnight in the machine's time zone, so it sorts the same
    # wherever sop runs.
    out.sort(key=lambda i: (i.days, not i.dated, i.when, i.run or 0, i.step))
    return CallList(out, damaged)


# When a deadline falls, as the list shows it: the moment, whether a whole
# day, its state, and the days from the list's date.
When = tuple[datetime, bool, "State", int]


# The fields of a deadline's CallItem after its run, customer and site (in
# CallItem's order); empty when the list leaves it out.
Said = tuple[Any, ...]


def _said(
    d: DueFields, ref: datetime, on: date, ahead: int, role: str | None, known: dict[str, When]
) -> Said:
    w = d.words
    if role is not None and not _plays(w.role, w.role_title, role):
        return ()
    kind = d.kind
    if kind == "every":
        assert d.since is not None and d.low is not None and d.high is not None  # read_due
        at, overdue, dated = round_due(d.since, d.low, d.high, ref)
        if on != ref.date() or not overdue:
            return ()  # a routine shows only while it is due, on the live list
        state: State = "today"
        days = (at.date() - on).days
    else:
        assert d.due is not None  # read_due
        fell = known.get(d.due)
        if fell is None:
            fell = known[d.due] = _falls(d.due, ref, on)
        at, dated, state, days = fell
    if days > ahead:
        return ()
    return (
        w.procedure,
        w.procedure_title,
        w.stage,
        w.step,
        w.title,
        w.role,
        w.role_title,
        kind,
        w.text,
        w.text_en or w.text,
        at,
        dated,
        state,
        days,
        w.timeout_title,
    )


def _falls(due: str, ref: datetime, on: date) -> When:
    at, overdue, dated = falls(due, ref)
    state: State = "overdue" if overdue else "today" if at.date() == on else "upcoming"
    return at, dated, state, (at.date() - on).days


def duty_plan(book: "Rulebook") -> DutyPlan | None:
    """A rulebook's scheduled procedures as the call list reads them (None:
    none has a schedule)."""
    duties = []
    for proc in book.procedures.values():
        if not proc.schedule:
            continue
        step = proc.steps.get(proc.start.name)
        rid = step.role.name if step is not None and step.role is not None else None
        owner = book.roles.get(rid) if rid else None
        duties.append(
            Duty(
                proc.id,
                proc.title,
                tuple(proc.schedule),
                proc.start.name,
                step.title if step is not None else proc.title,
                rid,
                owner.name if owner else None,
            )
        )
    if not duties:
        return None
    return DutyPlan(book.organisation.site, book.site, tuple(duties))


def scheduled(
    journal: Journal, plan: DutyPlan, on: date, ahead: int, role: str | None, ref: datetime
) -> list[CallItem]:
    """The occurrences of the rulebook's scheduled procedures that no run
    has been started for: those falling in the next `ahead` days, and the
    missed ones — overdue until the next occurrence of the same schedule
    entry is itself overdue (the duty has come round again), and always
    on their own day (today's missed patrols). A cadence within the day
    (every 1h) is listed while due and when missed, not hours ahead: the
    day's checklist (`sop render checklist --date`) prints them all."""
    from engine.runtime.occurrences import slots
    from engine.schedule import Occurrence, cadence, describe, reach

    last = on + timedelta(days=ahead)
    out: list[CallItem] = []
    for proc in plan.duties:
        if role is not None and not _plays(proc.role, proc.role_title, role):
            continue
        back = max(reach(e) for e in proc.schedule)
        # Past `last` too: a missed one is compared with the one after it.
        found = slots(
            journal,
            plan.site,
            proc,
            on - timedelta(days=back),
            last + timedelta(back),
            ref,
            plan.site_name,
        )
        # The next occurrence of the same entry after each one, found in one
        # pass from the end (a scan of the rest for each is quadratic: a
        # patrol every hour over ten years holds ~90,000 occurrences).
        after: list[Occurrence | None] = [None] * len(found)
        seen: dict[int, Occurrence] = {}
        for i in range(len(found) - 1, -1, -1):
            occ = found[i].occurrence
            after[i] = seen.get(occ.entry)
            seen[occ.entry] = occ
        # Each entry's cadence and words, worked out once, not per occurrence.
        hourly = [cadence(e.every)[0] == "s" for e in proc.schedule]
        words: dict[int, tuple[str, str]] = {}
        for i, slot in enumerate(found):
            occ = slot.occurrence
            if slot.run is not None:
                continue
            day = occ.day
            if day > last:
                continue
            later = after[i]
            each_hour = hourly[occ.entry]
            if ref >= occ.due:
                if day != on and (later is None or ref >= later.due):
                    continue
                state: State = "overdue"
            elif (each_hour and occ.contains(ref)) or (day == on and not each_hour):
                state = "today"
            elif each_hour:
                continue  # a patrol is listed while it is due, not hours ahead
            else:
                state = "upcoming"
            said = words.get(occ.entry)
            if said is None:
                entry = proc.schedule[occ.entry]
                said = words[occ.entry] = (describe(entry), describe(entry, "en"))
            out.append(
                CallItem(
                    run=None,
                    subject=None,
                    site=plan.site_name,
                    procedure=proc.id,
                    procedure_title=proc.title,
                    stage=None,
                    step=proc.step,
                    step_title=proc.step_title,
                    role=proc.role,
                    role_title=proc.role_title,
                    kind="schedule",
                    text=said[0],
                    text_en=said[1],
                    when=occ.at,
                    dated=occ.whole_day,
                    state=state,
                    days=(day - on).days,
                )
            )
    return out


def _plays(role_id: str | None, role_title: str | None, role: str) -> bool:
    """A role by id (call_centre) or by its title or part of it (呼叫中心)."""
    return role == role_id or (bool(role) and role in (role_title or ""))


# ---- the names a call list can be filtered by

UNKNOWN_ROLE = message(
    "due.unknown-role",
    '没有岗位 "{role}"。{hint}可用的岗位: {known}',
    'there is no role "{role}". {hint}roles: {known}',
)
UNKNOWN_SITE = message(
    "due.unknown-site",
    '日志中没有案场 "{site}" 的运行。{hint}日志中的案场: {known}',
    'no run in the journal is at site "{site}". {hint}sites in the journal: {known}',
)
DID_YOU_MEAN = message("due.did-you-mean", '是不是 "{near}"? ', 'did you mean "{near}"? ')
NONE = message("due.none", "(无)", "(none)")
MORE_SITES = message(
    "due.more-sites", "{shown} 等, 共 {count} 个", "{shown} and more, {count} in all"
)
SITES_SHOWN = 10  # a company has hundreds: the closest are named, and how many there are


def check_filters(
    journal: Journal, roles: dict[str, str], site: str | None, role: str | None
) -> None:
    """Refuse a role or a site that matches nothing anyone could be given
    (a typo would otherwise print an empty list, as if nothing were due).
    `roles`: the rulebook's roles, id → title; the journal's deadlines add
    any a pinned rulebook had."""
    if role is not None:
        known = dict(roles)
        for rid, title in journal.due_roles().items():
            known.setdefault(rid, title)
        if not any(role == rid or (role and role in title) for rid, title in known.items()):
            short = [t.split(" (")[0] for t in known.values() if t]
            raise UsageError(
                UNKNOWN_ROLE,
                role=role,
                hint=_hint(role, [*short, *known]),
                known=", ".join(short or known) or NONE.say(),
            )
    if site is not None:
        sites = journal.sites()
        if site not in sites:
            raise UsageError(
                UNKNOWN_SITE, site=site, hint=_hint(site, sites), known=_some_sites(site, sites)
            )


def _hint(given: str, names: list[str]) -> str:
    near = _nearest(given, names)
    return DID_YOU_MEAN.say(near=near[0]) if near else ""


def _nearest(given: str, names: list[str], n: int = 1, cutoff: float = 0.5) -> list[str]:
    """The names closest to `given`; first those with the same numbers in
    it (sites are numbered: "案场1" is "1号案场", not "11号案场")."""
    import difflib
    import re

    numbers = [int(d) for d in re.findall(r"\d+", given)]
    same = [m for m in names if numbers and [int(d) for d in re.findall(r"\d+", m)] == numbers]
    scored = sorted(
        (-difflib.SequenceMatcher(None, given, m).ratio(), m) for m in names if m not in same
    )  # the closest first, then in their order
    return [*same, *(m for score, m in scored if -score >= cutoff)][:n]


def _some_sites(given: str, sites: list[str]) -> str:
    if not sites:
        return NONE.say()
    if len(sites) <= SITES_SHOWN:
        return ", ".join(sites)
    shown = _nearest(given, sites, SITES_SHOWN, 0.0)
    return MORE_SITES.say(shown=", ".join(shown), count=len(sites))


def rulebook_roles(folder: str) -> dict[str, str]:
    """The roles a rulebook declares (id → title), read from its
    rulebook.yaml alone: cheap enough for every call list."""
    import os

    from engine.source import load_file

    loaded = load_file(os.path.join(folder, "rulebook.yaml"))
    data = loaded.document.data if loaded.document is not None else None
    roles = data.get("roles") if isinstance(data, dict) else None
    if not isinstance(roles, dict):
        return {}
    return {
        str(rid): str(r.get("name") or "") if isinstance(r, dict) else ""
        for rid, r in roles.items()
    }


# ---- what lies ahead of a journey parked at an earlier step


class Ahead(NamedTuple):
    """A touchpoint of an open journey that the journey has not reached yet,
    with the date it will fall due if the milestone it hangs on is known
    (`when` None: it waits for that milestone's date). A typed tuple, like
    CallItem: `sop due` defines no class it may not use."""

    run: int
    subject: str | None
    site: str | None
    procedure_title: str
    stage: str | None
    step_title: str
    role_title: str | None
    rule: str  # 签约日后 7 天
    anchor: str  # 签约日
    when: date | None


def ahead_list(
    journal: Journal,
    on: date | None = None,
    days: int = 7,
    site: str | None = None,
    role: str | None = None,
) -> list[Ahead]:
    """The touchpoints ahead of every open journey's current step: those
    whose projected day falls within `days` of `on`, then for each journey
    the next one still waiting for a milestone's date."""
    from engine.journal import RunFilter, RunRow
    from engine.runtime.pinning import Pinned, restore
    from engine.runtime.state import replay
    from engine.runtime.timeline import journey_timeline

    now = datetime.now().astimezone()
    on = on or now.date()
    last = on + timedelta(days=days)
    ref = datetime.combine(on, time(), now.tzinfo) if on != now.date() else now
    pinned: dict[str, Pinned] = {}
    dated: list[Ahead] = []
    waiting: list[Ahead] = []
    for row in journal.runs(RunFilter(("active", "waiting", "paused"), site=site)):
        if not isinstance(row, RunRow) or row.kind != "journey":
            continue
        events = journal.events(row.id)
        if row.rulebook_sha not in pinned:
            pinned[row.rulebook_sha] = restore(journal.snapshot(row.rulebook_sha), row.rulebook_sha)
        book = pinned[row.rulebook_sha].rulebook
        state = replay(row.id, book, events)
        proc = state.frames[0].procedure
        timeline = journey_timeline(book, state, events, ref)
        first_waiting = True
        for stage in timeline.stages:
            for t in stage.touches:
                if t.state != "ahead" or not t.rule:
                    continue
                step = proc.steps[t.step]
                rid = step.role.name if step.role else ""
                if role is not None and not (role == rid or role in (t.role_title or "")):
                    continue
                day = t.due.date() if isinstance(t.due, datetime) else t.due
                item = Ahead(
                    row.id,
                    row.subject,
                    row.site,
                    row.title,
                    step.stage,
                    t.title,
                    t.role_title,
                    t.rule,
                    t.anchor,
                    day,
                )
                if day is not None and on <= day <= last:
                    dated.append(item)
                elif day is None and first_waiting:
                    waiting.append(item)
                    first_waiting = False
    dated.sort(key=lambda a: (a.when or on, a.run))
    return [*dated, *waiting]
