"""A run's record, read back from the journal: the timeline, what was done
and not done, the forms filled in, who was notified — what `sop show` and
`sop report` print.

Events carry the titles and labels they were shown with, so reading a run
back needs neither the rulebook nor its pinned copy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, assert_never

from engine.i18n import messages
from engine.journal import Damaged, Event, Journal, RunRow
from engine.runtime.events import (
    NOTICE_KINDS,
    AnswerCorrected,
    BranchTaken,
    CallReturned,
    CallStarted,
    ChoiceMade,
    EventDamaged,
    EventKind,
    EvidenceAttached,
    FieldRecorded,
    InputAnswered,
    ItemChecked,
    LaneEnded,
    LaneStarted,
    LaneSwitched,
    MilestoneReached,
    NoteAdded,
    NoticeFailed,
    NoticeSending,
    NoticeSent,
    PeopleSigned,
    RunContinued,
    RunEvent,
    RunFinished,
    RunInterrupted,
    RunPaused,
    RunResumed,
    RunStarted,
    RunWarning,
    StepEntered,
    StepTimedOut,
    TurnTaken,
    ValueSet,
    read,
)
from engine.runtime.values import show

# Checklist items that notify someone: the incident report lists them as
# "who was notified". The words are those the source documents use.
NOTIFY_WORDS = ("通知", "报警", "报告", "上报", "汇报", "拨打", "联系", "告知", "呼叫", "报案")

STATUS_TEXT = messages(
    "status",
    {
        "active": ("进行中", "in progress"),
        "waiting": ("等待应急结束", "waiting for an emergency"),
        "paused": ("已暂停", "paused"),
        "finished": ("已完成", "finished"),
    },
)


def status_text(status: str, lang: str = "zh") -> str:
    msg = STATUS_TEXT.get(status)
    return msg.say("en" if lang == "en" else "zh") if msg is not None else status


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the timeline. `kind` is the event kind; `text` and
    `detail` are the words shown (rulebook text, answers); `deviation` marks
    what an auditor looks for: skipped or undone items, rulebook problems."""

    seq: int
    at: str
    actor: str | None
    procedure: str
    step: str | None
    step_title: str | None
    kind: str
    text: str = ""
    detail: str = ""
    status: str = ""
    critical: bool = False
    deviation: bool = False
    # A `do` item's place in its step: its tick, and a correction of the tick.
    item: int | None = None
    # A tick corrected later: the status it stands at, and that status's reason;
    # a correction of a tick: the reason given with it.
    fixed: str = ""
    reason: str = ""

    @property
    def final(self) -> str:
        """A tick's status as it stands, corrections made."""
        return self.fixed or self.status

    @property
    def final_reason(self) -> str:
        return self.reason if self.fixed else self.detail


@dataclass(frozen=True, slots=True)
class FormFill:
    """One filling-in of a form: its fields as recorded, in order."""

    form: str
    title: str
    at: str
    step_title: str | None
    fields: tuple[tuple[str, str, str], ...]  # (field id, label, value shown)
    corrected: Mapping[str, str] = field(default_factory=dict)  # field id -> first value shown


@dataclass(frozen=True, slots=True)
class Proof:
    """A photo or a signature left for the run (`evidence.attached`): where
    (the step, the `do` item's text), when, by whom, and the file the
    journal names (`sha256` None: a signature given as a typed name only)."""

    seq: int
    at: str
    actor: str | None
    step_title: str | None
    item_text: str | None
    evidence: str  # photo | signature
    signer: str | None
    sha256: str | None
    media_type: str | None
    size: int | None


