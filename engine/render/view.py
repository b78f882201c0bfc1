"""The shared view of a procedure that every output is rendered from.

Scripts, checklists, the manual and flowcharts all need the same facts in
words: the step's number and post, each item with its condition in words,
where the step can go next and why, its timing and its records. They are
worked out once here, so a condition reads the same on a 话术卡 and in the
manual. Given `--set` answers, items and exits that cannot apply to this
visitor are dropped and the steps this visitor cannot reach are left out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, assert_never

from engine.build import parse_duration
from engine.i18n import Lang
from engine.model import (
    Assign,
    Branch,
    Call,
    Choices,
    Due,
    DueOf,
    Duration,
    End,
    Item,
    NeverSay,
    Next,
    Parallel,
    Person,
    Procedure,
    Ref,
    Rule,
    Rulebook,
    Standing,
    Step,
    lane_steps,
)
from engine.render.exprs import Values, Wording, holds
from engine.render.values import defaults
from engine.render.words import ZH, Words
from engine.schedule import describe

ExitKind = Literal["next", "branch", "choice", "call", "parallel", "end", "lane_end", "timeout"]


def lane_only(proc: Procedure) -> frozenset[str]:
    """The steps only a `parallel:` branch (`to:`) reaches: their `end` ends
    the branch, not the run."""
    own: set[str] = set()
    todo = [proc.start.name]
    while todo:
        sid = todo.pop()
        if sid in own or sid not in proc.steps:
            continue
        own.add(sid)
        step = proc.steps[sid]
        lanes = set(lane_steps(step.exit))
        todo.extend(t.name for t in step.targets if t not in lanes)
    return frozenset(proc.steps) - own


@dataclass(frozen=True)
class Line:
    """A `do` item or a `say` line, in words."""

    text: str
    condition: str = ""
    critical: bool = False
    hint: str | None = None  # for staff
    role_id: str | None = None  # who does it: the item's role, else the step's
    role: str = ""
    own_role: bool = False  # True when the item names a role other than the step's
    notes: tuple[str, ...] = ()  # for designers: the manual's 编制说明 only
    role_ids: tuple[str, ...] = ()  # every post that may do it (`role: [a, b]`)
    person: str = ""  # who by name (`person:`), in words; "" when not said


@dataclass(frozen=True)
class Exit:
    kind: ExitKind
    label: str  # what the edge or the line says
    condition: str = ""  # the guard in words, "" when none
    target: str | None = None  # step id (None for end / call)
    target_title: str = ""
    target_number: int = 0
    sets: str = ""  # what `set:` gives when this way is taken, in words


@dataclass(frozen=True)
class FieldView:
    id: str
    label: str
    type: str
    type_label: str
    required: bool
    options: tuple[str, ...] = ()
    range: str = ""


@dataclass(frozen=True)
class RecordView:
    form_id: str
    title: str
    fields: tuple[FieldView, ...]
    all_fields: bool = False
    condition: str = ""  # `when:` in words: filled in only then ("" always)


@dataclass(frozen=True)
class StepView:
    number: int
    id: str
    title: str
    role_id: str | None
    role: str
    do: tuple[Line, ...]
    say: tuple[Line, ...]
    records: tuple[RecordView, ...]
    exits: tuple[Exit, ...]
    ask: tuple[str, ...] = ()
    every: str = ""
    within: str = ""
    at: str = ""
    due: str = ""
    escalate: str = ""  # who is told, in turn, once the deadline has passed
    call: str = ""  # "《title》" of the called procedure
    call_id: str = ""
    call_args: tuple[str, ...] = ()
    end: str | None = None
    end_title: str = ""  # the outcome in words, when the designer gave them
    milestone: str = ""
    hint: str | None = None  # for staff
    notes: tuple[str, ...] = ()  # for designers: the manual's 编制说明 only
    source: str | None = None
    unverified: bool = False
    is_start: bool = False
    posts: tuple[str, ...] = ()  # every post that may do the step (`role: [a, b]`)
    who: tuple[str, ...] = ()  # the queue turn and who by name (`turn:`, `person:`), in words
    turn_label: str = ""  # the queue turn in a few words, for a flowchart's box
    sets: str = ""  # what the step's own `set:` gives once it is done, in words
    # The standing rules and words never to say written for this step (by
    # `steps:`, or a table entry's own never_say); whole-procedure ones are
    # the procedure's `standing`.
    standing: tuple[StandingView, ...] = ()
    is_entry: bool = False  # a rule table's entry (第N条), not a step (第N步)
    applies: str = ""  # a decision table entry's condition in words ("否则": the otherwise)
    waits: tuple[str, ...] = ()  # the branches joining here (`parallel: {at}`), in words
    join_at: str = ""  # the step this step's branches join at (`parallel: {at}`), "" at the end
    w: Words = ZH  # the language of its words

    @property
    def label(self) -> str:
        """第3步, or a table's 第3条."""
        return self.w("entry" if self.is_entry else "step", n=self.number)

    def standing_for(self, rid: str | None) -> tuple[StandingView, ...]:
        return tuple(s for s in self.standing if s.binds(rid))

    @property
    def timing(self) -> tuple[str, ...]:
        """Deadlines and reminders, each as one phrase (first what the step
        waits for: the branches joining here)."""
        out = list(self.waits)
        if self.at:
            out.append(self.w.view("at", at=self.at))
        if self.every:
            out.append(self.w.view("every", every=self.every))
        if self.within:
            out.append(self.w.view("within", within=self.within))
        if self.due:
            out.append(self.w.view("due", due=self.due))
        if self.escalate:
            out.append(self.w.view("escalate", escalate=self.escalate))
        return tuple(out)

    @property
    def role_ids(self) -> frozenset[str]:
        """Every post that acts in this step."""
        ids = {line.role_id for line in (*self.do, *self.say) if line.role_id}
        ids |= {rid for line in (*self.do, *self.say) for rid in line.role_ids}
        if self.role_id:
            ids.add(self.role_id)
        return frozenset(ids | set(self.posts))

    @property
    def critical(self) -> tuple[Line, ...]:
        return tuple(line for line in self.do if line.critical)


