"""What a run's journal says, as types: one frozen struct per event kind.

The journal stores an event as its kind (a column) and its data (a JSON
object, hashed into the chain). Here each kind is a class whose fields are
that object's keys, so every reader takes an event apart with `match` and
`assert_never` and mypy names each place a new kind must be handled.

The JSON is what sop has always written, key for key: `to_json` writes
exactly the keys the runtime wrote before these types existed, and
`from_json` reads every journal an earlier sop wrote (tests/fixtures/journals).
Three kinds of field:

- *required*: written by every sop since the first runtime;
- *added later* (a default of None): an older journal lacks them, today's
  runtime always writes them with a value;
- *written only sometimes* (a default that is never written): the run an
  emergency interrupts, the date given to a milestone.

Stored data that is not an event sop writes (a kind it never writes, a key
missing, a value of the wrong type — a journal edited by hand and its chain
computed again) is damage: `decode` raises `EventDamaged`, a `JournalError`
with a catalogue message, never a crash.

The classes are msgspec structs (`frozen=True`): frozen dataclasses whose
reading from JSON is checked by msgspec, which also maps the keys that are
Python words (`with`, `set`) or clash with `kind` to field names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, Literal, Self, TypeAlias, cast

import msgspec

from engine.errors import JournalError
from engine.i18n import message
from engine.journal import Draft, Event
from engine.journal.events import due_problem


class EventKind(StrEnum):
    """The kinds of event a run's journal holds, in the order a run usually meets them."""

    RUN_STARTED = "run.started"
    STEP_ENTERED = "step.entered"
    INPUT_ANSWERED = "input.answered"
    ITEM_CHECKED = "item.checked"
    FIELD_RECORDED = "field.recorded"
    ANSWER_CORRECTED = "answer.corrected"
    VALUE_SET = "value.set"
    CHOICE_MADE = "choice.made"
    BRANCH_TAKEN = "branch.taken"
    STEP_TIMED_OUT = "step.timed_out"
    CALL_STARTED = "call.started"
    CALL_RETURNED = "call.returned"
    # A step's `parallel:` (engine/runtime/lanes.py): a branch (lane) begins
    # beside the run, the runner turns to another lane, a lane ends or is cancelled.
    LANE_STARTED = "lane.started"
    LANE_SWITCHED = "lane.switched"
    LANE_ENDED = "lane.ended"
    MILESTONE_REACHED = "milestone.reached"
    NOTE_ADDED = "note.added"
    WARNING = "warning"
    RUN_PAUSED = "run.paused"
    RUN_RESUMED = "run.resumed"
    RUN_INTERRUPTED = "run.interrupted"
    RUN_CONTINUED = "run.continued"
    RUN_FINISHED = "run.finished"
    TURN_TAKEN = "turn.taken"
    PEOPLE_SIGNED = "people.signed"
    EVIDENCE_ATTACHED = "evidence.attached"
    # `sop notify`'s messages about a run (engine/notify/send.py): journaled
    # before one is sent, then its outcome. They change nothing of the run.
    NOTICE_SENDING = "notice.sending"
    NOTICE_SENT = "notice.sent"
    NOTICE_FAILED = "notice.failed"


NOTICE_KINDS = frozenset({EventKind.NOTICE_SENDING, EventKind.NOTICE_SENT, EventKind.NOTICE_FAILED})


EVENT_DAMAGED = message(
    "journal.event-damaged",
    "{kind} 事件的内容不是 sop 写入的样子: {why}",
    "the {kind} event's data is not what sop writes: {why}",
)
EVENT_UNKNOWN = message(
    "journal.event-unknown",
    '事件种类 "{kind}" 不是 sop 写入的 (可能由更新版本的 sop 写入, 或被改动过)',
    'the event kind "{kind}" is not one sop writes (a newer sop wrote it, or it was altered)',
)


class EventDamaged(JournalError):
    """Stored event data that no sop wrote: said as damage, never a crash."""


Due: TypeAlias = dict[str, Any]  # a deadline, as engine/runtime/dues.py `step_dues` writes it


def _check_dues(dues: tuple[Due, ...] | None) -> None:
    for due in dues or ():
        problem = due_problem(due)
        if problem is not None:
            raise ValueError(f"a deadline in `dues` lacks or mangles {problem}")


