"""`sop notify`: what is due, overdue and escalated, sent once to the people
the rulebooks and the settings name.

For each open deadline up to today (the journal's date index, as `sop due`
reads it), the run's pinned rulebook says who is told: the step's own role
when the deadline comes, then each level of the step's (or its procedure's)
`escalate:` chain once the deadline is that far past. The settings say how
to reach that role at the run's site. Each message has a key (deadline,
level, role, address); its life is journaled on the run:

    notice.sending  written before the message leaves (with `expect`: of two
                    notify runs at once, one writes it, the other sees it)
    notice.sent     once the channel took it
    notice.failed   with the reason and when to try again (backoff), or
                    none: given up

A `sending` with no outcome older than LEASE means a notify run died while
sending: an outbox is searched for the message, an SMS gateway is asked
again with the same id (it drops repeats); a WeCom group or a mail server
is not asked again — never twice — and the message is marked as possibly
not delivered, for a person to check (`sop show`).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from engine.errors import JournalConflict, SopError
from engine.i18n import Lang, counted_messages, messages
from engine.journal import Damaged, Event, Journal, RunRow, RunUpdate, Write
from engine.model import Escalation, Procedure, Rulebook
from engine.notify import channels
from engine.notify.channels import Outgoing, SendFailed
from engine.notify.settings import Address, Settings
from engine.runtime.dues import reminder
from engine.runtime.events import (
    NOTICE_KINDS,
    NoticeFailed,
    NoticeSending,
    NoticeSent,
    RunEvent,
    Stamped,
    read,
)
from engine.runtime.timeouts import TimedOut, time_out_paused
from engine.screen import visible

LEASE = timedelta(minutes=2)  # a sending left without an outcome this long: its sender died
BACKOFF_MINUTES = (1, 2, 4, 8, 16, 32, 60)  # before attempts 2, 3, …; then given up
ACTOR = "sop notify"

# sent / failed (to be tried again) / gave-up / in-doubt: what happened now;
# earlier: sent (or given up) by an earlier run; later: its retry is not due
# yet, or another notify run is sending it; nobody: no address for the role.
Outcome = Literal[
    "sent", "failed", "gave-up", "in-doubt", "earlier", "later", "nobody", "would-send"
]

TEXT = messages(
    "notify.text",
    {
        "due": (
            "【到期提醒】{site}{procedure}: {subject}「{step}」{when}到期, "
            "请{role}处理 (运行 #{run})",
            '[Due] {site}{procedure}: {subject}"{step}" is due {when}; {role}, please see to '
            "it (run #{run})",
        ),
        "overdue": (
            "【超时提醒】{site}{procedure}: {subject}「{step}」{when}到期, 已超时{late}, "
            "请{role}尽快处理 (运行 #{run})",
            '[Overdue] {site}{procedure}: {subject}"{step}" was due {when}, {late} ago; '
            "{role}, please see to it now (run #{run})",
        ),
        "escalated": (
            "【超时升级】{site}{procedure}: {subject}「{step}」{when}到期, 已超时{late}, "
            "{owner}尚未完成。请{role}跟进 (运行 #{run})",
            '[Escalated] {site}{procedure}: {subject}"{step}" was due {when}, {late} ago, '
            "and {owner} has not done it. {role}, please follow it up (run #{run})",
        ),
        "subject": ("{level}: {step}", "{level}: {step}"),
        "level_due": ("到期提醒", "Due"),
        "level_overdue": ("超时提醒", "Overdue"),
        "level_escalated": ("超时升级", "Escalated"),
        "owner": ("负责岗位{role}", "the {role}"),
        "no_owner": ("负责人", "the person responsible"),
        "doubt": (
            "发送时 sop notify 中断, 可能未送达 (未重发, 以免重复)",
            "sop notify stopped while sending: it may not have arrived (not sent again, "
            "to never send it twice)",
        ),
    },
)
# How late a step is, in an overdue or escalated notice ({late}).
LATE = counted_messages(
    "notify.late",
    {
        "days": (" {n} 天", "{n} day", "{n} days"),
        "hours": (" {n} 小时", "{n} hour", "{n} hours"),
        "minutes": (" {n} 分钟", "{n} minute", "{n} minutes"),
    },
)


@dataclass(frozen=True, slots=True)
class Planned:
    """A message the rulebooks and settings call for now."""

    key: str
    run: RunRow
    level: int  # 0: the step's own role, reminded; 1…: escalation levels
    role: str
    role_title: str
    address: Address
    due: Mapping[str, Any]
    message: Outgoing


@dataclass(frozen=True, slots=True)
class Done:
    """What became of one planned message in this run of `sop notify`."""

    planned: Planned | None
    outcome: Outcome
    error: str = ""
    attempt: int = 0
    retry_at: str | None = None
    # for "nobody": the role (its title) there was no address for
    run: int = 0
    role: str = ""
    site: str | None = None


@dataclass
class Report:
    done: list[Done] = field(default_factory=list)
    damaged: list[Damaged] = field(default_factory=list)
    # Paused runs moved by their step's `timeout:` before the messages were planned.
    moved: list[TimedOut] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for d in self.done if d.outcome == outcome)


@dataclass(frozen=True, slots=True)
class Record:
    """A message's life so far, from its run's notice events."""

    state: Literal["sending", "sent", "failed"]
    attempt: int
    at: str  # of the last event
    retry_at: str | None = None


def records(events: Iterable[Event]) -> dict[str, Record]:
    out: dict[str, Record] = {}
    for e in events:
        if e.kind not in NOTICE_KINDS:
            continue
        event = read(e)
        match event:
            case NoticeSending(key=key, attempt=attempt):
                out[key] = Record("sending", attempt, e.at)
            case NoticeSent(key=key, attempt=attempt):
                out[key] = Record("sent", attempt, e.at)
            case NoticeFailed(key=key, attempt=attempt, retry_at=again):
                out[key] = Record("failed", attempt, e.at, again)
    return out


def retry_at(attempt: int, now: datetime) -> str | None:
    """When to try again after attempt `attempt` failed (None: given up)."""
    if attempt > len(BACKOFF_MINUTES):
        return None
    wait = timedelta(minutes=BACKOFF_MINUTES[attempt - 1])
    return (now + wait).isoformat(timespec="seconds")


def _late(seconds: float, dated_days: int | None, lang: Lang) -> str:
    if dated_days is not None:
        return LATE["days"].say(dated_days, lang)
    minutes = int(seconds // 60)
    if minutes >= 48 * 60:
        return LATE["days"].say(minutes // (24 * 60), lang)
    if minutes >= 120:
        return LATE["hours"].say(minutes // 60, lang)
    return LATE["minutes"].say(max(minutes, 0), lang)


def _clean(text: object) -> str:
    """Data inside a message: control characters shown by name, one line."""
    return visible(str(text)).replace("\n", " ")


class _Rulebooks:
    """Each pinned rulebook restored once per notify run."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self.known: dict[str, Rulebook | None] = {}

    def procedure(self, sha: str, pid: str) -> Procedure | None:
        from engine.runtime.pinning import restore

        if sha not in self.known:
            try:
                self.known[sha] = restore(self.journal.snapshot(sha), sha).rulebook
            except SopError:
                self.known[sha] = None
        rulebook = self.known[sha]
        return None if rulebook is None else rulebook.procedures.get(pid)