@dataclass(frozen=True)
class StandingView:
    """A standing rule (守则) or words never to say (禁用语), in words: shown
    on cards, in scripts and in the manual, never as a box to tick."""

    kind: Literal["rule", "never"]
    text: str
    instead: str = ""  # (never) what to say instead
    hint: str = ""
    cite: str = ""
    role: str = ""  # the posts it binds, in words ("" every post)
    role_ids: tuple[str, ...] = ()
    where: str = ""  # the steps (entries) it is shown at, in words ("" everywhere)
    step_ids: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    w: Words = ZH  # the language of its words

    def binds(self, rid: str | None) -> bool:
        """Whether a post's card shows it (None: every card)."""
        return rid is None or not self.role_ids or rid in self.role_ids

    @property
    def words(self) -> str:
        """The rule in one line: 禁用语 with what to say instead."""
        if self.kind == "never":
            if self.instead:
                return self.w("never-instead", text=self.text, instead=self.instead)
            return self.w("never-words", text=self.text)
        return self.text


@dataclass(frozen=True)
class EntryView:
    """One entry of a rule table: its number, the situation, its condition
    (a decision table's), and its step in words (what to do, say, record)."""

    number: int
    id: str
    title: str
    step: StepView
    condition: str = ""  # the `when` in words; "否则" for the otherwise
    never_say: tuple[StandingView, ...] = ()
    cite: str = ""


@dataclass(frozen=True)
class RoleView:
    id: str
    name: str
    duties: tuple[str, ...] = ()


@dataclass(frozen=True)
class InputView:
    name: str
    ask: str
    type: str
    options: tuple[str, ...] = ()
    default: str = ""
    w: Words = ZH  # the language of its words

    @property
    def answers(self) -> str:
        """What may be answered, in words: the options, 是 / 否, or the kind of value."""
        if self.options:
            return " / ".join(self.options)
        if self.type == "bool":
            return self.w.view("yes-no")
        return self.w.field_type(self.type)


