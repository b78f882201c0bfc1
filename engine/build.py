"""Build: schema-valid data → the frozen model.

This is the only module that knows the YAML shape. It runs after the schema
stage accepted a file, so it may assume types and required keys; it still
never indexes blindly where the schema allows alternatives. The key sets
below are what the builder reads; tests/test_schema_drift.py keeps them equal
to the schemas' `properties`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from engine.model import (
    DONE_STEP,
    FIND_STEP,
    NOWHERE,
    Assign,
    Branch,
    Call,
    Choice,
    Choices,
    Document,
    Due,
    DueOf,
    Duration,
    End,
    Entry,
    Escalation,
    Evidence,
    Exit,
    Expr,
    ExprKind,
    Field,
    Form,
    Input,
    Item,
    Milestone,
    NeverSay,
    Next,
    Organisation,
    OutcomeDecl,
    Parallel,
    Person,
    Procedure,
    Queue,
    Record,
    Ref,
    Reference,
    Revision,
    Role,
    Rule,
    Rulebook,
    Schedule,
    Site,
    Step,
    Turn,
)
from engine.source import Document as Source
from engine.source import Path
from engine.timetable import Holiday as HolidayModel
from engine.timetable import Hours as HoursModel

PROCEDURE_KEYS = frozenset(
    {
        "id",
        "title",
        "kind",
        "mode",
        "version",
        "source",
        "purpose",
        "scope",
        "trigger",
        "priority",
        "roles",
        "inputs",
        "subject",
        "milestones",
        "outcomes",
        "start",
        "steps",
        "document",
        "lint",
        "notes",
        "schedule",
        "escalate",
        "rules",
        "never_say",
        "entries",
    }
)
RULE_KEYS = frozenset({"id", "text", "role", "steps", "hint", "cite", "notes"})
NEVER_SAY_KEYS = frozenset({"text", "instead", "role", "steps", "cite", "notes"})
RULEBOOK_RULE_KEYS = RULE_KEYS - {"steps"}
RULEBOOK_NEVER_SAY_KEYS = NEVER_SAY_KEYS - {"steps"}
ENTRY_KEYS = frozenset(
    {
        "id",
        "number",
        "title",
        "role",
        "when",
        "otherwise",
        "do",
        "say",
        "never_say",
        "record",
        "call",
        "with",
        "hint",
        "cite",
        "notes",
    }
)
# An entry's keys that are a step's too: build makes the entry's step of them.
_ENTRY_STEP_KEYS = ("title", "role", "do", "say", "record", "call", "with", "hint", "notes")
STEP_KEYS = frozenset(
    {
        "title",
        "role",
        "do",
        "say",
        "ask",
        "record",
        "next",
        "parallel",
        "choices",
        "call",
        "with",
        "end",
        "every",
        "within",
        "at",
        "due",
        "milestone",
        "hint",
        "notes",
        "note",
        "source",
        "stage",
        "status",
        "evidence",
        "person",
        "turn",
        "set",
        "timeout",
        "escalate",
    }
)
ESCALATION_KEYS = frozenset({"after", "tell"})
ITEM_KEYS = frozenset(
    {"text", "when", "critical", "hint", "notes", "note", "role", "channel", "evidence", "person"}
)
TURN_KEYS = frozenset({"queue", "take", "name", "counts", "credit", "as"})
QUEUE_KEYS = frozenset({"title", "role", "keeper", "duty"})
EVIDENCE_KEYS = frozenset({"photo", "signature"})
BRANCH_KEYS = frozenset({"to", "when", "label", "set"})
CHOICE_KEYS = frozenset({"label", "to", "when", "set"})
INPUT_KEYS = frozenset(
    {"type", "ask", "options", "default", "required", "min", "max", "notes", "note"}
)
DUE_KEYS = frozenset({"after", "before", "hours", "days", "weeks", "months", "years"})
DUE_PICK_KEYS = frozenset({"earliest", "latest"})
MILESTONE_REF_KEYS = frozenset({"name", "from"})
DOCUMENT_KEYS = frozenset(
    {"number", "status", "effective", "author", "reviewer", "approver", "revisions"}
)
REVISION_KEYS = frozenset({"version", "date", "change", "author"})
MILESTONE_KEYS = frozenset({"title"})
RULEBOOK_KEYS = frozenset(
    {
        "title",
        "version",
        "locale",
        "organisation",
        "document",
        "roles",
        "forms",
        "inputs",
        "references",
        "queues",
        "site",
        "rules",
        "never_say",
    }
)
REFERENCE_KEYS = frozenset({"title", "url"})
ORGANISATION_KEYS = frozenset({"name", "site", "client"})
ROLE_KEYS = frozenset({"name", "duties", "source"})
FORM_KEYS = frozenset({"title", "source", "fields"})
FIELD_KEYS = frozenset({"label", "type", "options", "required", "min", "max"})
SCHEDULE_KEYS = frozenset({"every", "at", "from", "to", "on", "by", "starting"})
SITE_KEYS = frozenset({"hours", "holidays", "closed"})
HOURS_KEYS = frozenset({"open", "close"})
HOLIDAY_KEYS = frozenset({"dates", "closed"})

_DURATION = re.compile(r"^([0-9]+)(?:-([0-9]+))?(min|h|d|w)$")
_CLOCK = re.compile(r"^[0-9]{1,2}:[0-9]{2}$")
_UNIT_SECONDS = {"min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(text: str) -> Duration:
    m = _DURATION.match(text)
    if not m:
        raise ValueError(text)
    unit = _UNIT_SECONDS[m.group(3)]
    low = int(m.group(1)) * unit
    high = int(m.group(2)) * unit if m.group(2) else low
    return Duration(low, high, text)


def designer_notes(raw: dict[str, Any]) -> tuple[str, ...]:
    """`notes:` (a list), after the first edition's single `note:`, which is
    read as a designer's note too: it was where editors wrote their reasoning,
    so it is never shown to staff. A staff-facing hint is `hint:`."""
    legacy = raw.get("note")
    return ((legacy,) if legacy else ()) + tuple(raw.get("notes", ()))


def normalise_clock(text: str) -> str:
    hour, minute = text.split(":")
    return f"{int(hour):02d}:{minute}"


@dataclass
class Built:
    """The steps built from a file's last version, kept by a caller that
    builds the file again and again as it is edited (with its
    engine.source.Pieces): a step whose parsed piece is the very one it was
    built from, at the same place, in a file declaring the same outcomes,
    is not built again. The procedure is the same as built afresh."""

    path: str = ""
    declared: dict[str, OutcomeDecl] = field(default_factory=dict)
    around: Any = None  # the marks a step's missing ones fall back to
    steps: dict[str, tuple[Any, Any, Step]] = field(default_factory=dict)


class _Builder:
    def __init__(self, src: Source, built: Built | None = None) -> None:
        self.src = src
        self.declared: dict[str, OutcomeDecl] = {}
        self.built = built
        # The position of a value (or of its key) by path: the document's
        # own method, called for every node.
        self.pos = src.pos

    def steps(self, raw: dict[str, Any]) -> dict[str, Step]:
        built = self.built
        if built is None:
            return {sid: self.step(sid, s, ("steps", sid)) for sid, s in raw.items()}
        marks = self.src.key_marks
        around = (self.src.marks.get(("steps",)), self.src.marks.get(()))
        old = built.steps
        if (built.path, built.declared, built.around) != (self.src.path, self.declared, around):
            old = {}
        new: dict[str, tuple[Any, Any, Step]] = {}
        out: dict[str, Step] = {}
        for sid, s in raw.items():
            at = marks.get(("steps", sid))
            got = old.get(sid)
            if got is not None and got[0] is s and got[1] == at:
                step = got[2]
            else:
                step = self.step(sid, s, ("steps", sid))
            new[sid] = (s, at, step)
            out[sid] = step
        built.path, built.declared, built.around, built.steps = (
            self.src.path,
            self.declared,
            around,
            new,
        )
        return out

    def ref(self, name: str, path: Path) -> Ref:
        return Ref(name, self.pos(path))

    def expr(self, value: Any, kind: ExprKind, path: Path) -> Expr:
        return Expr(str(value), kind, self.pos(path), self.src.style(path))

    def roles(self, raw: dict[str, Any], path: Path) -> tuple[Ref | None, tuple[Ref, ...]]:
        """`role: host` or `role: [cleaner, guard]` (either post): the first,
        and the others."""
        if "role" not in raw:
            return None, ()
        given = raw["role"]
        if isinstance(given, str):
            return self.ref(given, (*path, "role")), ()
        refs = [self.ref(r, (*path, "role", i)) for i, r in enumerate(given)]
        return refs[0], tuple(refs[1:])

    def person(self, raw: dict[str, Any], path: Path) -> Person | None:
        """`person: another | all | "{{ template }}"`."""
        if "person" not in raw:
            return None
        given = raw["person"]
        where = (*path, "person")
        if given in ("another", "all"):
            return Person(given, self.pos(where))
        return Person("named", self.pos(where), self.expr(given, "template", where))

    def turn(self, raw: dict[str, Any] | None, path: Path) -> Turn | None:
        """`turn: {queue, take, name, counts, credit, as}`."""
        if raw is None:
            return None
        credit = bool(raw.get("credit", False))
        return Turn(
            queue=self.ref(raw["queue"], (*path, "queue")),
            pos=self.pos(path, key=True),
            take=raw.get("take", "next"),
            name=self.expr(raw["name"], "template", (*path, "name")) if "name" in raw else None,
            # A credited person is owed a turn instead: not a reception.
            counts=bool(raw.get("counts", not credit)),
            credit=credit,
            binds=self.ref(raw["as"], (*path, "as")) if "as" in raw else None,
            counts_pos=self.pos((*path, "counts")) if "counts" in raw else None,
            take_pos=self.pos((*path, "take")) if "take" in raw else None,
        )

    def item(self, raw: Any, path: Path) -> Item:
        if isinstance(raw, str):
            return Item(self.expr(raw, "template", path))
        role, also_roles = self.roles(raw, path)
        return Item(
            text=self.expr(raw["text"], "template", (*path, "text")),
            when=self.expr(raw["when"], "guard", (*path, "when")) if "when" in raw else None,
            critical=bool(raw.get("critical", False)),
            hint=raw.get("hint"),
            notes=designer_notes(raw),
            role=role,
            channel=raw.get("channel"),
            evidence=self.evidence(raw.get("evidence"), (*path, "evidence")),
            also_roles=also_roles,
            person=self.person(raw, path),
        )

    def evidence(self, raw: dict[str, Any] | None, path: Path) -> Evidence | None:
        """`evidence: {photo: 2, signature: true}`; `signature: 客户` names who signs."""
        if raw is None:
            return None
        sign = raw.get("signature", False)
        return Evidence(
            pos=self.pos(path, key=True),
            photos=int(raw.get("photo", 0)),
            signature=sign is True or isinstance(sign, str),
            signer=sign if isinstance(sign, str) else None,
        )

    def input(self, name: str, raw: dict[str, Any], path: Path) -> Input:
        return Input(
            name=name,
            type=raw["type"],
            pos=self.pos(path, key=True),
            ask=raw.get("ask"),
            options=tuple(raw.get("options", ())),
            default=raw.get("default"),
            required=bool(raw.get("required", True)),
            min=raw.get("min"),
            max=raw.get("max"),
            notes=designer_notes(raw),
        )

    def inputs(self, raw: dict[str, Any] | None, path: Path) -> dict[str, Input]:
        return {n: self.input(n, v, (*path, n)) for n, v in (raw or {}).items()}

    def document(self, raw: dict[str, Any] | None) -> Document:
        if not raw:
            return Document()
        return Document(
            number=raw.get("number"),
            status=raw.get("status"),
            effective=raw.get("effective"),
            author=raw.get("author"),
            reviewer=raw.get("reviewer"),
            approver=raw.get("approver"),
            revisions=tuple(
                Revision(r["version"], r["date"], r["change"], r.get("author"))
                for r in raw.get("revisions", ())
            ),
        )

    def assigns(self, raw: dict[str, Any] | None, path: Path) -> tuple[Assign, ...]:
        """`set: {name: value}`."""
        return tuple(
            Assign(
                Ref(name, self.pos((*path, name), key=True)),
                self.expr(value, "template", (*path, name)),
                value,
            )
            for name, value in (raw or {}).items()
        )

    def branches(self, raw: Any, path: Path) -> Next:
        """`next: step` or `next: [{to, when, label}, …]`."""
        if isinstance(raw, str):
            return Next((Branch(self.ref(raw, path)),))
        return Next(
            tuple(
                Branch(
                    to=self.ref(b["to"], (*path, i, "to")),
                    when=self.expr(b["when"], "guard", (*path, i, "when")) if "when" in b else None,
                    label=b.get("label"),
                    set=self.assigns(b.get("set"), (*path, i, "set")),
                )
                for i, b in enumerate(raw or ())
            )
        )

    def exits(
        self, raw: dict[str, Any], path: Path
    ) -> tuple[Exit, tuple[Exit, ...], tuple[str, ...]]:
        """The step's way out, any further ones written (an error for
        one-way-out, in file order), and exit keys that belong to none."""
        ways: list[Exit] = []
        for key in raw:
            if key == "next" and "call" not in raw and "parallel" not in raw:
                ways.append(self.branches(raw["next"], (*path, "next")))
            elif key == "choices":
                ways.append(
                    Choices(
                        tuple(
                            Choice(
                                label=c["label"],
                                to=self.ref(c["to"], (*path, "choices", i, "to")),
                                when=self.expr(c["when"], "guard", (*path, "choices", i, "when"))
                                if "when" in c
                                else None,
                                set=self.assigns(c.get("set"), (*path, "choices", i, "set")),
                            )
                            for i, c in enumerate(raw["choices"])
                        )
                    )
                )
            elif key == "call":
                after = self.branches(raw["next"], (*path, "next")) if "next" in raw else NOWHERE
                ways.append(self.call(raw, path, after))
            elif key == "parallel":
                par = raw["parallel"]
                after = self.branches(raw["next"], (*path, "next")) if "next" in raw else NOWHERE
                lanes = tuple(
                    self.ref(lane["to"], (*path, "parallel", "branches", i, "to"))
                    if "to" in lane
                    else self.call(lane, (*path, "parallel", "branches", i), NOWHERE)
                    for i, lane in enumerate(par["branches"])
                )
                join: Literal["all", "any"] = "any" if par.get("join") == "any" else "all"
                joins = self.ref(par["at"], (*path, "parallel", "at")) if "at" in par else None
                ways.append(
                    Parallel(lanes, join, after, self.pos((*path, "parallel"), key=True), joins)
                )
            elif key == "end":
                end = raw["end"]
                at = (*path, "end", "outcome") if isinstance(end, dict) else (*path, "end")
                name = end["outcome"] if isinstance(end, dict) else end
                said = end.get("title") if isinstance(end, dict) else None
                if said is None and name in self.declared:
                    said = self.declared[name].title
                ways.append(End(name, said, self.pos(at)))
        stray = ("with",) if "with" in raw and "call" not in raw else ()
        first = ways[0] if ways else NOWHERE
        return first, tuple(ways[1:]), stray

    def call(self, raw: dict[str, Any], path: Path, after: Next) -> Call:
        """`call:` with its `with:` values (a step's, or a parallel branch's)."""
        args = tuple(
            (
                Ref(k, self.pos((*path, "with", k), key=True)),
                self.expr(v, "template", (*path, "with", k)),
            )
            for k, v in (raw.get("with") or {}).items()
        )
        return Call(self.ref(raw["call"], (*path, "call")), args, after)

    def due(self, d: Any, path: Path) -> Due:
        """`{after|before: milestone, <unit>: N}`."""
        direction: Literal["after", "before"] = "after" if "after" in d else "before"
        unit, amount = next((k, v) for k, v in d.items() if k not in ("after", "before"))
        return Due(self.ref(d[direction], (*path, direction)), direction, amount, unit)

    def record(self, form: str, given: Any, path: Path) -> Record:
        """One form of `record:`: `[fields]`, `all`, or `{fields, when}`
        (filled in only when the condition holds)."""
        when = None
        at = path
        if isinstance(given, dict):
            if "when" in given:
                when = self.expr(given["when"], "guard", (*path, "when"))
            given, at = given.get("fields"), (*path, "fields")
        return Record(
            form=Ref(form, self.pos(path, key=True)),
            fields=tuple(self.ref(f, (*at, i)) for i, f in enumerate(given))
            if isinstance(given, list)
            else (),
            all_fields=given == "all",
            when=when,
        )

    def step(self, sid: str, raw: dict[str, Any], path: Path) -> Step:
        way, also, stray = self.exits(raw, path)
        record = tuple(
            self.record(form, given, (*path, "record", form))
            for form, given in (raw.get("record") or {}).items()
        )
        due: Due | DueOf | None = None
        if "due" in raw:
            d = raw["due"]
            pick = "earliest" if "earliest" in d else "latest" if "latest" in d else None
            if pick is None:
                due = self.due(d, (*path, "due"))
            else:
                due = DueOf(
                    "earliest" if pick == "earliest" else "latest",
                    tuple(self.due(x, (*path, "due", pick, i)) for i, x in enumerate(d[pick])),
                )
        mark = raw.get("milestone")
        milestone = milestone_from = None
        if isinstance(mark, dict):
            milestone = self.ref(mark["name"], (*path, "milestone", "name"))
            if "from" in mark:
                milestone_from = self.ref(mark["from"], (*path, "milestone", "from"))
        elif mark is not None:
            milestone = self.ref(mark, (*path, "milestone"))
        role, also_roles = self.roles(raw, path)
        return Step(
            id=sid,
            title=raw["title"],
            pos=self.pos(path, key=True),
            role=role,
            do=tuple(self.item(x, (*path, "do", i)) for i, x in enumerate(raw.get("do", ()))),
            say=tuple(self.item(x, (*path, "say", i)) for i, x in enumerate(raw.get("say", ()))),
            ask=tuple(self.ref(a, (*path, "ask", i)) for i, a in enumerate(raw.get("ask", ()))),
            record=record,
            exit=way,
            also=also,
            stray=stray,
            every=parse_duration(raw["every"]) if "every" in raw else None,
            within=parse_duration(raw["within"]) if "within" in raw else None,
            at=normalise_clock(raw["at"]) if "at" in raw else None,
            due=due,
            milestone=milestone,
            milestone_from=milestone_from,
            timeout=self.ref(raw["timeout"], (*path, "timeout")) if "timeout" in raw else None,
            hint=raw.get("hint"),
            notes=designer_notes(raw),
            source=raw.get("source"),
            stage=raw.get("stage"),
            status=raw.get("status"),
            evidence=self.evidence(raw.get("evidence"), (*path, "evidence")),
            also_roles=also_roles,
            person=self.person(raw, path),
            turn=self.turn(raw.get("turn"), (*path, "turn")),
            set=self.assigns(raw.get("set"), (*path, "set")),
            escalate=self.escalate(raw["escalate"], (*path, "escalate"))
            if "escalate" in raw
            else None,
        )

    def escalate(self, raw: list[dict[str, Any]], path: Path) -> tuple[Escalation, ...]:
        return tuple(
            Escalation(
                after=parse_duration(level["after"]).low if "after" in level else 0,
                tell=self.ref(level["tell"], (*path, i, "tell")),
                pos=self.pos((*path, i)),
                text=level.get("after", ""),
            )
            for i, level in enumerate(raw)
        )

    def rules(self, raw: list[dict[str, Any]] | None, path: Path) -> tuple[Rule, ...]:
        """`rules: [{id, text, role, steps, hint, cite, notes}]`."""
        out = []
        for i, r in enumerate(raw or ()):
            at = (*path, i)
            role, also_roles = self.roles(r, at)
            out.append(
                Rule(
                    id=r["id"],
                    text=r["text"],
                    pos=self.pos((*at, "id")),
                    role=role,
                    also_roles=also_roles,
                    steps=self.refs(r.get("steps"), (*at, "steps")),
                    hint=r.get("hint"),
                    cite=r.get("cite"),
                    notes=tuple(r.get("notes", ())),
                )
            )
        return tuple(out)

    def never_say(self, raw: list[Any] | None, path: Path) -> tuple[NeverSay, ...]:
        """`never_say: [text | {text, instead, role, steps, cite, notes}]`."""
        out = []
        for i, n in enumerate(raw or ()):
            at = (*path, i)
            if isinstance(n, str):
                out.append(NeverSay(n, self.pos(at)))
                continue
            role, also_roles = self.roles(n, at)
            out.append(
                NeverSay(
                    text=n["text"],
                    pos=self.pos((*at, "text")),
                    instead=n.get("instead"),
                    role=role,
                    also_roles=also_roles,
                    steps=self.refs(n.get("steps"), (*at, "steps")),
                    cite=n.get("cite"),
                    notes=tuple(n.get("notes", ())),
                )
            )
        return tuple(out)

    def refs(self, raw: list[str] | None, path: Path) -> tuple[Ref, ...]:
        return tuple(self.ref(name, (*path, i)) for i, name in enumerate(raw or ()))

    def table(self, raw: dict[str, Any]) -> tuple[dict[str, Step], tuple[Entry, ...]]:
        """A rule table's steps and entries: each entry is a step that ends
        the run (or calls its procedure, then ends at DONE_STEP), and the
        first step (FIND_STEP, titled as the table) leads to them — by
        staff's pick, or, in a decision table, by the first `when` that holds
        (an entry without one is the otherwise)."""
        entries: list[Entry] = []
        steps: dict[str, Step] = {}
        for i, e in enumerate(raw.get("entries") or ()):
            at: Path = ("entries", i)
            pos = self.pos((*at, "id"))
            step = self.step(e["id"], {k: e[k] for k in _ENTRY_STEP_KEYS if k in e}, at)
            step = replace(step, pos=pos, source=e.get("cite"))
            if isinstance(step.exit, Call):
                step = replace(
                    step, exit=replace(step.exit, next=Next((Branch(Ref(DONE_STEP, pos)),)))
                )
            else:
                step = replace(step, exit=End("handled", None, pos))
            entries.append(
                Entry(
                    id=e["id"],
                    number=e["number"],
                    title=e["title"],
                    pos=pos,
                    step=step,
                    number_pos=self.pos((*at, "number")),
                    when=self.expr(e["when"], "guard", (*at, "when")) if "when" in e else None,
                    otherwise=bool(e.get("otherwise", False)),
                    never_say=self.never_say(e.get("never_say"), (*at, "never_say")),
                    cite=e.get("cite"),
                )
            )
            steps.setdefault(e["id"], step)
        where = self.pos(("entries",), key=True)
        first: Exit
        if any(e.when is not None for e in entries):
            first = Next(tuple(Branch(Ref(e.id, e.pos), e.when, e.title) for e in entries))
        else:
            first = Choices(
                tuple(Choice(f"{e.number}. {e.title}", Ref(e.id, e.pos)) for e in entries)
            )
        find = Step(FIND_STEP, raw["title"], where, exit=first)
        done = {}
        if any(isinstance(s.exit, Call) for s in steps.values()):
            done[DONE_STEP] = Step(DONE_STEP, "处理完毕", where, exit=End("handled", None, where))
        return {FIND_STEP: find, **steps, **done}, tuple(entries)

    def value(self, raw: Any, path: Path) -> Ref:
        """A schedule value as written (`by: 25` is "25"), with its place;
        a clock time is normalised ("8:30" is "08:30")."""
        text = str(raw)
        if isinstance(raw, str) and _CLOCK.match(raw):  # not a holiday named "a:b"
            text = normalise_clock(raw)
        return Ref(text, self.pos(path))

    def schedule(self, raw: Any) -> tuple[Schedule, ...]:
        """`schedule:` is one entry or a list of them."""
        if raw is None:
            return ()
        entries = (
            [(raw, ("schedule",))]
            if isinstance(raw, dict)
            else [(e, ("schedule", i)) for i, e in enumerate(raw)]
        )
        out = []
        for e, path in entries:
            on = e.get("on")
            ons = (
                tuple(self.value(v, (*path, "on", i)) for i, v in enumerate(on))
                if isinstance(on, list)
                else ((self.value(on, (*path, "on")),) if on is not None else ())
            )

            def one(key: str, e: dict[str, Any] = e, path: Path = path) -> Ref | None:
                return self.value(e[key], (*path, key)) if key in e else None

            out.append(
                Schedule(
                    pos=self.pos(path),
                    every=one("every"),
                    at=one("at"),
                    start=one("from"),
                    end=one("to"),
                    on=ons,
                    by=one("by"),
                    starting=one("starting"),
                )
            )
        return tuple(out)

    def site(self, raw: dict[str, Any] | None) -> Site | None:
        if raw is None:
            return None
        hours = raw.get("hours")
        holidays: dict[str, HolidayModel] = {}
        for name, h in (raw.get("holidays") or {}).items():
            dates = h if isinstance(h, list) else h["dates"]
            holidays[str(name)] = HolidayModel(
                str(name),
                tuple(dates),
                self.pos(("site", "holidays", name), key=True),
                isinstance(h, dict) and bool(h.get("closed", False)),
            )
        return Site(
            pos=self.pos(("site",), key=True),
            hours=HoursModel(
                normalise_clock(hours["open"]),
                normalise_clock(hours["close"]),
                self.pos(("site", "hours"), key=True),
            )
            if hours
            else None,
            holidays=holidays,
            closed=tuple(raw.get("closed", ())),
        )

    def subject(self, raw: str | list[str] | None) -> tuple[Ref, ...]:
        """`subject: customer` is `subject: [customer]`."""
        if raw is None:
            return ()
        if isinstance(raw, str):
            return (self.ref(raw, ("subject",)),)
        return tuple(self.ref(n, ("subject", i)) for i, n in enumerate(raw))

    def procedure(self) -> Procedure:
        raw = self.src.data
        source = raw.get("source", ())
        self.declared = {
            name: OutcomeDecl(name, title, self.pos(("outcomes", name), key=True))
            for name, title in (raw.get("outcomes") or {}).items()
        }
        entries: tuple[Entry, ...] = ()
        if raw["kind"] == "table":
            steps, entries = self.table(raw)
            start = Ref(FIND_STEP, self.pos(("entries",), key=True))
        else:
            # A conduct code (rules only) has no steps and no start: not runnable.
            steps = self.steps(raw.get("steps", {}))
            start = (
                self.ref(raw["start"], ("start",)) if "start" in raw else Ref("", self.pos(("id",)))
            )
        return Procedure(
            id=raw["id"],
            title=raw["title"],
            kind=raw["kind"],
            path=self.src.path,
            pos=self.pos(("id",)),
            start=start,
            steps=steps,
            mode=raw.get("mode", "do-confirm"),
            version=raw.get("version"),
            source=(source,) if isinstance(source, str) else tuple(source),
            purpose=raw.get("purpose"),
            scope=raw.get("scope"),
            trigger=raw.get("trigger"),
            priority=raw.get("priority"),
            roles=tuple(self.ref(r, ("roles", i)) for i, r in enumerate(raw.get("roles", ()))),
            inputs=self.inputs(raw.get("inputs"), ("inputs",)),
            subject=self.subject(raw.get("subject")),
            milestones={
                n: Milestone(n, m["title"], self.pos(("milestones", n), key=True))
                for n, m in (raw.get("milestones") or {}).items()
            },
            declared_outcomes=self.declared,
            document=self.document(raw.get("document")),
            lint_disable=frozenset((raw.get("lint") or {}).get("disable", ())),
            escalate=self.escalate(raw["escalate"], ("escalate",)) if "escalate" in raw else (),
            notes=tuple(raw.get("notes", ())),
            schedule=self.schedule(raw.get("schedule")),
            rules=self.rules(raw.get("rules"), ("rules",)),
            never_say=self.never_say(raw.get("never_say"), ("never_say",)),
            entries=entries,
        )

    def rulebook(self) -> Rulebook:
        raw = self.src.data
        org = raw["organisation"]
        return Rulebook(
            title=raw["title"],
            path=self.src.path,
            pos=self.pos(()),
            organisation=Organisation(org["name"], org.get("site"), org.get("client")),
            version=raw.get("version"),
            locale=raw.get("locale", "zh-CN"),
            roles={
                rid: Role(
                    rid,
                    r["name"],
                    self.pos(("roles", rid), key=True),
                    tuple(r.get("duties", ())),
                    r.get("source"),
                )
                for rid, r in raw["roles"].items()
            },
            forms={
                fid: Form(
                    fid,
                    f["title"],
                    self.pos(("forms", fid), key=True),
                    {
                        k: Field(
                            k,
                            v["label"],
                            v["type"],
                            self.pos(("forms", fid, "fields", k), key=True),
                            tuple(v.get("options", ())),
                            bool(v.get("required", True)),
                            v.get("min"),
                            v.get("max"),
                        )
                        for k, v in f["fields"].items()
                    },
                    f.get("source"),
                )
                for fid, f in (raw.get("forms") or {}).items()
            },
            inputs=self.inputs(raw.get("inputs"), ("inputs",)),
            document=self.document(raw.get("document")),
            references={
                str(key): Reference(
                    str(key), r["title"], self.pos(("references", key), key=True), r.get("url")
                )
                for key, r in (raw.get("references") or {}).items()
            },
            queues={
                qid: Queue(
                    qid,
                    q["title"],
                    self.pos(("queues", qid), key=True),
                    self.ref(q["role"], ("queues", qid, "role")) if "role" in q else None,
                    self.ref(q["keeper"], ("queues", qid, "keeper")) if "keeper" in q else None,
                    str(q.get("duty") or ""),
                )
                for qid, q in (raw.get("queues") or {}).items()
            },
            site=self.site(raw.get("site")),
            rules=self.rules(raw.get("rules"), ("rules",)),
            never_say=self.never_say(raw.get("never_say"), ("never_say",)),
        )


def build_procedure(src: Source, built: Built | None = None) -> Procedure:
    """A procedure's model; with `built` kept from the file's last version,
    only the steps that changed are built again."""
    return _Builder(src, built).procedure()


def build_rulebook_head(src: Source) -> Rulebook:
    """The rulebook.yaml part of a rulebook, without procedures."""
    return _Builder(src).rulebook()