def plan(
    journal: Journal, settings: Settings, now: datetime, lang: Lang = "zh"
) -> tuple[list[Planned], list[Done], list[Damaged]]:
    """The messages called for now, who there was no address for, and what
    could not be read."""
    books = _Rulebooks(journal)
    out: list[Planned] = []
    nobody: list[Done] = []
    damaged: list[Damaged] = []
    for row in journal.dues(now.date().isoformat()):
        if isinstance(row, Damaged):
            damaged.append(row)
            continue
        run, due = row.run, row.due
        if due.get("kind") not in ("within", "at", "due"):
            continue  # `every`: the session's own recurring reminder
        r = reminder(run.id, due, now, False)
        reached = now.date() >= r.at.date() if r.dated else now >= r.at
        if not reached:
            continue
        proc = books.procedure(run.rulebook_sha, str(due.get("procedure", run.procedure)))
        step = proc.steps.get(str(due.get("step"))) if proc else None
        chain: Sequence[Escalation] = proc.escalation(step) if proc and step else ()
        rulebook = books.known.get(run.rulebook_sha)
        titles = {rid: role.name for rid, role in rulebook.roles.items()} if rulebook else {}
        days = (now.date() - r.at.date()).days if r.dated else None
        late = (now - r.at).total_seconds()
        levels: list[tuple[int, str]] = []
        owner = due.get("role")
        if owner:
            levels.append((0, str(owner)))
        for n, level in enumerate(chain, 1):
            if not r.overdue:
                break
            if days is not None:
                fires = days >= max(1, math.ceil(level.after / 86400))
            else:
                fires = late >= level.after
            if fires:
                levels.append((n, level.tell.name))
        for n, role in levels:
            addresses = settings.addresses(run.site, role)
            if not addresses:
                title = titles.get(role, role)
                nobody.append(Done(None, "nobody", run=run.id, role=title, site=run.site))
                continue
            for address in addresses:
                key = "|".join(
                    str(x)
                    for x in (
                        due.get("kind"), due.get("procedure"), due.get("step"), due.get("due"),
                        n, role, address.said,
                    )
                )  # fmt: skip
                text = _say(run, due, n, role, titles, r.overdue, late, days, lang)
                kind = "level_escalated" if n else "level_overdue" if r.overdue else "level_due"
                subject = TEXT["subject"].say(
                    lang, level=TEXT[kind].say(lang), step=_clean(due.get("title", ""))
                )
                ident = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
                out.append(
                    Planned(
                        key, run, n, role, titles.get(role, role), address, due,
                        Outgoing(f"{run.id}-{ident}", subject, text, address),
                    )
                )  # fmt: skip
    return out, nobody, damaged


