"""The validated rulebook as frozen dataclasses.

Everything after `build` reads these types, never raw YAML. Every name that
points at something else is a `Ref` and every Jinja2 text is an `Expr`, each
with its position, so a later problem always has a file:line:col.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal, TypeAlias, assert_never

from engine.problems import Pos
from engine.slots import quick_init

# The calendar's types live apart (engine.timetable), so that `sop due` reads
# a cached schedule without loading the whole model. A `Ref` and a procedure's
# `Schedule` and the rulebook's `Site` are the model's all the same.
from engine.timetable import Ref as Ref
from engine.timetable import Schedule as Schedule
from engine.timetable import Site as Site

Kind = Literal["service", "emergency", "routine", "situation", "journey", "table"]
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

KINDS: tuple[Kind, ...] = ("service", "emergency", "routine", "situation", "journey", "table")
# The steps build makes of a rule table (`kind: table`): a step id never
# matches a written one (ids start with a letter), so none can clash.
FIND_STEP = "_find"  # the table's first step: staff find the entry (or its `when`s pick it)
DONE_STEP = "_done"  # where an entry that called a procedure ends
MODES: tuple[Mode, ...] = ("do-confirm", "read-do")
BUILTIN_NAMES = frozenset({"now", "today", "weekday", "hour"})
# The called procedure's outcome: readable only in the guards of a call's `next`.
OUTCOME = "outcome"


@quick_init
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


@quick_init
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
class Assign:
    """One entry of `set: {name: value}`: a declared input of the run's scope
    takes a new value. `raw` is the value as written (true, 3, 已升级, or a
    template such as "{{ attempts + 1 }}", rendered then read as the input's
    type); `value` the same as a template, for the expression checks."""

    target: Ref
    value: Expr
    raw: str | int | float | bool

    @property
    def templated(self) -> bool:
        return isinstance(self.raw, str) and ("{{" in self.raw or "{%" in self.raw)


@quick_init
@dataclass(frozen=True, slots=True)
class Branch:
    """One arm of an automatic `next`; the last one has no `when` (otherwise)."""

    to: Ref
    when: Expr | None = None
    label: str | None = None
    set: tuple[Assign, ...] = ()  # given their values when this branch is taken


@dataclass(frozen=True, slots=True)
class Choice:
    label: str
    to: Ref
    when: Expr | None = None
    set: tuple[Assign, ...] = ()  # given their values when staff pick it


@dataclass(frozen=True, slots=True)
class Record:
    """Fields of a form to fill in at this step; with `when`, only when it
    holds (`record: {form: {fields: all, when: accepted}}`)."""

    form: Ref
    fields: tuple[Ref, ...]
    all_fields: bool = False
    when: Expr | None = None


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
    """A step's date: N units after/before a milestone."""

    anchor: Ref
    direction: Literal["after", "before"]
    amount: int
    unit: Literal["hours", "days", "weeks", "months", "years"]


@dataclass(frozen=True, slots=True)
class DueOf:
    """`due: {earliest: [...]}` / `{latest: [...]}`: the earlier (later) of
    several dates, each after/before a milestone."""

    pick: Literal["earliest", "latest"]
    options: tuple[Due, ...]

    @property
    def anchors(self) -> tuple[Ref, ...]:
        return tuple(d.anchor for d in self.options)


def due_anchors(due: Due | DueOf | None) -> tuple[Ref, ...]:
    """The milestones a step's due date counts from."""
    if due is None:
        return ()
    return due.anchors if isinstance(due, DueOf) else (due.anchor,)


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
    """The run (or the called procedure) ends here with this outcome. `title`
    is the outcome in words: written at the end, or else the procedure's
    `outcomes:` declaration of it (filled in by build)."""

    outcome: str  # the outcome's id
    title: str | None = None  # the outcome in words, when the designer gave them
    pos: Pos | None = None  # where the outcome's id is written