@dataclass(frozen=True)
class ProcView:
    id: str
    title: str
    kind: str
    kind_label: str
    mode_label: str
    version: str
    source: tuple[str, ...]
    purpose: str
    scope: str
    trigger: str
    priority: int | None
    roles: tuple[RoleView, ...]
    inputs: tuple[InputView, ...]
    steps: tuple[StepView, ...]
    notes: tuple[str, ...]
    document: Any  # engine.model.Document
    filled: bool = False
    values: Mapping[str, Any] = field(default_factory=dict)
    schedule: tuple[str, ...] = ()  # each schedule entry in words (每天 开门时)
    standing: tuple[StandingView, ...] = ()  # its own standing rules and words never to say (all)
    entries: tuple[EntryView, ...] = ()  # a rule table's
    runnable: bool = True  # False: a code of conduct (rules only), printed, never run
    mode: str = "do-confirm"  # how the checklist is worked: do-confirm or read-do

    @property
    def is_table(self) -> bool:
        return self.kind == "table"

    def standing_for(self, rid: str | None) -> tuple[StandingView, ...]:
        """Its standing rules for the whole procedure a post's card shows
        (None: all); those for some steps are shown at the steps."""
        return tuple(s for s in self.standing if s.binds(rid) and not s.step_ids)

    @property
    def forms(self) -> tuple[RecordView, ...]:
        """Each form this procedure fills, once, with every field the procedure
        fills in it (first use first)."""
        seen: dict[str, RecordView] = {}
        for step in self.steps:
            for rec in step.records:
                if rec.form_id not in seen:
                    seen[rec.form_id] = rec
        return tuple(seen.values())

    def step(self, sid: str) -> StepView:
        return next(s for s in self.steps if s.id == sid)

    @property
    def step_notes(self) -> tuple[tuple[StepView, tuple[str, ...]], ...]:
        """The designers' notes of each step and its items, for the manual's
        编制说明 (never for staff), steps in manual order."""
        out = []
        for s in self.steps:
            notes = (*s.notes, *(n for line in (*s.do, *s.say) for n in line.notes))
            if notes:
                out.append((s, notes))
        return tuple(out)


def _answer_words(value: object, w: Words = ZH) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return w.yes_no(value)
    return str(value)


def duration_words(d: Duration, w: Words = ZH) -> str:
    """`8-10min` → `8~10分钟`; `24h` → `24小时`."""
    m = re.match(r"^(\d+)(?:-(\d+))?(min|h|d|w)$", d.text)
    if not m:
        return d.text
    low, high, unit = m.groups()
    if high:
        return w.view("range", low=low, high=high, unit=w.view(f"unit.{unit}"))
    return w.amount(int(low), unit)


def due_words(due: Due | DueOf, proc: Procedure, w: Words = ZH) -> str:
    if isinstance(due, DueOf):
        options = w("list-sep").join(due_words(d, proc, w) for d in due.options)
        return w.view("due-earliest" if due.pick == "earliest" else "due-latest", options=options)
    anchor = proc.milestones.get(due.anchor.name)
    title = anchor.title if anchor else due.anchor.name
    if due.amount == 0:
        return title
    side = "due-after" if due.direction == "after" else "due-before"
    return w.view(side, anchor=title, amount=w.amount(due.amount, due.unit))