def _say(
    run: RunRow,
    due: Mapping[str, Any],
    level: int,
    role: str,
    titles: Mapping[str, str],
    overdue: bool,
    late: float,
    days: int | None,
    lang: Lang,
) -> str:
    when = str(due.get("due", ""))
    when = when[:10] if len(when) == 10 else when[:16].replace("T", " ")
    owner_id = due.get("role")
    owner = (
        TEXT["owner"].say(lang, role=_clean(titles.get(str(owner_id), owner_id)))
        if owner_id
        else TEXT["no_owner"].say(lang)
    )
    args = {
        "site": f"{_clean(run.site)} · " if run.site else "",
        "procedure": _clean(due.get("procedure_title") or run.title),
        "subject": f"{_clean(run.subject)} " if run.subject else "",
        "step": _clean(due.get("title", "")),
        "when": when,
        "role": _clean(titles.get(role, role)),
        "run": run.id,
        "late": _late(late, days, lang),
    }
    if level:
        return TEXT["escalated"].say(lang, owner=owner, **args)
    if overdue:
        return TEXT["overdue"].say(lang, **args)
    args.pop("late")
    return TEXT["due"].say(lang, **args)


def notify(
    journal: Journal,
    settings: Settings,
    now: datetime,
    lang: Lang = "zh",
    dry_run: bool = False,
    sender: Callable[[Outgoing], None] = channels.send,
) -> Report:
    """Send what is called for now; every step journaled on the message's run.
    First, a paused run past a deadline whose step has `timeout:` is moved
    there (journaled), so the messages are about the step it is at now."""
    moved = [] if dry_run else time_out_paused(journal, now, ACTOR)
    planned, nobody, damaged = plan(journal, settings, now, lang)
    report = Report(list(nobody), damaged, moved)
    runs = _Runs(journal, planned)
    for p in planned:
        report.done.append(_one(runs, p, now, dry_run, sender))
    return report


class _Runs:
    """The notices of every run, read in one go at the start; a run is read
    again (its summary and events) only after this run of notify, or another
    writer, has written to it."""

    def __init__(self, journal: Journal, planned: Sequence[Planned]) -> None:
        self.journal = journal
        self.known: dict[int, tuple[int, dict[str, Record], RunRow | None]] = {}
        notices: dict[int, list[Event]] = {}
        for e in journal.events_of_kinds(sorted(NOTICE_KINDS)):
            if isinstance(e, Event):
                notices.setdefault(e.run, []).append(e)
        for p in planned:  # the summaries the plan read, with the notices read after them
            self.known.setdefault(
                p.run.id, (p.run.last_seq, records(notices.get(p.run.id, ())), p.run)
            )

    def state(self, run_id: int) -> tuple[int, dict[str, Record], RunRow | None]:
        if run_id not in self.known:
            row = self.journal.run(run_id)
            if row is None:
                self.known[run_id] = (0, {}, None)
            else:
                self.known[run_id] = (row.last_seq, records(self.journal.events(run_id)), row)
        return self.known[run_id]

    def forget(self, run_id: int) -> None:
        self.known.pop(run_id, None)