class _Stored(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """What every stored event is: its data as JSON, and back (a run's events
    and a queue's alike)."""

    kind: ClassVar[StrEnum]

    def to_json(self) -> dict[str, Any]:
        """The event's data as the journal stores it (JSON arrays as lists)."""
        data = cast(dict[str, Any], msgspec.to_builtins(self))
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}

    @classmethod
    def from_json(cls, data: object) -> Self:
        """The event stored as `data`; `EventDamaged` when it is not one sop writes."""
        try:
            return msgspec.convert(data, cls, strict=True)
        except msgspec.ValidationError as exc:
            raise EventDamaged(EVENT_DAMAGED, kind=cls.kind.value, why=str(exc)) from None


class _Event(_Stored, frozen=True):
    kind: ClassVar[EventKind]


class RunStarted(_Event, frozen=True):
    """A run begins: what it runs, on which pinned rulebook, by whom, with which values."""

    kind: ClassVar[EventKind] = EventKind.RUN_STARTED
    procedure: str
    title: str
    procedure_kind: str = msgspec.field(name="kind")  # sop | journey | emergency
    mode: str
    version: str | None
    rulebook: str  # the folder it was read from ("" when rebuilt from the journal)
    rulebook_sha: str
    procedure_sha: str
    operator: str | None
    site: str | None
    preset: dict[str, Any] = msgspec.field(name="set")  # `--set` values
    interrupts: int | None = None  # written only by an emergency: the run it interrupted
    # Written only for a scheduled procedure's run: the occurrence it is for
    # ("2026-12-02T10:30" or "2026-12-25"; engine/runtime/occurrences.py).
    occurrence: str | None = None


class StepEntered(_Event, frozen=True):
    """The top frame arrives at a step; its deadlines are worked out once, here."""

    kind: ClassVar[EventKind] = EventKind.STEP_ENTERED
    procedure: str
    step: str
    title: str
    dues: tuple[Due, ...]

    def __post_init__(self) -> None:
        _check_dues(self.dues)


class InputAnswered(_Event, frozen=True):
    kind: ClassVar[EventKind] = EventKind.INPUT_ANSWERED
    name: str
    value: Any
    step: str | None
    depth: int  # the frame it belongs to (a caller's input can be asked as its callee ends)
    label: str | None = None  # added later
    type: str | None = None  # added later


class ItemChecked(_Event, frozen=True):
    kind: ClassVar[EventKind] = EventKind.ITEM_CHECKED
    step: str | None
    index: int
    text: str
    critical: bool
    status: str  # done | skipped | not_done (ItemStatus, engine/runtime/prompts.py)
    reason: str | None


class FieldRecorded(_Event, frozen=True):
    kind: ClassVar[EventKind] = EventKind.FIELD_RECORDED
    step: str | None
    form: str
    form_title: str
    field: str
    label: str
    type: str
    value: Any


class AnswerCorrected(_Event, frozen=True):
    """An earlier answer given again: appended, never an edit of the answer.

    An input or a form field of the run, or a `do` item of the current step
    (`answer` "item": `value` and `before` are statuses, done | skipped |
    not_done, and `reason` the new one's reason, if any)."""

    kind: ClassVar[EventKind] = EventKind.ANSWER_CORRECTED
    of: int  # the seq of the input.answered, field.recorded or item.checked it corrects
    answer: Literal["input", "field", "item"] = msgspec.field(name="kind")
    name: str  # the input's name, the field's id, the item's text
    label: str
    form: str | None
    form_title: str | None
    # The input's procedure while its frame is on the stack; an item's, always.
    procedure: str | None
    depth: int
    step: str | None
    value: Any
    before: Any
    index: int | None = None  # written only for an item: its place in the step's `do`
    reason: str | None = None  # written only for an item not done or skipped: why


class ValueSet(_Event, frozen=True):
    """A `set:` of a step (once it is done), a choice or a branch: an input
    of frame `depth` takes a new value."""

    kind: ClassVar[EventKind] = EventKind.VALUE_SET
    name: str
    label: str
    value: Any
    before: Any
    by: Literal["step", "choice", "branch"]
    depth: int
    procedure: str
    step: str | None


class StepTimedOut(_Event, frozen=True):
    """A step's `within`/`due` passed with the step not done: the run moves
    to its `timeout:` step (at the next prompt, or on resume)."""

    kind: ClassVar[EventKind] = EventKind.STEP_TIMED_OUT
    procedure: str
    step: str
    to: str
    index: int  # always 0: a step has one timeout (kept like the other moves)
    due: str  # the deadline that passed
    text: str | None  # the deadline as written


class ChoiceMade(_Event, frozen=True):
    kind: ClassVar[EventKind] = EventKind.CHOICE_MADE
    step: str
    label: str
    to: str
    index: int
    procedure: str | None = None  # added later: the frame's procedure