@dataclass(frozen=True, slots=True)
class Parallel:
    """`parallel: {branches, join}` + `next`: once the step is done its
    branches start and the run goes on by `next` at once (the main line).
    A branch is a `Ref` to a step of this procedure (walked until an `end`,
    which ends the branch, not the run) or a `Call` (its `next` is unused).
    They join at `at`, a step of the main line after the fork: the line
    waits there until every branch has ended (`all`) or the first has
    (`any`: the others are cancelled). Without `at`, and on a way to the
    end that misses it, they join at the run's end: `all`, the run is
    finished only when every branch has ended; `any`, the first of them
    (or the main line) to end cancels the others."""

    lanes: tuple[Ref | Call, ...]
    join: Literal["all", "any"] = "all"
    next: Next = Next(())
    pos: Pos | None = None  # where `parallel:` is written
    at: Ref | None = None  # the main line's step where it waits for the branches


Exit: TypeAlias = Next | Choices | Call | End | Parallel
NOWHERE = Next(())


def lane_steps(way: Exit) -> tuple[Ref, ...]:
    """The steps the `to:` branches of a parallel start at (none for others)."""
    if isinstance(way, Parallel):
        return tuple(lane for lane in way.lanes if isinstance(lane, Ref))
    return ()


def exit_key(way: Exit) -> str:
    """The key a way out is written with."""
    match way:
        case Next():
            return "next"
        case Choices():
            return "choices"
        case Call(next=Next(branches)):
            return "call+next" if branches else "call"
        case Parallel(next=Next(branches)):
            return "parallel+next" if branches else "parallel"
        case End():
            return "end"
        case _:
            assert_never(way)


def branches_of(way: Exit) -> tuple[Branch, ...]:
    """The guarded branches a way out goes on by: a next's, or a call's once
    the callee returns (none for choices and an end)."""
    if type(way) is Next:  # most ways out (the match below, without its patterns)
        return way.branches
    match way:
        case Next(branches) | Call(next=Next(branches)) | Parallel(next=Next(branches)):
            return branches
        case Choices() | End():
            return ()
        case _:
            assert_never(way)


def arms_of(way: Exit) -> tuple[Branch | Choice, ...]:
    """The branches or choices of a way out (what `set:` can be written on)."""
    match way:
        case Next(branches) | Call(next=Next(branches)) | Parallel(next=Next(branches)):
            return branches
        case Choices(choices):
            return choices
        case End():
            return ()
        case _:
            assert_never(way)


def exit_targets(way: Exit) -> tuple[Ref, ...]:
    """Every step a way out can lead to."""
    if type(way) is Next:  # most ways out (the match below, without its patterns)
        return tuple([b.to for b in way.branches])
    match way:
        case Next(branches) | Call(next=Next(branches)):
            return tuple(b.to for b in branches)
        case Parallel(next=Next(branches)):
            return (*(b.to for b in branches), *lane_steps(way))
        case Choices(choices):
            return tuple(c.to for c in choices)
        case End():
            return ()
        case _:
            assert_never(way)


@quick_init
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
    due: Due | DueOf | None = None
    milestone: Ref | None = None
    # `milestone: {name, from: form.field}`: the milestone's date is the
    # recorded field's value (else the moment the step is done).
    milestone_from: Ref | None = None
    # `timeout: step`: once this step's `within`/`due` has passed, the run is
    # moved there (journaled) at the next prompt or on resume.
    timeout: Ref | None = None
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

    # Given their values once the step is done, before its way out is judged.
    set: tuple[Assign, ...] = ()
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
    def stops(self) -> bool:
        """Whether a run stops here for staff (something to do, record, answer
        or choose): only there can a deadline pass with the step undone."""
        return bool(
            self.do or self.record or self.ask or self.evidence or isinstance(self.exit, Choices)
        )

    @property
    def ways(self) -> tuple[Exit, ...]:
        """Every way out written: `exit`, then `also`."""
        return (self.exit, *self.also) if self.also else (self.exit,)

    @property
    def targets(self) -> tuple[Ref, ...]:
        """Every step this one can go to next (by any way out written, and by its timeout)."""
        if not self.also and self.timeout is None:
            return exit_targets(self.exit)  # most steps: one way out, no timeout
        timeout = (self.timeout,) if self.timeout is not None else ()
        return (*(t for way in self.ways for t in exit_targets(way)), *timeout)

    @property
    def calls(self) -> tuple[Call, ...]:
        """The procedures this step calls (one, unless one-way-out's error),
        and those its parallel branches run."""
        return tuple(
            c
            for way in self.ways
            for c in (
                (way,) if isinstance(way, Call) else way.lanes if isinstance(way, Parallel) else ()
            )
            if isinstance(c, Call)
        )


