"""What the runner shows and asks, as data; a `Driver` turns it into a
conversation (a terminal, a pipe, a scenario file, a test).

The runner never prints or reads: it hands a driver views (`show`) and
questions (`ask`) and gets back replies. A reply is a value, an answer to a
checklist item, or a command (emergency, pause, note) that any question
accepts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from engine.runtime.dues import Reminder, Wait
from engine.runtime.values import Spec

ItemStatus = Literal["done", "not_done", "skipped"]


# ---- views


@dataclass(frozen=True, slots=True)
class Header:
    """The first lines of a step: where the run is and who acts."""

    run: int
    procedure: str
    procedure_title: str
    number: int  # steps entered in this run so far, this one included
    total: int  # the fewest steps left before the procedure can end (-1: none)
    step_id: str
    step_title: str
    role: str | None
    trail: tuple[str, ...]  # the procedures below this one on the stack (callers, interrupted)
    emergency: bool
    visit: tuple[int, int]  # (run, steps entered in it so far): identifies one arrival
    hint: str | None = None  # the step's staff-facing hint (never the designers' notes)
    lane: str | None = None  # the branch of a `parallel:` this step belongs to, in words
    lanes: int = 1  # the run's lines still open (its own and its branches'): b turns among them


@dataclass(frozen=True, slots=True)
class ItemView:
    index: int  # position in the step's `do` list (stable key for answers)
    number: int  # shown number, among the items that apply, in the order written
    text: str
    critical: bool
    hint: str | None  # the item's staff-facing hint (never the designers' notes)
    role: str | None
    answer: ItemStatus | None = None
    reason: str | None = None
    person: str | None = None  # who by name (a `person:` template rendered), or None


@dataclass(frozen=True, slots=True)
class Rule:
    """A standing rule or words never to say shown at a step: never asked."""

    text: str
    never: bool = False  # words never to say (禁用语)
    instead: str | None = None  # what to say instead
    hint: str | None = None  # the rule's staff-facing hint


@dataclass(frozen=True, slots=True)
class Body:
    say: tuple[str, ...]
    items: tuple[ItemView, ...]
    mode: str  # do-confirm | read-do
    records: tuple[str, ...]  # titles of the forms this step fills in
    rules: tuple[Rule, ...] = ()  # standing rules and words never to say here


@dataclass(frozen=True, slots=True)
class Notice:
    """Something that happened, said once: `kind` picks the sentence, `args` fill it."""

    kind: str
    args: dict[str, Any]


View = Header | Body | Notice


# ---- questions


@dataclass(frozen=True, slots=True)
class InputQuestion:
    spec: Spec
    default: str | None = None  # asked again (a step's `ask` on a later arrival): Enter keeps it


@dataclass(frozen=True, slots=True)
class ItemQuestion:
    item: ItemView
    mode: str
    total: int


@dataclass(frozen=True, slots=True)
class FieldQuestion:
    form: str
    form_title: str
    spec: Spec
    default: str | None = None  # what the run already knows, taken with Enter


@dataclass(frozen=True, slots=True)
class Option:
    label: str
    to_title: str
    number: int | None = None  # a rule table's entry: its number, staff can type it
    words: str = ""  # and the words staff may find it by (title, do, say)


@dataclass(frozen=True, slots=True)
class ChoiceQuestion:
    options: tuple[Option, ...]  # only those whose guard holds
    find: bool = False  # a rule table: staff find the entry by number or words


@dataclass(frozen=True, slots=True)
class EmergencyOption:
    procedure: str
    title: str
    priority: int
    trigger: str | None


@dataclass(frozen=True, slots=True)
class EmergencyQuestion:
    options: tuple[EmergencyOption, ...]  # by priority, 1 first


@dataclass(frozen=True, slots=True)
class WaitQuestion:
    """A journey step reached before it is due: do it now (Given(True)) or
    leave the journey to wait (Given(False))."""

    step_title: str
    wait: Wait  # its date, or the milestone it waits for


@dataclass(frozen=True, slots=True)
class PeopleQuestion:
    """Who did it, by name (`person:`): `another` — one name, not the
    operator's; `all` — every member, names until an empty line, at least
    two. Replied with Given(tuple of names)."""

    how: Literal["another", "all"]
    what: str  # the step's title or the item's text
    operator: str | None  # refused for `another`


@dataclass(frozen=True, slots=True)
class EvidenceQuestion:
    """Proof a step or a `do` item asks for (`evidence:`): at least `photos`
    pictures and, with `signature`, the signer's name (`signer`: who the
    designer named, else None — the person doing it). Replied with
    Given(EvidenceGiven)."""

    what: str  # the step's title or the item's text
    photos: int
    signature: bool
    signer: str | None


@dataclass(frozen=True, slots=True)
class EvidenceGiven:
    """The pictures' bytes (each already a JPEG, PNG or WebP of at most
    10 MB: engine.journal.evidence.refusal), who signed (None: no
    signature asked) and the signature's picture (drawn on the phone, or a
    photo or scan of a paper signature; None: the name alone)."""

    photos: tuple[bytes, ...]
    signer: str | None
    signature: bytes | None = None


@dataclass(frozen=True, slots=True)
class Answered:
    """An earlier answer of the run, offered for correction."""

    label: str
    value: str  # as shown, the correction already made if any; an item's: its status
    step_title: str
    item: bool = False  # a `do` item of the current step (`value` is an ItemStatus)


@dataclass(frozen=True, slots=True)
class CorrectQuestion:
    """Which earlier answer to correct (Given(index)), or Command("cancel")."""

    answers: tuple[Answered, ...]


Question = (
    InputQuestion
    | ItemQuestion
    | FieldQuestion
    | ChoiceQuestion
    | EmergencyQuestion
    | WaitQuestion
    | CorrectQuestion
    | PeopleQuestion
    | EvidenceQuestion
)


# ---- replies


@dataclass(frozen=True, slots=True)
class Given:
    """A checked value (inputs, fields), or a 0-based option index (choices)."""

    value: Any


@dataclass(frozen=True, slots=True)
class ItemAnswer:
    status: ItemStatus
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Command:
    """`emergency` (`procedure` may name one), `pause`, `note` (with `text`),
    `cancel` (leave the emergency list), `milestone` (a journey date given),
    `correct` (give an earlier answer again), `lane` (turn to another
    branch of a `parallel:`), `hold` (no answer yet: a web
    page waits for its next form; the run stays as it stands, not paused,
    and the session ends here, to go on with `Runner.carry_on`).
    `how` says how a pause came about: asked (p), interrupt (Ctrl-C),
    hangup (the terminal closed), terminated (SIGTERM), eof (end of input)."""

    kind: Literal["emergency", "pause", "note", "cancel", "milestone", "correct", "hold", "lane"]
    text: str = ""  # a note; for `milestone`, the date
    procedure: str | None = None  # an emergency; for `milestone`, the milestone's name
    how: Literal["asked", "interrupt", "hangup", "terminated", "eof"] = "asked"


Reply = Given | ItemAnswer | Command


class Driver(Protocol):
    def show(self, view: View) -> None: ...

    def ask(self, question: Question, reminders: Sequence[Reminder], now: datetime) -> Reply:
        """Return a reply that fits the question (drivers check values with
        `values.parse` and ask again, or fail, when they do not)."""
        ...