class BranchTaken(_Event, frozen=True):
    kind: ClassVar[EventKind] = EventKind.BRANCH_TAKEN
    step: str
    to: str
    why: str
    index: int
    procedure: str | None = None  # added later: the frame's procedure


class CallStarted(_Event, frozen=True):
    kind: ClassVar[EventKind] = EventKind.CALL_STARTED
    step: str
    procedure: str  # the callee
    title: str
    args: dict[str, Any] = msgspec.field(name="with")


class CallReturned(_Event, frozen=True):
    kind: ClassVar[EventKind] = EventKind.CALL_RETURNED
    procedure: str  # the callee that ended
    title: str
    outcome: str
    outcome_title: str | None = None  # added later: the outcome in words


class LaneStarted(_Event, frozen=True):
    """One branch of a step's `parallel:` begins beside the run: lane `lane`
    (the run's own line is lane 0), started at `step` of `procedure` by lane
    `parent`. It walks `procedure` from `to`, or runs `call` with `args`.
    `fork` is the first lane the same step started (a join: any cancels the
    fork's other lanes)."""

    kind: ClassVar[EventKind] = EventKind.LANE_STARTED
    lane: int
    fork: int
    parent: int
    index: int  # the branch's place in `parallel.branches`
    procedure: str
    step: str
    join: Literal["all", "any"]
    title: str  # the branch in words: its first step's title, or the callee's
    to: str | None = None
    call: str | None = None
    args: dict[str, Any] = msgspec.field(name="with", default_factory=dict)


class LaneSwitched(_Event, frozen=True):
    """The runner turns to lane `lane` (staff asked, or the lane it was on ended)."""

    kind: ClassVar[EventKind] = EventKind.LANE_SWITCHED
    lane: int
    title: str


class LaneEnded(_Event, frozen=True):
    """A lane ended at an end step (`outcome`), or was cancelled by a join:
    any (`cancelled`, `by` the lane whose end joined it). Lane 0 ending is
    the run's own line at its end while other lanes are still open."""

    kind: ClassVar[EventKind] = EventKind.LANE_ENDED
    lane: int
    title: str
    outcome: str | None = None
    outcome_title: str | None = None
    cancelled: bool = False
    by: int | None = None


class MilestoneReached(_Event, frozen=True):
    """A milestone reached at a step (`step`), or given a date (`date` and the
    rest: `sop milestone`, the prompt's m), which may lie ahead."""

    kind: ClassVar[EventKind] = EventKind.MILESTONE_REACHED
    name: str
    title: str
    step: str | None = None  # reached at this step
    date: str | None = None  # given: the date (ISO), the step's deadlines worked out again
    planned: bool | None = None
    corrects: str | msgspec.UnsetType | None = msgspec.UNSET  # given: the date before, if any
    dues: tuple[Due, ...] | None = None
    # written only when the date is taken from a recorded field (`milestone: {from}`)
    taken_from: str | None = msgspec.field(name="from", default=None)

    def __post_init__(self) -> None:
        _check_dues(self.dues)


class NoteAdded(_Event, frozen=True):
    kind: ClassVar[EventKind] = EventKind.NOTE_ADDED
    step: str | None
    procedure: str
    text: str


class RunWarning(_Event, frozen=True):
    """A rulebook expression that failed at run time (kind `warning`)."""

    kind: ClassVar[EventKind] = EventKind.WARNING
    step: str | None
    where: str  # file:line:col of the expression
    expression: str
    detail: str


class RunPaused(_Event, frozen=True):
    kind: ClassVar[EventKind] = EventKind.RUN_PAUSED
    step: str | None
    how: str  # asked | waiting | error | a signal's name (engine/runtime/interrupts.py)


class RunResumed(_Event, frozen=True):
    kind: ClassVar[EventKind] = EventKind.RUN_RESUMED
    step: str | None
    rulebook_changed: bool
    current_sha: str | None  # the procedure's file now, None when it cannot be read


class RunInterrupted(_Event, frozen=True):
    kind: ClassVar[EventKind] = EventKind.RUN_INTERRUPTED
    by: int  # the emergency's run
    procedure: str
    title: str
    step: str | None


class RunContinued(_Event, frozen=True):
    kind: ClassVar[EventKind] = EventKind.RUN_CONTINUED
    after: int  # the emergency's run, now finished
    procedure: str
    title: str
    outcome: str
    outcome_title: str | None = None  # added later