@dataclass(frozen=True)
class RunRecord:
    run: RunRow
    started: RunStarted | None  # None when the run's first event cannot be read
    entries: tuple[Entry, ...]
    forms: tuple[FormFill, ...]
    interrupted_by: tuple[RunRow, ...] = ()  # emergencies that interrupted this run
    interrupts: RunRow | None = None  # the run this emergency interrupted
    finished_at: str | None = None
    resumed_on_changed_rulebook: bool = False
    damaged: tuple[Damaged, ...] = ()  # events (and linked runs) that could not be read
    evidence: tuple[Proof, ...] = ()  # the photos and signatures, in the order left

    @property
    def outcome(self) -> str | None:
        """How the run ended, in words (never the outcome's id)."""
        for e in reversed(self.entries):
            if e.kind == EventKind.RUN_FINISHED:
                return e.text or None
        return None

    @property
    def deviations(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.deviation)

    @property
    def actions(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.kind == EventKind.ITEM_CHECKED)

    @property
    def notified(self) -> tuple[Entry, ...]:
        return tuple(
            e for e in self.actions if e.final == "done" and any(w in e.text for w in NOTIFY_WORDS)
        )

    @property
    def notes(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.kind == EventKind.NOTE_ADDED)

    @property
    def operators(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for e in self.entries:
            if e.actor and e.kind not in NOTICE_KINDS:  # sop notify tells; it does not act
                seen.setdefault(e.actor, None)
        return tuple(seen)


@dataclass
class _Reader:
    """Walks the events keeping the titles of the frames on the stack."""

    titles: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    forms: list[FormFill] = field(default_factory=list)
    fill: dict[tuple[str, str], list[tuple[str, str, str]]] = field(default_factory=dict)
    fill_at: dict[tuple[str, str], str] = field(default_factory=dict)
    changed: bool = False
    last: str = ""  # the kind of the event read before
    notices: dict[str, NoticeSending] = field(default_factory=dict)  # by key
    # answer's event -> (value now, as shown; first value, as shown), from corrections
    corrections: dict[int, tuple[str, str]] = field(default_factory=dict)
    # an item's tick -> (status now, its reason), from corrections of items
    ticks: dict[int, tuple[str, str]] = field(default_factory=dict)
    fill_firsts: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    proofs: list[Proof] = field(default_factory=list)

    def where(self) -> tuple[str, str | None, str | None]:
        return self.titles[-1] if self.titles else ("", None, None)

    def add(self, e: Event, kind: str, **kw: Any) -> None:
        proc, step, title = self.where()
        self.entries.append(Entry(e.seq, e.at, e.actor, proc, step, title, kind, **kw))

    def close_forms(self) -> None:
        """Fields recorded at one arrival at a step make one filled form."""
        title = self.where()[2]
        for (form, form_title), rows in self.fill.items():
            at = self.fill_at[(form, form_title)]
            firsts = self.fill_firsts.get((form, form_title), {})
            self.forms.append(FormFill(form, form_title, at, title, tuple(rows), firsts))
        self.fill.clear()
        self.fill_at.clear()
        self.fill_firsts.clear()

    def read(self, e: Event, event: RunEvent) -> None:
        try:
            self._read(e, event)
        finally:
            if event.kind not in NOTICE_KINDS:  # sop notify's, between a pause and a resume
                self.last = event.kind

    def _read(self, e: Event, event: RunEvent) -> None:
        k = event.kind
        match event:
            case RunStarted():
                self.titles = [(event.procedure, None, None)]
                self.add(e, k, text=event.title)
            case StepEntered():
                self.close_forms()
                self.titles[-1] = (event.procedure, event.step, event.title)
                self.add(e, k, text=event.title)
            case InputAnswered():
                self.add(e, k, text=event.label or event.name, detail=show(event.value))
            case ValueSet():
                self.add(e, k, text=event.label or event.name, detail=show(event.value))
            case StepTimedOut():
                self.add(e, k, text=event.text or "", detail=event.to)
            case AnswerCorrected(answer="item"):
                # A tick given again: the statuses before and after, and why.
                self.add(
                    e,
                    k,
                    text=event.label or event.name,
                    detail=str(event.value),
                    status=str(event.before),
                    item=event.index,
                    reason=event.reason or "",
                )
            case AnswerCorrected():
                # Shown where it was made: the label, the value before and after.
                self.add(
                    e,
                    k,
                    text=event.label or event.name,
                    detail=show(event.value),
                    status=show(event.before),
                )
            case ItemChecked():
                # The tick as given; a deviation when it stands at not done or
                # skipped, or when it was corrected (an auditor sees both).
                fixed, why = self.ticks.get(e.seq, ("", ""))
                self.add(
                    e,
                    k,
                    text=event.text,
                    detail=event.reason or "",
                    status=event.status,
                    critical=event.critical,
                    deviation=(fixed or event.status) != "done" or bool(fixed),
                    item=event.index,
                    fixed=fixed,
                    reason=why,
                )
            case FieldRecorded():
                key = (event.form, event.form_title or event.form)
                label = event.label or event.field
                value = show(event.value)
                if e.seq in self.corrections:  # the form holds the value corrected
                    value, first = self.corrections[e.seq]
                    self.fill_firsts.setdefault(key, {})[event.field] = first
                self.fill.setdefault(key, []).append((event.field, label, value))
                self.fill_at.setdefault(key, e.at)
                self.add(e, k, text=label, detail=show(event.value), status=key[1])
            case ChoiceMade():
                self.add(e, k, text=event.label)
            case BranchTaken():
                if event.why:
                    self.add(e, k, text=event.why)
            case CallStarted():
                self.close_forms()
                given = ", ".join(f"{n}={show(v)}" for n, v in event.args.items())
                self.add(e, k, text=event.title or event.procedure, detail=given)
                self.titles.append((event.procedure, None, None))
            case CallReturned():
                self.close_forms()
                said = event.outcome_title or self.where()[2] or event.outcome
                self.add(e, k, text=event.title or event.procedure, detail=said)
                if len(self.titles) > 1:
                    self.titles.pop()
            case LaneStarted() | LaneSwitched():
                self.add(e, k, text=event.title, detail=str(event.lane))
            case LaneEnded():
                said = "" if event.cancelled else event.outcome_title or event.outcome or ""
                self.add(e, k, text=event.title, detail=said, status="cancelled" * event.cancelled)
            case RunResumed():
                self.changed = self.changed or event.rulebook_changed
                # Resumed with no pause before it: the run was cut off (killed,
                # a power cut), and the timeline says so.
                cut = self.last not in (EventKind.RUN_PAUSED, EventKind.RUN_CONTINUED, "")
                self.add(
                    e,
                    k,
                    status="changed" if event.rulebook_changed else "",
                    detail="cut" if cut else "",
                )
            case RunInterrupted():
                self.add(e, k, text=event.title, detail=str(event.by))
            case RunContinued():
                said = event.outcome_title or event.outcome
                self.add(e, k, text=event.title, detail=str(event.after), status=said)
            case RunWarning():
                self.add(
                    e,
                    k,
                    text=event.expression,
                    detail=event.detail,
                    status=event.where,
                    deviation=True,
                )
            case NoteAdded():
                self.add(e, k, text=event.text)
            case TurnTaken():
                why = "credit" if event.credit else "owed" if event.owed else ""
                why = why or ("" if event.counts else "uncounted")
                self.add(e, k, text=event.title, detail=event.person, status=why)
            case PeopleSigned():
                self.add(e, k, detail="、".join(event.people), status=event.how)
            case EvidenceAttached():
                # sha256 short, type, size; or the signer's name
                kept = (
                    f"{event.sha256[:12]} {event.media_type} {event.size}B"
                    if event.sha256 is not None
                    else ""
                )
                who = event.signer or ""
                shown = " ".join(x for x in (who, kept) if x)  # a signature: who signed first
                self.add(e, k, detail=shown, status=event.evidence)
                _, _, title = self.where()
                item_text = (
                    next(
                        (
                            x.text
                            for x in reversed(self.entries)
                            if x.kind == EventKind.ITEM_CHECKED
                            and x.item == event.item
                            and x.step == event.step
                        ),
                        None,
                    )
                    if event.item is not None
                    else None
                )
                self.proofs.append(
                    Proof(
                        e.seq,
                        e.at,
                        e.actor,
                        title,
                        item_text,
                        event.evidence,
                        event.signer,
                        event.sha256,
                        event.media_type,
                        event.size,
                    )
                )
            case MilestoneReached():
                given = (event.date or "")[:10]  # a date given, not the moment reached
                self.add(e, k, text=event.title, detail=given)
            case NoticeSending():
                self.notices[event.key] = event
            case NoticeSent() | NoticeFailed():
                sent = self.notices.get(event.key)
                to = (
                    f"{sent.channel}:{sent.to}"
                    if sent and sent.to
                    else sent.channel
                    if sent
                    else ""
                )
                status = "sent"
                if isinstance(event, NoticeFailed):
                    status = "doubt" if event.doubt else "failed" if event.retry_at else "gave_up"
                    to += f" — {event.error}" if event.error else ""
                self.add(
                    e,
                    k,
                    text=sent.role_title if sent else "",
                    detail=to,
                    status=status,
                    deviation=isinstance(event, NoticeFailed),
                )
            case RunPaused():
                self.add(e, k, status=event.how)
            case RunFinished():
                self.close_forms()
                # Older journals kept only the outcome's id: the step it ended
                # at says it in words.
                said = event.outcome_title or self.where()[2] or event.outcome
                self.add(e, k, text=said)
            case _:
                assert_never(event)


def read_record(journal: Journal, run_id: int) -> RunRecord | None:
    from engine.runtime.queues import refuse_stream

    row = journal.run(run_id)
    if row is None:
        return None
    refuse_stream(row)
    return record_of(journal, row, journal.read_events(run_id))


def record_of(journal: Journal, row: RunRow, events: Iterable[Event | Damaged]) -> RunRecord:
    """The run's record from its events; a damaged event is left out and
    named in `damaged` (with a linked run whose summary cannot be read)."""
    typed: list[tuple[Event, RunEvent] | Damaged] = []
    for e in events:
        if isinstance(e, Damaged):
            typed.append(e)
            continue
        try:
            typed.append((e, read(e)))
        except EventDamaged:
            # Data no sop wrote, under a hash that fits: whoever wrote it
            # rebuilt the chain. Shown as damaged, not as a crash.
            typed.append(Damaged("events", str(e.seq), e.run, "data", "data", e.kind))
    reader = _Reader()
    for item in typed:
        if not isinstance(item, Damaged) and isinstance(item[1], AnswerCorrected):
            fix = item[1]
            if fix.answer == "item":
                reader.ticks[fix.of] = (str(fix.value), fix.reason or "")
                continue
            first = reader.corrections.get(fix.of, ("", show(fix.before)))[1]
            reader.corrections[fix.of] = (show(fix.value), first)
    started: RunStarted | None = None
    finished = None
    damaged: list[Damaged] = []
    for item in typed:
        if isinstance(item, Damaged):
            damaged.append(item)
            continue
        e, event = item
        if isinstance(event, RunStarted):
            started = event
        elif isinstance(event, RunFinished):
            finished = e.at
        try:
            reader.read(e, event)
        except IndexError:  # a step entered before the run started: not as sop writes
            damaged.append(Damaged("events", str(e.seq), e.run, "data", "data", e.kind))
    reader.close_forms()
    if len(typed) < row.events or started is None:
        gone = str(max(row.events - len(typed), 1))
        damaged.append(Damaged("runs", str(row.id), row.id, "missing", "events", gone))
    children: list[RunRow] = []
    for child in journal.children(row.id):
        if isinstance(child, Damaged):
            damaged.append(child)
        else:
            children.append(child)
    parent: RunRow | None = None
    if row.parent is not None:
        linked = journal.read_run(row.parent)
        if isinstance(linked, Damaged):
            damaged.append(linked)
        else:
            parent = linked
    return RunRecord(
        row,
        started,
        tuple(reader.entries),
        tuple(reader.forms),
        tuple(children),
        parent,
        finished,
        reader.changed,
        tuple(damaged),
        tuple(reader.proofs),
    )


def event_json(e: Event) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "run": e.run,
        "at": e.at,
        "kind": e.kind,
        "actor": e.actor,
        "data": dict(e.data),
        "hash": e.hash,
    }


def damage_json(d: Damaged) -> dict[str, Any]:
    """What is wrong with a row, for tools."""
    from engine.journal import describe_damage, describe_place

    return {
        "table": d.table,
        "key": d.key,
        "run": d.run,
        "damage": d.kind,
        "column": d.column,
        "message": f"{describe_place(d)}: {describe_damage(d)}",
    }


def run_json(row: RunRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "procedure": row.procedure,
        "title": row.title,
        "kind": row.kind,
        "status": row.status,
        "step": row.step,
        "step_title": row.step_title,
        "outcome": row.outcome,
        "operator": row.operator,
        "site": row.site,
        "started_at": row.started_at,
        "updated_at": row.updated_at,
        "parent": row.parent,
        "events": row.events,
        "rulebook_sha": row.rulebook_sha,
        "procedure_sha": row.procedure_sha,
        "dues": list(row.dues),
        "subject": row.subject,
    }