def _write(
    journal: Journal, row: RunRow, event: RunEvent, at: datetime, expect: int | None
) -> None:
    update = RunUpdate(row.status, row.step, row.step_title, row.outcome, row.dues, row.subject)
    stamp = at.isoformat(timespec="milliseconds")
    journal.write([Write(row.id, [Stamped(event, stamp, ACTOR).draft()], update, expect)])


def _one(
    runs: _Runs,
    p: Planned,
    now: datetime,
    dry_run: bool,
    sender: Callable[[Outgoing], None],
) -> Done:
    journal = runs.journal
    for _ in range(5):  # another writer may come between reading the run and writing to it
        last, known, row = runs.state(p.run.id)
        if row is None:
            return Done(p, "failed", error="run gone")
        record = known.get(p.key)
        attempt = 1
        if record is not None:
            if record.state == "sent":
                return _skip(p, record)
            if record.state == "failed":
                if record.retry_at is None:
                    return _skip(p, record)
                if datetime.fromisoformat(record.retry_at) > now:
                    return _skip(p, record)
                attempt = record.attempt + 1
            if record.state == "sending":
                if datetime.fromisoformat(record.at) > now - LEASE:
                    return _skip(p, record)  # another notify is sending it now
                if dry_run:
                    return Done(p, "in-doubt", attempt=record.attempt)
                runs.forget(p.run.id)
                return _in_doubt(journal, row, p, record, now, sender)
        if dry_run:
            return Done(p, "would-send", attempt=attempt)
        runs.forget(p.run.id)  # written to now, by this run or (on a conflict) another
        try:
            _write(journal, row, _sending(p, attempt), now, last)
        except JournalConflict:
            continue
        return _attempt(journal, row, p, attempt, now, sender)
    return Done(p, "later", error="the run kept changing")


def _skip(p: Planned, record: Record) -> Done:
    done = record.state == "sent" or (record.state == "failed" and record.retry_at is None)
    return Done(p, "earlier" if done else "later", attempt=record.attempt, retry_at=record.retry_at)


def _sending(p: Planned, attempt: int) -> NoticeSending:
    return NoticeSending(
        key=p.key,
        id=p.message.id,
        level=p.level,
        role=p.role,
        role_title=p.role_title,
        channel=p.address.channel.name,
        to=p.address.to,
        step=str(p.due.get("step", "")),
        step_title=str(p.due.get("title", "")),
        due=str(p.due.get("due", "")),
        text=p.message.text,
        attempt=attempt,
    )


def _attempt(
    journal: Journal,
    row: RunRow,
    p: Planned,
    attempt: int,
    now: datetime,
    sender: Callable[[Outgoing], None],
) -> Done:
    try:
        sender(p.message)
    except SendFailed as exc:
        again = retry_at(attempt, now)
        failed = NoticeFailed(key=p.key, attempt=attempt, error=str(exc), retry_at=again)
        _write(journal, row, failed, now, None)
        return Done(p, "failed" if again else "gave-up", str(exc), attempt, again)
    _write(journal, row, NoticeSent(key=p.key, attempt=attempt), now, None)
    return Done(p, "sent", attempt=attempt)


def _in_doubt(
    journal: Journal,
    row: RunRow,
    p: Planned,
    record: Record,
    now: datetime,
    sender: Callable[[Outgoing], None],
) -> Done:
    """A sending whose sender died: found, asked again where that is safe,
    else marked for a person to check (never sent twice)."""
    try:
        arrived = channels.delivered(p.message)
    except SendFailed:
        arrived = None
    if arrived:
        _write(journal, row, NoticeSent(key=p.key, attempt=record.attempt), now, None)
        return Done(p, "sent", attempt=record.attempt)
    if channels.idempotent(p.address.channel):
        return _attempt(journal, row, p, record.attempt, now, sender)
    doubt = NoticeFailed(key=p.key, attempt=record.attempt, error="", retry_at=None, doubt=True)
    _write(journal, row, doubt, now, None)
    return Done(p, "in-doubt", TEXT["doubt"].say(), record.attempt)