class RunFinished(_Event, frozen=True):
    kind: ClassVar[EventKind] = EventKind.RUN_FINISHED
    outcome: str
    step: str | None
    procedure: str
    outcome_title: str | None = None  # added later


class TurnTaken(_Event, frozen=True):
    """A step's turn in a queue (`turn:`): whom it took, how. The queue's own
    stream holds its side (`QueueTurn` or `QueueCredited`), written in the
    same transaction."""

    kind: ClassVar[EventKind] = EventKind.TURN_TAKEN
    queue: str
    title: str
    stream: int  # the run that keeps the queue's events
    step: str
    person: str
    take: Literal["next", "last", "named"]
    counts: bool
    credit: bool
    owed: bool  # an owed (make-up) turn was served
    binds: str | None = msgspec.field(name="as")  # the input the name went into


class PeopleSigned(_Event, frozen=True):
    """Who did a step (`item` None) or a `do` item, by name (`person:`)."""

    kind: ClassVar[EventKind] = EventKind.PEOPLE_SIGNED
    step: str | None
    item: int | None
    how: Literal["another", "all", "named"]
    people: tuple[str, ...]


class EvidenceAttached(_Event, frozen=True):
    """A photo or a signature left for a step (`item` None) or a `do` item
    (`evidence:`). A photo, and a drawn signature, is a file in the evidence
    folder under its `sha256` (engine/journal/evidence.py); a signature given
    as the signer's typed name has no file (`sha256`, `media_type`, `size` None)."""

    kind: ClassVar[EventKind] = EventKind.EVIDENCE_ATTACHED
    step: str | None
    item: int | None
    evidence: Literal["photo", "signature"]
    signer: str | None  # who signed (a signature), who was asked (a photo: None)
    sha256: str | None
    media_type: str | None
    size: int | None


class NoticeSending(_Event, frozen=True):
    """A message about the run, written before it leaves: to whom, through
    which channel, saying what (`key` names it across retries and runs)."""

    kind: ClassVar[EventKind] = EventKind.NOTICE_SENDING
    key: str
    id: str  # given to a receiver that drops repeats (an SMS gateway)
    level: int  # 0: the step's own role, reminded; 1…: the escalation levels
    role: str
    role_title: str
    channel: str
    to: str | None
    step: str
    step_title: str
    due: str  # the deadline it is about
    text: str
    attempt: int


class NoticeSent(_Event, frozen=True):
    kind: ClassVar[EventKind] = EventKind.NOTICE_SENT
    key: str
    attempt: int


class NoticeFailed(_Event, frozen=True):
    """The channel did not take it: tried again at `retry_at`, or given up
    (None). `doubt`: a notify run died while sending it, and the channel
    cannot be asked again without perhaps sending it twice."""

    kind: ClassVar[EventKind] = EventKind.NOTICE_FAILED
    key: str
    attempt: int
    error: str
    retry_at: str | None
    doubt: bool = False


RunEvent: TypeAlias = (
    RunStarted
    | StepEntered
    | InputAnswered
    | ItemChecked
    | FieldRecorded
    | AnswerCorrected
    | ValueSet
    | ChoiceMade
    | BranchTaken
    | StepTimedOut
    | CallStarted
    | CallReturned
    | LaneStarted
    | LaneSwitched
    | LaneEnded
    | MilestoneReached
    | NoteAdded
    | RunWarning
    | RunPaused
    | RunResumed
    | RunInterrupted
    | RunContinued
    | RunFinished
    | TurnTaken
    | PeopleSigned
    | EvidenceAttached
    | NoticeSending
    | NoticeSent
    | NoticeFailed
)

EVENT_TYPES: Mapping[EventKind, type[RunEvent]] = {
    cls.kind: cls
    for cls in (
        RunStarted,
        StepEntered,
        InputAnswered,
        ItemChecked,
        FieldRecorded,
        AnswerCorrected,
        ValueSet,
        ChoiceMade,
        BranchTaken,
        StepTimedOut,
        CallStarted,
        CallReturned,
        LaneStarted,
        LaneSwitched,
        LaneEnded,
        MilestoneReached,
        NoteAdded,
        RunWarning,
        RunPaused,
        RunResumed,
        RunInterrupted,
        RunContinued,
        RunFinished,
        TurnTaken,
        PeopleSigned,
        EvidenceAttached,
        NoticeSending,
        NoticeSent,
        NoticeFailed,
    )
}