@dataclass(frozen=True, slots=True)
class Rule:
    """A standing rule (`rules:`): always in force at the steps it concerns
    (`steps`, none: the whole procedure) for the posts it binds (none: every
    post); shown there, never asked as done and never journaled as an answer."""

    id: str
    text: str
    pos: Pos
    role: Ref | None = None
    also_roles: tuple[Ref, ...] = ()
    steps: tuple[Ref, ...] = ()
    hint: str | None = None
    cite: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def roles(self) -> tuple[Ref, ...]:
        return (self.role, *self.also_roles) if self.role else ()


@dataclass(frozen=True, slots=True)
class NeverSay:
    """Words never to say (`never_say:`, 禁用语), with what to say `instead`
    when the source gives it; shown where `Rule`s are."""

    text: str
    pos: Pos
    instead: str | None = None
    role: Ref | None = None
    also_roles: tuple[Ref, ...] = ()
    steps: tuple[Ref, ...] = ()
    cite: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def roles(self) -> tuple[Ref, ...]:
        return (self.role, *self.also_roles) if self.role else ()


Standing: TypeAlias = Rule | NeverSay


def concerns(rule: Standing, step: str | None, roles: tuple[str, ...] = ()) -> bool:
    """Whether a standing rule is shown at a step (None: anywhere in the
    procedure) done by one of `roles` (empty: any post)."""
    if step is not None and rule.steps and step not in {s.name for s in rule.steps}:
        return False
    return not (roles and rule.roles and not {r.name for r in rule.roles} & set(roles))


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of a rule table (`kind: table`): a situation (`title`), and
    the step build made of its do/say/record/call (`step`, id = the entry's).
    A decision entry has `when` over the table's inputs; `otherwise` is the
    last, taken when no other holds."""

    id: str
    number: int
    title: str
    pos: Pos
    step: Step
    number_pos: Pos
    when: Expr | None = None
    otherwise: bool = False
    never_say: tuple[NeverSay, ...] = ()
    cite: str | None = None


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
class OutcomeDecl:
    """One of a procedure's declared `outcomes:`, id → what staff see."""

    name: str
    title: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class Milestone:
    name: str
    title: str
    pos: Pos


# ---------------------------------------------------------------- calendar schedules
# (the types are engine.timetable's)


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
    # `outcomes:`, declared once with their titles (empty: the first edition,
    # where each `end:` says its own id and words).
    declared_outcomes: Mapping[str, OutcomeDecl] = field(default_factory=dict)
    document: Document = field(default_factory=Document)
    lint_disable: frozenset[str] = frozenset()
    notes: tuple[str, ...] = ()  # for designers only: the manual's 编制说明, never staff
    schedule: tuple[Schedule, ...] = ()  # calendar duties: when occurrences fall due
    escalate: tuple[Escalation, ...] = ()  # for its steps with a deadline and none of their own
    rules: tuple[Rule, ...] = ()  # standing rules: shown, never asked
    never_say: tuple[NeverSay, ...] = ()  # words never to say
    entries: tuple[Entry, ...] = ()  # a rule table's (`kind: table`); its steps are made of them

    @property
    def standing(self) -> tuple[Standing, ...]:
        """Its standing rules, then its words never to say."""
        return (*self.rules, *self.never_say)

    @property
    def runnable(self) -> bool:
        """Whether `sop run` can walk it: a conduct code (rules only, no
        steps) is printed, never run."""
        return bool(self.steps)

    @property
    def size(self) -> int:
        """How many steps it has as written (a table: its entries)."""
        return len(self.entries) if self.is_table else len(self.steps)

    @property
    def is_table(self) -> bool:
        return self.kind == "table"

    @property
    def decides(self) -> bool:
        """A decision table: its entries are picked by their `when`s, not by staff."""
        return any(e.when is not None for e in self.entries)

    def entry(self, step: str) -> Entry | None:
        """The entry a step of a table was made of (None: not an entry's)."""
        return next((e for e in self.entries if e.id == step), None)

    def escalation(self, step: Step) -> tuple[Escalation, ...]:
        """The chain a step's overdue deadline follows: its own, or the procedure's."""
        return step.escalate if step.escalate is not None else self.escalate

    def outcomes(self) -> dict[str, str]:
        """How a run of it can end, id → the words staff see, in file order:
        what a caller's `next` may compare `outcome` with. The declared
        `outcomes:` first; then any `end:` id not declared (first edition),
        titled by the first title written for it, else its step's title."""
        out = {name: o.title for name, o in self.declared_outcomes.items()}
        for step in self.steps.values():
            for way in step.ways:
                if isinstance(way, End) and way.outcome not in out:
                    out[way.outcome] = way.title or step.title
        return out

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
            yield from (r.when for r in step.record if r.when)
            yield from (a.value for a in step.set)
            for way in (step.exit, *step.also):
                yield from _exprs_of(way)

    def assigned(self) -> Iterator[tuple[Step, Assign]]:
        """Every `set:` entry (a step's, a choice's, a branch's), with its step."""
        for step in self.steps.values():
            for a in step.set:
                yield step, a
            for way in step.ways:
                for arm in arms_of(way):
                    for a in arm.set:
                        yield step, a


def _exprs_of(way: Exit) -> Iterator[Expr]:
    match way:
        case Next(branches):
            for b in branches:
                yield from (b.when,) if b.when else ()
                yield from (a.value for a in b.set)
        case Choices(choices):
            for c in choices:
                yield from (c.when,) if c.when else ()
                yield from (a.value for a in c.set)
        case Call(_, args, Next(branches)):
            for b in branches:
                yield from (b.when,) if b.when else ()
                yield from (a.value for a in b.set)
            yield from (value for _, value in args)
        case Parallel(lanes, _, Next(branches)):
            for b in branches:
                yield from (b.when,) if b.when else ()
                yield from (a.value for a in b.set)
            for lane in lanes:
                if isinstance(lane, Call):
                    yield from (value for _, value in lane.args)
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


DEFAULT_DUTY = "接待"  # a queue's duty when its rulebook does not say: "由 王强 接待"


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
    duty: str = ""  # what the one whose turn it is does ("" not said: 接待, DEFAULT_DUTY)

    @property
    def duty_said(self) -> str:
        """The duty as the rulebook says it, else the default (接待)."""
        return self.duty or DEFAULT_DUTY


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
    site: Site | None = None  # hours, holidays, closed days (for schedules)
    rules: tuple[Rule, ...] = ()  # standing rules for every procedure (or the posts named)
    never_say: tuple[NeverSay, ...] = ()  # words never to say, everywhere

    def standing(
        self, proc: Procedure, step: str | None = None, roles: tuple[str, ...] = ()
    ) -> tuple[tuple[Rule, ...], tuple[NeverSay, ...]]:
        """The standing rules and words never to say shown at a step of a
        procedure (None: the procedure as a whole) for those posts (empty:
        any): the rulebook's, then the procedure's, then (a table's entry)
        the entry's own words never to say."""
        entry = proc.entry(step) if step is not None else None
        rules = tuple(r for r in (*self.rules, *proc.rules) if concerns(r, step, roles))
        never = tuple(n for n in (*self.never_say, *proc.never_say) if concerns(n, step, roles))
        return rules, never + (entry.never_say if entry else ())

    def procedure(self, pid: str) -> Procedure:
        return self.procedures[pid]

    @cached_property
    def field_names(self) -> frozenset[str]:
        """`form.field` of every declared field: what guards may read of records."""
        return frozenset(f"{fid}.{k}" for fid, form in self.forms.items() for k in form.fields)

    def field_of(self, name: str) -> Field | None:
        """The field a `form.field` name reads (None if it names none)."""
        form_id, _, field_id = name.partition(".")
        form = self.forms.get(form_id)
        return form.fields.get(field_id) if form else None

    def inputs_for(self, proc: Procedure) -> dict[str, Input]:
        """Inputs visible in a procedure: the rulebook's, then the procedure's own."""
        return {**self.inputs, **proc.inputs}
