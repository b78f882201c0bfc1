"""The validated rulebook as frozen dataclasses.

Everything after `build` reads these types, never raw YAML. Every name that
points at something else is a `Ref` and every Jinja2 text is an `Expr`, each
with its position, so a later problem always has a file:line:col.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeAlias, assert_never

from engine.problems import Pos

Kind = Literal["service", "emergency", "routine", "situation", "journey"]
Mode = Literal["do-confirm", "read-do"]
InputType = Literal["text", "bool", "int", "number", "choice", "date", "time", "phone"]
FieldType = Literal[
    "text",
    "longtext",
    "bool",
    "int",
    "number",
    "choice",
    "date",
    "time",
    "datetime",
    "phone",
    "score",
    "signature",
]
ExprKind = Literal["guard", "template"]

KINDS: tuple[Kind, ...] = ("service", "emergency", "routine", "situation", "journey")
MODES: tuple[Mode, ...] = ("do-confirm", "read-do")
BUILTIN_NAMES = frozenset({"now", "today", "weekday", "hour"})


@dataclass(frozen=True, slots=True)
class Ref:
    """A name that must resolve to something declared elsewhere."""

    name: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class Expr:
    """A `when` guard (expression) or a `say`/`do`/`with` text (template).
    `style` is the YAML scalar style, so a column inside the text can be
    mapped back to the file ("" plain, '"' or "'" quoted, "|"/">" block)."""

    source: str
    kind: ExprKind
    pos: Pos
    style: str = ""


@dataclass(frozen=True, slots=True)
class Evidence:
    """Proof a step or a checklist item asks for: at least `photos` photos
    (from the phone's camera) and, with `signature`, a signature (drawn, or
    the signer's name typed) — by `signer` when the designer names who signs
    (客户), else by the person doing the step."""

    pos: Pos
    photos: int = 0
    signature: bool = False
    signer: str | None = None


@dataclass(frozen=True, slots=True)
class Person:
    """Who, by name, does a step or an item (`person:`): `another` — someone
    other than the operator, asked by name; `all` — every member present
    signs, names asked until an empty line (at least two); `named` — the
    person `name` renders to (an input, a field, a queue turn's `as`)."""

    kind: Literal["another", "all", "named"]
    pos: Pos
    name: Expr | None = None  # kind "named": the template that names them


Take = Literal["next", "last", "named"]
TAKES: tuple[Take, ...] = ("next", "last", "named")


@dataclass(frozen=True, slots=True)
class Turn:
    """A step's turn in a queue declared in rulebook.yaml (`turn:`): who is
    taken (`next` in the order, owed turns first; the `last` in the order;
    the person `name` renders to), whether it `counts` as a reception (the
    person's count today goes up and they go to the back of the order), or
    whether the person is instead `credit`ed a make-up turn (补接待一次). The
    name taken is put in the run's scope as `binds` (`as:`)."""

    queue: Ref
    pos: Pos
    take: Take = "next"
    name: Expr | None = None  # take "named": the template naming the person
    counts: bool = True
    credit: bool = False
    binds: Ref | None = None  # `as: receiver`
    counts_pos: Pos | None = None  # where `counts:` is written, when it is
    take_pos: Pos | None = None  # where `take:` is written, when it is


@dataclass(frozen=True, slots=True)
class Item:
    """A `do` item or a `say` line."""

    text: Expr
    when: Expr | None = None
    critical: bool = False
    hint: str | None = None  # for staff: shown at the post, on cards and in the manual
    notes: tuple[str, ...] = ()  # for designers only: the manual's 编制说明, never staff
    role: Ref | None = None
    channel: str | None = None  # face | call | sms | letter | visit; None means face to face
    evidence: Evidence | None = None  # asked once the item is done (a `do` item only)
    also_roles: tuple[Ref, ...] = ()  # `role: [a, b]`: the posts after the first, either may
    person: Person | None = None

    @property
    def roles(self) -> tuple[Ref, ...]:
        """Every post that may do it (`role: [a, b]`: either)."""
        return (self.role, *self.also_roles) if self.role else ()


@dataclass(frozen=True, slots=True)
class Branch:
    """One arm of an automatic `next`; the last one has no `when` (otherwise)."""

    to: Ref
    when: Expr | None = None
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Choice:
    label: str
    to: Ref
    when: Expr | None = None


@dataclass(frozen=True, slots=True)
class Record:
    """Fields of a form to fill in at this step."""

    form: Ref
    fields: tuple[Ref, ...]
    all_fields: bool = False


@dataclass(frozen=True, slots=True)
class Duration:
    """`every` / `within`: seconds, a range when written like 8-10min."""

    low: int
    high: int
    text: str


@dataclass(frozen=True, slots=True)
class Escalation:
    """One level of `escalate:`: once a deadline is `after` seconds overdue
    (journey touchpoints: whole days past the due date), `tell` is told."""

    after: int
    tell: Ref
    pos: Pos
    text: str = ""  # `after` as written ("" when not written: at once)


@dataclass(frozen=True, slots=True)
class Due:
    """A journey touchpoint's date: N units after/before a milestone."""

    anchor: Ref
    direction: Literal["after", "before"]
    amount: int
    unit: Literal["hours", "days", "weeks", "months", "years"]


# ---------------------------------------------------------------- a step's way out


@dataclass(frozen=True, slots=True)
class Next:
    """An automatic way on: the first branch whose guard holds (the last has
    no guard: the otherwise). `Next(())` is a step with no way out written
    (one-way-out's error); a run that meets one stops with NO_BRANCH."""

    branches: tuple[Branch, ...]


@dataclass(frozen=True, slots=True)
class Choices:
    """Staff pick one of the choices whose guard holds."""

    choices: tuple[Choice, ...]


@dataclass(frozen=True, slots=True)
class Call:
    """Run another procedure (its inputs given by `args`, the `with:` texts),
    then go on by `next` once it returns (`Next(())`: no next written)."""

    procedure: Ref
    args: tuple[tuple[Ref, Expr], ...] = ()
    next: Next = Next(())


@dataclass(frozen=True, slots=True)
class End:
    """The run (or the called procedure) ends here with this outcome."""

    outcome: str  # the outcome's id
    title: str | None = None  # the outcome in words, when the designer gave them


Exit: TypeAlias = Next | Choices | Call | End
NOWHERE = Next(())


def exit_key(way: Exit) -> str:
    """The key a way out is written with."""
    match way:
        case Next():
            return "next"
        case Choices():
            return "choices"
        case Call(next=Next(branches)):
            return "call+next" if branches else "call"
        case End():
            return "end"
        case _:
            assert_never(way)


def branches_of(way: Exit) -> tuple[Branch, ...]:
    """The guarded branches a way out goes on by: a next's, or a call's once
    the callee returns (none for choices and an end)."""
    match way:
        case Next(branches) | Call(next=Next(branches)):
            return branches
        case Choices() | End():
            return ()
        case _:
            assert_never(way)


def exit_targets(way: Exit) -> tuple[Ref, ...]:
    """Every step a way out can lead to."""
    match way:
        case Next(branches) | Call(next=Next(branches)):
            return tuple(b.to for b in branches)
        case Choices(choices):
            return tuple(c.to for c in choices)
        case End():
            return ()
        case _:
            assert_never(way)


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    title: str
    pos: Pos
    role: Ref | None = None
    do: tuple[Item, ...] = ()
    say: tuple[Item, ...] = ()
    ask: tuple[Ref, ...] = ()
    record: tuple[Record, ...] = ()
    exit: Exit = NOWHERE
    # Further ways out written besides `exit`, in file order: one-way-out's
    # error. Their targets are still checked; nothing takes them.
    also: tuple[Exit, ...] = ()
    # Exit keys written that belong to no way out (`with` without `call`).
    stray: tuple[str, ...] = ()
    every: Duration | None = None
    within: Duration | None = None
    at: str | None = None
    due: Due | None = None
    milestone: Ref | None = None
    hint: str | None = None  # for staff: shown at the post, on cards and in the manual
    notes: tuple[str, ...] = ()  # for designers only: the manual's 编制说明, never staff
    source: str | None = None
    stage: str | None = None
    status: str | None = None
    evidence: Evidence | None = None  # asked once the items and fields are answered
    also_roles: tuple[Ref, ...] = ()  # `role: [a, b]`: the posts after the first, either may
    person: Person | None = None
    turn: Turn | None = None

    @property
    def roles(self) -> tuple[Ref, ...]:
        """Every post that may do it (`role: [a, b]`: either)."""
        return (self.role, *self.also_roles) if self.role else ()

    # Who is told next when the deadline passes; None: the procedure's.
    escalate: tuple[Escalation, ...] | None = None

    @property
    def outcome(self) -> str:
        """How a run ending here ended, in words for staff: the outcome's
        title, or else this step's own title (never the outcome's id)."""
        title = self.exit.title if isinstance(self.exit, End) else None
        return title or self.title

    @property
    def has_deadline(self) -> bool:
        """Whether the step can fall due (and so be overdue and escalated):
        `within`, `at`, `due`, or the date a milestone it marks is given."""
        return any(x is not None for x in (self.within, self.at, self.due, self.milestone))

    @property
    def ways(self) -> tuple[Exit, ...]:
        """Every way out written: `exit`, then `also`."""
        return (self.exit, *self.also)

    @property
    def targets(self) -> tuple[Ref, ...]:
        """Every step this one can go to next (by any way out written)."""
        return tuple(t for way in self.ways for t in exit_targets(way))

    @property
    def calls(self) -> tuple[Call, ...]:
        """The procedures this step calls (one, unless one-way-out's error)."""
        return tuple(way for way in self.ways if isinstance(way, Call))


@dataclass(frozen=True, slots=True)
class Input:
    name: str
    type: InputType
    pos: Pos
    ask: str | None = None
    options: tuple[str, ...] = ()
    default: str | int | float | bool | None = None
    required: bool = True
    min: float | None = None
    max: float | None = None
    notes: tuple[str, ...] = ()  # for designers only


@dataclass(frozen=True, slots=True)
class Milestone:
    name: str
    title: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class Revision:
    version: str
    date: str
    change: str
    author: str | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """Document control (文件控制): 编号, 受控状态, 生效日期, 编制/审核/批准, 修订记录."""

    number: str | None = None
    status: str | None = None
    effective: str | None = None
    author: str | None = None
    reviewer: str | None = None
    approver: str | None = None
    revisions: tuple[Revision, ...] = ()


@dataclass(frozen=True)
class Procedure:
    id: str
    title: str
    kind: Kind
    path: str
    pos: Pos
    start: Ref
    steps: Mapping[str, Step]
    mode: Mode = "do-confirm"
    version: str | None = None
    source: tuple[str, ...] = ()
    purpose: str | None = None
    scope: str | None = None
    trigger: str | None = None
    priority: int | None = None
    roles: tuple[Ref, ...] = ()
    inputs: Mapping[str, Input] = field(default_factory=dict)
    subject: tuple[Ref, ...] = ()  # the inputs that say whom a run is about
    milestones: Mapping[str, Milestone] = field(default_factory=dict)
    document: Document = field(default_factory=Document)
    lint_disable: frozenset[str] = frozenset()
    notes: tuple[str, ...] = ()  # for designers only: the manual's 编制说明, never staff
    escalate: tuple[Escalation, ...] = ()  # for its steps with a deadline and none of their own

    def escalation(self, step: Step) -> tuple[Escalation, ...]:
        """The chain a step's overdue deadline follows: its own, or the procedure's."""
        return step.escalate if step.escalate is not None else self.escalate

    def exprs(self) -> Iterator[Expr]:
        """Every guard and template in the procedure, in file order."""
        for step in self.steps.values():
            if step.turn and step.turn.name:
                yield step.turn.name
            if step.person and step.person.name:
                yield step.person.name
            for item in (*step.say, *step.do):
                yield item.text
                if item.when:
                    yield item.when
                if item.person and item.person.name:
                    yield item.person.name
            for way in (step.exit, *step.also):
                yield from _exprs_of(way)


def _exprs_of(way: Exit) -> Iterator[Expr]:
    match way:
        case Next(branches):
            yield from (b.when for b in branches if b.when)
        case Choices(choices):
            yield from (c.when for c in choices if c.when)
        case Call(_, args, Next(branches)):
            yield from (b.when for b in branches if b.when)
            yield from (value for _, value in args)
        case End():
            pass
        case _:
            assert_never(way)


@dataclass(frozen=True, slots=True)
class Role:
    id: str
    name: str
    pos: Pos
    duties: tuple[str, ...] = ()
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Field:
    id: str
    label: str
    type: FieldType
    pos: Pos
    options: tuple[str, ...] = ()
    required: bool = True
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class Form:
    id: str
    title: str
    pos: Pos
    fields: Mapping[str, Field]
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Reference:
    """A source document designers cite by a short key (`000`, `004 piece 6`):
    the manual prints its title where the key is written, and lists it, with
    its web address if it has one, in its references appendix."""

    key: str
    title: str
    pos: Pos
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Queue:
    """State shared between runs, declared in rulebook.yaml (`queues:`): an
    order of people on one post (the sales rotation, 轮序), kept by the
    journal's queue events and changed with `sop queue` or a step's `turn`."""

    id: str
    title: str
    pos: Pos
    role: Ref | None = None  # the post its members are on
    keeper: Ref | None = None  # the post that keeps it (changes the order, marks away)


@dataclass(frozen=True)
class Organisation:
    name: str
    site: str | None = None
    client: str | None = None


@dataclass(frozen=True)
class Rulebook:
    title: str
    path: str
    pos: Pos
    organisation: Organisation
    version: str | None = None
    locale: str = "zh-CN"
    roles: Mapping[str, Role] = field(default_factory=dict)
    forms: Mapping[str, Form] = field(default_factory=dict)
    inputs: Mapping[str, Input] = field(default_factory=dict)
    procedures: Mapping[str, Procedure] = field(default_factory=dict)
    document: Document = field(default_factory=Document)
    references: Mapping[str, Reference] = field(default_factory=dict)
    queues: Mapping[str, Queue] = field(default_factory=dict)

    def procedure(self, pid: str) -> Procedure:
        return self.procedures[pid]

    def inputs_for(self, proc: Procedure) -> dict[str, Input]:
        """Inputs visible in a procedure: the rulebook's, then the procedure's own."""
        return {**self.inputs, **proc.inputs}