def decode(kind: str, data: object) -> RunEvent:
    """The event of `kind` stored as `data`; `EventDamaged` when sop never writes it so."""
    try:
        cls = EVENT_TYPES[EventKind(kind)]
    except ValueError:
        raise EventDamaged(EVENT_UNKNOWN, kind=kind) from None
    return cls.from_json(data)


def read(e: Event) -> RunEvent:
    """A stored event's data, typed."""
    return decode(e.kind, e.data)


@dataclass(frozen=True, slots=True)
class Stamped:
    """An event with the moment it happened and who did it: what the runtime
    writes (as a `Draft`) and folds into the run's state before writing it."""

    event: RunEvent
    at: str
    actor: str | None = None

    def draft(self) -> Draft:
        return Draft(self.event.kind.value, self.at, self.event.to_json(), self.actor)


# ---------------------------------------------------------------- a queue's stream
#
# A queue declared in rulebook.yaml (the sales rotation) keeps its events on a
# stream of its own: a run of kind `queue` (engine.runtime.queues). They are
# never a run's events, so they have their own kinds and union, and every
# reader of a stream takes them apart with `match` as a run's readers do.


class QueueEventKind(StrEnum):
    OPENED = "queue.opened"
    JOINED = "queue.joined"
    LEFT = "queue.left"
    AWAY = "queue.away"
    BACK = "queue.back"
    ORDERED = "queue.ordered"
    TURN = "queue.turn"
    CREDITED = "queue.credited"


class _QueueEvent(_Stored, frozen=True):
    kind: ClassVar[QueueEventKind]


class QueueOpened(_QueueEvent, frozen=True):
    """The stream's first event: which queue, at which site, on which rulebook."""

    kind: ClassVar[QueueEventKind] = QueueEventKind.OPENED
    queue: str
    title: str
    stream_kind: str = msgspec.field(name="kind")  # always "queue" (QUEUE_KIND)
    rulebook_sha: str
    procedure_sha: str  # the sha256 of rulebook.yaml, where the queue is declared
    site: str | None
    operator: str | None


class QueueJoined(_QueueEvent, frozen=True):
    kind: ClassVar[QueueEventKind] = QueueEventKind.JOINED
    people: tuple[str, ...]  # at the back, in this order


class QueueLeft(_QueueEvent, frozen=True):
    kind: ClassVar[QueueEventKind] = QueueEventKind.LEFT
    person: str


class QueueAway(_QueueEvent, frozen=True):
    """Out on company business: skipped by turns, keeps their place."""

    kind: ClassVar[QueueEventKind] = QueueEventKind.AWAY
    person: str


class QueueBack(_QueueEvent, frozen=True):
    kind: ClassVar[QueueEventKind] = QueueEventKind.BACK
    person: str


class QueueOrdered(_QueueEvent, frozen=True):
    kind: ClassVar[QueueEventKind] = QueueEventKind.ORDERED
    order: tuple[str, ...]


class QueueTurn(_QueueEvent, frozen=True):
    """A person taken by a run's step (`turn:`), counted as a reception or not."""

    kind: ClassVar[QueueEventKind] = QueueEventKind.TURN
    person: str
    take: Literal["next", "last", "named"]
    counts: bool
    run: int
    step: str
    owed: bool = False  # an owed (make-up) turn was served


class QueueCredited(_QueueEvent, frozen=True):
    """A make-up turn owed to a person (补接待一次); `undoes` is the stream's
    event of their counted turn in the same run, which no longer counts."""

    kind: ClassVar[QueueEventKind] = QueueEventKind.CREDITED
    person: str
    run: int
    step: str
    undoes: int | None


QueueEvent: TypeAlias = (
    QueueOpened
    | QueueJoined
    | QueueLeft
    | QueueAway
    | QueueBack
    | QueueOrdered
    | QueueTurn
    | QueueCredited
)

QUEUE_EVENT_TYPES: Mapping[QueueEventKind, type[QueueEvent]] = {
    cls.kind: cls
    for cls in (
        QueueOpened,
        QueueJoined,
        QueueLeft,
        QueueAway,
        QueueBack,
        QueueOrdered,
        QueueTurn,
        QueueCredited,
    )
}


def decode_queue(kind: str, data: object) -> QueueEvent:
    """A queue stream's event of `kind` stored as `data` (`EventDamaged` otherwise)."""
    try:
        cls = QUEUE_EVENT_TYPES[QueueEventKind(kind)]
    except ValueError:
        raise EventDamaged(EVENT_UNKNOWN, kind=kind) from None
    return cls.from_json(data)