class ViewBuilder:
    """Builds `ProcView`s of one rulebook. Given `sets` (the --set answers),
    each procedure is filled in with them over its inputs' defaults."""

    def __init__(self, rulebook: Rulebook, sets: Values | None = None, lang: Lang = "zh") -> None:
        self.lang = lang
        self.w = Words(lang)
        self.rulebook = rulebook
        self.sets = sets
        self.filled = sets is not None
        self.values: Values | None = None  # the procedure being built: defaults + sets

    def role_name(self, rid: str | None) -> str:
        if rid is None:
            return ""
        role = self.rulebook.roles.get(rid)
        return role.name if role else rid

    def form_view(self, form_id: str, field_ids: tuple[str, ...] | None = None) -> RecordView:
        form = self.rulebook.forms.get(form_id)
        if form is None:
            return RecordView(form_id, form_id, ())
        ids = field_ids if field_ids is not None else tuple(form.fields)
        fields = []
        for fid in ids:
            f = form.fields.get(fid)
            if f is None:
                continue
            span = ""
            if f.min is not None and f.max is not None:
                span = f"{f.min:g}–{f.max:g}"
            elif f.min is not None:
                span = f"≥{f.min:g}"
            elif f.max is not None:
                span = f"≤{f.max:g}"
            fields.append(
                FieldView(
                    f.id,
                    f.label,
                    f.type,
                    self.w.field_type(f.type),
                    f.required,
                    f.options,
                    span,
                )
            )
        return RecordView(form_id, form.title, tuple(fields), field_ids is None)

    def procedure(self, proc: Procedure) -> ProcView:
        inputs = self.rulebook.inputs_for(proc)
        fields = {
            f"{fid}.{k}": fld.label
            for fid, form in self.rulebook.forms.items()
            for k, fld in form.fields.items()
        }
        wording = Wording(inputs, fields=fields, lang=self.lang)
        if self.sets is not None:
            self.values = {**defaults(inputs), **self.sets}
        numbers = {sid: i for i, sid in enumerate(proc.steps, start=1)}
        if proc.is_table:  # a table's steps are its entries, numbered as written
            numbers = {e.id: e.number for e in proc.entries}
        keep = self._reachable(proc) if self.filled else set(proc.steps)
        steps = tuple(
            self._step(proc, step, wording, numbers)
            for sid, step in proc.steps.items()
            if sid in keep and sid in numbers
        )
        entries = self._entries(proc, steps, wording)
        roles = tuple(
            RoleView(
                r.name,
                self.role_name(r.name),
                self.rulebook.roles[r.name].duties if r.name in self.rulebook.roles else (),
            )
            for r in proc.roles
        )
        shown_inputs = tuple(
            InputView(
                name,
                spec.ask or name,
                spec.type,
                spec.options,
                _answer_words(spec.default, self.w),
                self.w,
            )
            for name, spec in proc.inputs.items()
            # Who the run is about is asked of every run, not a condition.
            if name not in {r.name for r in proc.subject}
        )
        return ProcView(
            proc.id,
            proc.title,
            proc.kind,
            self.w.kind(proc.kind),
            self.w.mode(proc.mode),
            proc.version or "",
            proc.source,
            proc.purpose or "",
            proc.scope or "",
            proc.trigger or "",
            proc.priority,
            roles,
            shown_inputs,
            steps,
            proc.notes,
            proc.document,
            self.filled,
            dict(self.values or {}),
            tuple(describe(entry, self.lang) for entry in proc.schedule),
            tuple(self.standing(r, proc) for r in proc.standing),
            entries,
            proc.runnable,
            proc.mode,
        )

    def standing(self, rule: Standing, proc: Procedure | None = None) -> StandingView:
        """A standing rule or words never to say in words."""
        steps = tuple(s.name for s in rule.steps)
        titles = []
        for sid in steps:
            entry = proc.entry(sid) if proc else None
            step = proc.steps.get(sid) if proc else None
            titles.append(
                f"{entry.number}. {entry.title}" if entry else step.title if step else sid
            )
        role_ids = tuple(r.name for r in rule.roles)
        match rule:
            case Rule():
                kind: Literal["rule", "never"] = "rule"
                hint, instead = rule.hint or "", ""
            case NeverSay():
                kind, hint, instead = "never", "", rule.instead or ""
            case _:
                assert_never(rule)
        return StandingView(
            kind,
            rule.text,
            instead=instead,
            hint=hint,
            cite=rule.cite or "",
            role=self.roles_name(role_ids),
            role_ids=role_ids,
            where=self.w("sep").join(titles),
            step_ids=steps,
            notes=rule.notes,
            w=self.w,
        )

    def book_standing(self) -> tuple[StandingView, ...]:
        """The rulebook's standing rules and words never to say (every procedure's)."""
        book: tuple[Standing, ...] = (*self.rulebook.rules, *self.rulebook.never_say)
        return tuple(self.standing(r) for r in book)

    def _entries(
        self, proc: Procedure, steps: tuple[StepView, ...], wording: Wording
    ) -> tuple[EntryView, ...]:
        by_id = {s.id: s for s in steps}
        out = []
        for e in proc.entries:
            step = by_id.get(e.id)
            if step is None:  # filled in with answers that rule it out
                continue
            condition = self.w.view("otherwise") if e.when is None and proc.decides else ""
            if e.when is not None:
                condition = wording.condition(e.when)
            out.append(
                EntryView(
                    e.number,
                    e.id,
                    e.title,
                    step,
                    condition,
                    tuple(self.standing(n, proc) for n in e.never_say),
                    e.cite or "",
                )
            )
        return tuple(out)

    # -- filtering by answers ---------------------------------------------
    def _applies(self, when: Any) -> bool | None:
        return holds(when, self.values or {}) if self.filled else None

    def _reachable(self, proc: Procedure) -> set[str]:
        """Steps this visitor can still reach, following only exits that may apply."""
        seen: set[str] = set()
        todo = [proc.start.name]
        while todo:
            sid = todo.pop()
            if sid in seen or sid not in proc.steps:
                continue
            seen.add(sid)
            way = proc.steps[sid].exit
            match way:
                case Next(branches) | Call(next=Next(branches)):
                    todo.extend(branch.to.name for branch in self._live_branches(branches))
                case Parallel(next=Next(branches)):
                    todo.extend(branch.to.name for branch in self._live_branches(branches))
                    todo.extend(ref.name for ref in lane_steps(way))
                case Choices(choices):
                    todo.extend(c.to.name for c in choices if self._applies(c.when) is not False)
                case End():
                    pass
                case _:
                    assert_never(way)
        return seen

    def _live_branches(self, branches: tuple[Branch, ...]) -> list[Branch]:
        """Branches of an automatic `next` that may still be taken: the first
        that surely holds ends the list, those that surely fail drop out."""
        live = []
        for branch in branches:
            verdict = self._applies(branch.when)
            if verdict is False:
                continue
            live.append(branch)
            if verdict is True or (not self.filled and branch.when is None):
                break
        return live

    # -- one step ---------------------------------------------------------
    def _line(self, item: Item, step: Step, wording: Wording) -> Line | None:
        verdict = self._applies(item.when)
        if verdict is False:
            return None
        text = wording.fill(item.text, self.values if self.filled else None)
        condition = "" if verdict is True else wording.condition(item.when)
        rid = item.role.name if item.role else (step.role.name if step.role else None)
        posts = tuple(r.name for r in (item.roles or step.roles))
        own = item.role is not None and posts != tuple(r.name for r in step.roles)
        return Line(
            text,
            condition,
            item.critical,
            item.hint,
            rid,
            self.roles_name(posts) if posts else self.role_name(rid),
            own,
            item.notes,
            posts,
            self._person(item.person, wording),
        )

    def roles_name(self, rids: tuple[str, ...]) -> str:
        """Several posts, either of which may do it."""
        return " / ".join(self.role_name(r) for r in rids)

    def _person(self, person: Person | None, wording: Wording) -> str:
        if person is None:
            return ""
        match person.kind:
            case "another":
                return self.w.view("who-another")
            case "all":
                return self.w.view("who-all")
            case "named":
                assert person.name is not None
                return wording.fill(person.name, self.values if self.filled else None)
            case _:
                assert_never(person.kind)

    def _turn_label(self, step: Step) -> str:
        if step.turn is None:
            return ""
        queue = self.rulebook.queues.get(step.turn.queue.name)
        title = queue.title if queue else step.turn.queue.name
        whom = self.w.view(f"turn-label.{step.turn.take}")
        return f"⇄ {title}: {whom}"

    def _who(self, step: Step, wording: Wording) -> tuple[str, ...]:
        """The step's queue turn and who by name, as phrases."""
        out = []
        turn = step.turn
        if turn is not None:
            queue = self.rulebook.queues.get(turn.queue.name)
            title = queue.title if queue else turn.queue.name
            match turn.take:
                case "next":
                    whom = self.w.view("take-next")
                case "last":
                    whom = self.w.view("take-last")
                case "named":
                    assert turn.name is not None
                    whom = wording.fill(turn.name, self.values if self.filled else None)
                case _:
                    assert_never(turn.take)
            how = "turn-credit" if turn.credit else "turn-counts" if turn.counts else "turn-free"
            bind = (
                self.w.view("turn-binds", name=wording.label(turn.binds.name)) if turn.binds else ""
            )
            duty = queue.duty if queue and queue.duty else self.w.view("duty")
            note = self.w.view("next-note", duty=duty) if turn.take == "next" else ""
            said = self.w.view(how, whom=whom, duty=duty) + note + bind
            out.append(self.w.view("turn", title=title, how=said))
        if step.person is not None:
            out.append(self.w.view("person", person=self._person(step.person, wording)))
        return tuple(out)

    def _lines(self, items: tuple[Item, ...], step: Step, wording: Wording) -> tuple[Line, ...]:
        # In the order written: a critical item is marked where it stands.
        return tuple(line for item in items if (line := self._line(item, step, wording)))

    def _step(
        self, proc: Procedure, step: Step, wording: Wording, numbers: Mapping[str, int]
    ) -> StepView:
        records = tuple(
            replace(
                self.form_view(
                    rec.form.name, None if rec.all_fields else tuple(f.name for f in rec.fields)
                ),
                condition="" if verdict is True else wording.condition(rec.when),
            )
            for rec in step.record
            if (verdict := self._applies(rec.when)) is not False
        )
        call_title = call_id = ""
        call_args: tuple[str, ...] = ()
        end: str | None = None
        end_title = ""
        way = step.exit
        match way:
            case Call():
                call_id = way.procedure.name
                called = self.rulebook.procedures.get(call_id)
                call_title = f"《{called.title}》" if called else call_id
                callee_inputs = {**self.rulebook.inputs, **(called.inputs if called else {})}
                theirs = Wording(callee_inputs, lang=self.lang)
                call_args = self._call_args(way, wording, theirs)
                if called is not None:
                    wording = wording.after_call(called.title, called.outcomes())
            case End(outcome, title):
                end, end_title = outcome, title or ""
            case Next() | Choices() | Parallel():
                pass
            case _:
                assert_never(way)
        return StepView(
            number=numbers[step.id],
            id=step.id,
            title=step.title,
            role_id=step.role.name if step.role else None,
            role=self.roles_name(tuple(r.name for r in step.roles)),
            do=self._lines(step.do, step, wording),
            say=self._lines(step.say, step, wording),
            records=records,
            exits=tuple(
                e
                for e in self._exits(proc, step, wording, numbers, call_title)
                + self._timeout(proc, step, numbers)
                if e.target is None or e.target in numbers  # not a table's own last step
            ),
            ask=tuple(wording.label(ref.name) for ref in step.ask),
            sets=self._sets(step.set, wording),
            every=duration_words(step.every, self.w) if step.every else "",
            within=duration_words(step.within, self.w) if step.within else "",
            at=step.at or "",
            due=due_words(step.due, proc, self.w) if step.due else "",
            escalate=self._escalation(proc, step),
            call=call_title,
            call_id=call_id,
            call_args=call_args,
            end=end,
            end_title=end_title,
            milestone=self._milestone(proc, step),
            hint=step.hint,
            notes=step.notes,
            source=step.source,
            unverified=step.status == "unverified",
            is_start=step.id == proc.start.name,
            posts=tuple(r.name for r in step.roles),
            who=self._who(step, wording),
            turn_label=self._turn_label(step),
            standing=self._step_standing(proc, step),
            is_entry=proc.is_table,
            applies=self._applies_words(proc, step, wording),
            waits=self._waits(proc, step, numbers),
            join_at=way.at.name if isinstance(way, Parallel) and way.at is not None else "",
            w=self.w,
        )

    def _lane_title(self, proc: Procedure, lane: Ref | Call, numbers: Mapping[str, int]) -> str:
        """A parallel branch in words: 第N步 title, or 《the called procedure》."""
        if isinstance(lane, Call):
            called = self.rulebook.procedures.get(lane.procedure.name)
            return f"《{called.title}》" if called else lane.procedure.name
        dest = proc.steps.get(lane.name)
        title = dest.title if dest else lane.name
        return self.w.view("lane", n=numbers.get(lane.name, 0), title=title)

    def _waits(self, proc: Procedure, step: Step, numbers: Mapping[str, int]) -> tuple[str, ...]:
        """What the step waits for: the branches of every fork joining here."""
        out = []
        for fork in proc.steps.values():
            way = fork.exit
            if isinstance(way, Parallel) and way.at is not None and way.at.name == step.id:
                said = self.w("list-sep").join(
                    self._lane_title(proc, lane, numbers) for lane in way.lanes
                )
                out.append(self.w.view(f"wait.{way.join}", lanes=said))
        return tuple(out)

    def _applies_words(self, proc: Procedure, step: Step, wording: Wording) -> str:
        entry = proc.entry(step.id)
        if entry is None or not proc.decides:
            return ""
        if entry.when is None:
            return self.w.view("otherwise")
        return wording.condition(entry.when)

    def _step_standing(self, proc: Procedure, step: Step) -> tuple[StandingView, ...]:
        """The rules written for this step (`steps:` naming it), and a table
        entry's own words never to say."""
        book: tuple[Standing, ...] = (*self.rulebook.rules, *self.rulebook.never_say)
        written = tuple(
            r for r in (*book, *proc.standing) if r.steps and step.id in {s.name for s in r.steps}
        )
        entry = proc.entry(step.id)
        own = entry.never_say if entry else ()
        return tuple(self.standing(r, proc) for r in (*written, *own))

    def _milestone(self, proc: Procedure, step: Step) -> str:
        """The milestone the step marks, and the field its date is taken from."""
        if step.milestone is None or step.milestone.name not in proc.milestones:
            return ""
        title = proc.milestones[step.milestone.name].title
        if step.milestone_from is None:
            return title
        fld = self.rulebook.field_of(step.milestone_from.name)
        said = fld.label if fld else step.milestone_from.name
        return self.w.view("milestone-from", title=title, field=said)

    def _timeout(self, proc: Procedure, step: Step, numbers: Mapping[str, int]) -> tuple[Exit, ...]:
        """`timeout:`: where the run goes once the step's deadline has passed."""
        if step.timeout is None:
            return ()
        to = step.timeout.name
        dest = proc.steps.get(to)
        title = dest.title if dest else to
        late = self.w.view("timeout")
        return (Exit("timeout", late, "", to, title, numbers.get(to, 0)),)

    def _sets(self, assigns: tuple[Assign, ...], wording: Wording) -> str:
        """`set:` in words: 已转经理 记为 是；已拨打次数 记为 〔已拨打次数〕 + 1."""
        out = []
        for a in assigns:
            raw = a.raw
            if isinstance(raw, bool):
                shown = self.w.yes_no(raw)
            elif a.templated:
                shown = wording.fill(a.value, self.values if self.filled else None)
            else:
                shown = str(raw)
            out.append(self.w.view("sets", name=wording.noun(a.target.name), value=shown))
        return self.w("sep").join(out)

    def _escalation(self, proc: Procedure, step: Step) -> str:
        """`超时即告诉案场主管, 超时1天告诉客服中心`: the chain that applies to a step
        with a deadline (its own, or its procedure's)."""
        if not step.has_deadline:
            return ""
        levels = []
        for level in proc.escalation(step):
            role = self.role_name(level.tell.name)
            if level.text:
                late = duration_words(parse_duration(level.text), self.w)
                levels.append(self.w.view("late-tell", late=late, role=role))
            else:
                levels.append(self.w.view("late-at-once-tell", role=role))
        return self.w.view("escalate-sep").join(levels)

    def _call_args(self, call: Call, mine: Wording, theirs: Wording) -> tuple[str, ...]:
        """What the call passes, in words: an answer handed on under the same
        name reads "沿用…"; literal yes/no reads 是/否."""
        out = []
        for ref, value in call.args:
            name = theirs.noun(ref.name)
            source = value.source.strip()
            passed = re.fullmatch(r"\{\{\s*(\w+)\s*\}\}", source)
            if passed and passed.group(1) == ref.name and not self.filled:
                out.append(self.w.view("passes-on", name=name))
                continue
            literal = {"True": True, "False": False, "true": True, "false": False}.get(source)
            text = self.w.yes_no(literal) if literal is not None else ""
            given = text or mine.fill(value, self.values if self.filled else None)
            out.append(self.w.view("arg", name=name, value=given))
        return tuple(out)

    def _exits(
        self,
        proc: Procedure,
        step: Step,
        wording: Wording,
        numbers: Mapping[str, int],
        call_title: str,
    ) -> tuple[Exit, ...]:
        def target(
            kind: ExitKind,
            label: str,
            to: str,
            condition: str = "",
            assigns: tuple[Assign, ...] = (),
        ) -> Exit:
            dest = proc.steps.get(to)
            title = dest.title if dest else to
            sets = self._sets(assigns, wording)
            return Exit(kind, label, condition, to, title, numbers.get(to, 0), sets)

        out: list[Exit] = []
        way = step.exit
        match way:
            case End(_, title):
                # The outcome in words, never its id; a parallel branch's end ends only it.
                kind: ExitKind = "lane_end" if step.id in lane_only(proc) else "end"
                return (Exit(kind, title or ""),)
            case Choices(choices):
                for choice in choices:
                    verdict = self._applies(choice.when)
                    if verdict is False:
                        continue
                    cond = "" if verdict is True else wording.condition(choice.when)
                    out.append(target("choice", choice.label, choice.to.name, cond, choice.set))
                return tuple(out)
            case Call(next=Next(branches)):
                out.append(Exit("call", self.w.view("call", title=call_title), target=None))
            case Parallel(lanes, join, Next(branches), _, at):
                joined = self.w.view(f"join.{join}")
                if at is not None:
                    joined = self.w.view(f"join-at.{join}", at=self._lane_title(proc, at, numbers))
                for lane in lanes:
                    if isinstance(lane, Call):
                        called = self.rulebook.procedures.get(lane.procedure.name)
                        title = f"《{called.title}》" if called else lane.procedure.name
                        out.append(Exit("parallel", title, joined, target=None))
                    else:
                        out.append(target("parallel", "", lane.name, joined))
            case Next(branches):
                pass
            case _:
                assert_never(way)
        live = self._live_branches(branches)
        if len(branches) == 1 and branches[0].when is None:
            only = branches[0]
            out.append(target("next", only.label or "", only.to.name, "", only.set))
            return tuple(out)
        for branch in live:
            verdict = self._applies(branch.when)
            if branch.when is None:
                cond = self.w.view("otherwise") if len(live) > 1 or not self.filled else ""
            else:
                cond = "" if verdict is True else wording.condition(branch.when)
            out.append(target("branch", branch.label or cond, branch.to.name, cond, branch.set))
        return tuple(out)
