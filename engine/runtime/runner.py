"""The runner: walks a session of runs one question at a time.

A session is a stack of runs — the run started, and above it any emergency
that interrupted it — and each run is a stack of frames (a `call` pushes the
callee). The loop is always the same: show the top step if it is new, find
the first question it has not had an answer to (inputs it asks, checklist
items, record fields, the choice), ask the driver, commit the answer to the
journal, apply it to the state; when nothing is left to ask, leave the step
(end, call, automatic next). Because the next question is derived from the
state, a resumed run asks exactly what it had not been answered.
"""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, assert_never

from engine import i18n
from engine.errors import RUN_NOT_FOUND, JournalConflict, RunError, SopError, UsageError
from engine.i18n import message
from engine.journal import Journal, Write
from engine.model import (
    OUTCOME,
    Assign,
    Call,
    Choice,
    Choices,
    End,
    Expr,
    Next,
    Parallel,
    Procedure,
    Rulebook,
    Step,
    Turn,
    branches_of,
)
from engine.runtime import interrupts, lanes, machine, timeouts, views
from engine.runtime.dues import SOON, Reminder, reminders, waiting
from engine.runtime.events import (
    AnswerCorrected,
    BranchTaken,
    CallReturned,
    CallStarted,
    ChoiceMade,
    EventKind,
    EvidenceAttached,
    FieldRecorded,
    InputAnswered,
    ItemChecked,
    LaneEnded,
    LaneStarted,
    LaneSwitched,
    NoteAdded,
    PeopleSigned,
    QueueCredited,
    QueueEvent,
    QueueTurn,
    RunContinued,
    RunFinished,
    RunPaused,
    RunResumed,
    RunWarning,
    Stamped,
    StepEntered,
    TurnTaken,
    ValueSet,
    read,
)
from engine.runtime.interrupts import deferred
from engine.runtime.milestones import check_milestone, given_milestone
from engine.runtime.pinning import Pinned, current_sha, restore
from engine.runtime.prompts import (
    Answered,
    ChoiceQuestion,
    Command,
    CorrectQuestion,
    Driver,
    EmergencyOption,
    EmergencyQuestion,
    EvidenceGiven,
    EvidenceQuestion,
    FieldQuestion,
    Given,
    InputQuestion,
    ItemAnswer,
    ItemQuestion,
    ItemView,
    Notice,
    PeopleQuestion,
    Question,
    Reply,
    WaitQuestion,
)
from engine.runtime.recorder import Active, Clock, Recorder
from engine.runtime.run_states import RunCache
from engine.runtime.scope import UNDECLARED, Need, Scope
from engine.runtime.state import ACTIVE, FINISHED, PAUSED, WAITING, RunState, replay
from engine.runtime.values import BadValue, Spec, parse
from engine.runtime.values import show as show_value
from engine.schedule import Occurrence

FINISHED_ALREADY = message(
    "run.finished-already",
    "运行 {run} ({title}) 已结束, 不能继续。查看记录: sop show {run}",
    "run {run} ({title}) has finished and cannot be continued. its record: sop show {run}",
)
NO_INPUT = message(
    "run.no-input",
    '「{title}」没有输入项 "{name}"。{hint}可用的输入项: {known}',
    '"{title}" has no input "{name}". {hint}inputs: {known}',
)
BAD_SET = message("run.bad-set", "--set {name}={value}: {why}", "--set {name}={value}: {why}")
NO_BRANCH = message(
    "run.no-branch",
    "步骤「{step}」之后没有一条路可走 (规则手册问题)。"
    "请暂停并联系流程负责人 (sop validate 会指出问题)",
    'no way leads on from step "{step}" (a rulebook problem). pause and tell the procedure '
    "owner (sop validate names the problem)",
)
NOT_RUNNABLE = message(
    "run.not-runnable",
    "「{title}」是一份行为规范 (只有守则和禁用语), 没有步骤可以执行。"
    "用 sop render checklist {procedure} 或 sop render manual 印出它",
    '"{title}" is a code of conduct (standing rules and words never to say only): it has no '
    "steps to run. print it with sop render checklist {procedure} or sop render manual",
)
NO_ENTRY = message(
    "run.no-entry",
    "「{title}」没有序号为 {entry} 的条目。可用的序号: {numbers}",
    '"{title}" has no entry numbered {entry}. numbers: {numbers}',
)
DID_YOU_MEAN = message("run.did-you-mean", '是不是 "{near}"? ', 'did you mean "{near}"? ')
NONE = message("run.none", "(无)", "(none)")


def system_clock() -> datetime:
    return datetime.now().astimezone()


@dataclass(frozen=True, slots=True)
class Outcome:
    status: str  # finished | paused | held (the driver had no answer yet: see Command)
    run: int  # the run the session was started or resumed for
    outcome: str | None = None
    how: str = ""  # for a pause: asked | interrupt | hangup | terminated | eof | error
    runs: tuple[int, ...] = ()


class _Stop(Exception):
    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.status)
        self.outcome = outcome


@dataclass
class _Pending:
    """A question, with what the runner needs to file its answer."""

    question: Question
    depth: int
    choices: tuple[int, ...] = ()  # shown option -> index in step.choices
    field_key: tuple[str, str] = ("", "")
    signs: int | None = None  # a PeopleQuestion's or an EvidenceQuestion's item (None: the step)


@dataclass
class Runner:
    journal: Journal
    driver: Driver
    clock: Clock = system_clock
    operator: str | None = None
    site: str | None = None
    evidence: str | None = None  # `--evidence DIR`; else the folder beside the journal
    session: list[Active] = field(default_factory=list)
    _shown: tuple[bool, bool] = (False, False)  # the top step's header, body
    _warned: set[tuple[int, str, str]] = field(default_factory=set)
    # Pinned rulebooks by sha, restored once (a server hands every request's
    # runner the same dict, so no request validates a rulebook again).
    restored: dict[str, Pinned] = field(default_factory=dict)
    _going: set[tuple[int, int]] = field(default_factory=set)  # arrivals cleared to proceed
    _root: int = 0
    _folder: str | None = None  # the rulebook a resumed run is compared with
    entry: int | None = None  # `--entry N`: the rule table's entry to open
    # Write what a session does up to its next question in one transaction
    # (`Recorder.hold`): for a driver that shows nothing before it is asked
    # (the web page is rendered after the runner returns). A terminal shows
    # each step as it comes, so each is on disk before it is shown.
    batch: bool = False
    # Runs' replayed states kept between sessions (a server's requests): a
    # run that has not moved since is taken up without replaying it.
    cache: RunCache | None = None

    def __post_init__(self) -> None:
        self.rec = Recorder(
            self.journal, self.clock, self.operator, self.site, hold=self.batch, cache=self.cache
        )
        self.scope = Scope(self.clock, self._warn)

    # ------------------------------------------------------------ entry points

    def start(
        self,
        pinned: Pinned,
        pid: str,
        preset: Mapping[str, Any],
        milestones: Mapping[str, str] | None = None,
        wanted: str | None = None,
    ) -> Outcome:
        """Start `pid`. A scheduled procedure's run is for the occurrence
        `wanted` names (`--for`), else for the one whose window it is
        started in (engine/runtime/occurrences.py)."""
        from engine.runtime.occurrences import attach

        proc = runnable_procedure(pinned, pid)
        pid = proc.id
        if self.entry is not None and self.entry not in {e.number for e in proc.entries}:
            numbers = "、".join(str(e.number) for e in proc.entries) or NONE.say()
            raise UsageError(NO_ENTRY, entry=self.entry, title=proc.title, numbers=numbers)
        values = self._preset(pinned, proc, preset)
        for name, when in (milestones or {}).items():  # refuse a typo before the run exists
            check_milestone(proc, name, when, self.clock())
        occurrence = attach(
            self.journal, pinned.rulebook, proc, self.clock(), wanted, self.rec.site
        )
        self.restored[pinned.sha] = pinned  # a reload after Ctrl-C needs no rebuild

        def begin() -> None:
            # Once the run exists it is held, so that a signal from now on
            # pauses it (one held back meanwhile is raised at the end).
            with deferred():
                started = self.rec.started(
                    pinned, proc, values, occurrence=occurrence.key if occurrence else None
                )
                active = self.rec.open_run(pinned, proc, started)
                self.session.append(active)
                self._root = active.state.run_id
            self.driver.show(Notice("started", {"run": self._root, "title": proc.title}))
            if occurrence is not None:
                self.driver.show(Notice("occurrence", occurrence_args(proc, occurrence)))
            for name, when in (milestones or {}).items():
                given = given_milestone(self.rec, active, name, when)
                self.rec.record(active, given)
                self.driver.show(Notice("milestone", given.to_json()))

        return self._run(begin)

    def resume(self, run_id: int, folder: str | None = None) -> Outcome:
        with deferred():  # restoring validates the pinned rulebook: let it finish
            self.session = self._chain(run_id)
        self._root = self.session[0].state.run_id
        self._folder = folder
        return self._run(self._resumed)

    def carry_on(self, run_id: int) -> Outcome:
        """Go on with a run that never stopped — a web page's next request
        takes it up where the last one held (`Command("hold")`): nothing is
        journaled for taking it up, and the next question is the first one
        the journal has no answer to. A paused run is resumed as `resume`
        resumes it."""
        with deferred():
            self.session = self._chain(run_id)
        self._root = self.session[0].state.run_id
        if self.session[-1].state.status == PAUSED:
            return self._run(self._resumed)
        return self._run(lambda: None)

    def _resumed(self) -> None:
        leaf = self.session[-1]
        st = leaf.state
        rel = leaf.pinned.paths.get(st.procedure_id, "")
        started = st.started
        where = self._folder or (started.rulebook if started else "")
        now_sha = current_sha(where, rel) if where and rel else None
        changed = now_sha != (started.procedure_sha if started else None)
        done, crashed = self._already(leaf)
        self.rec.record(
            leaf, RunResumed(step=st.top.step, rulebook_changed=changed, current_sha=now_sha)
        )
        self.driver.show(
            Notice(
                "resumed",
                {
                    "run": st.run_id,
                    "title": st.procedure.title,
                    "step_title": st.top.current.title,
                    "changed": changed,
                    "version": st.procedure.version,
                    "sha": started.procedure_sha[:12] if started else "",
                    "waiting": [a.state.procedure.title for a in self.session[:-1]],
                    "crashed": crashed,
                    "done": done,
                },
            )
        )

    def _already(self, active: Active) -> tuple[list[tuple[str, str]], bool]:
        """What was already answered at the current step (inputs and form
        fields, as label and value; the checklist shows its own ticks), and
        whether the run stopped without pausing (the program was killed or
        the machine went down)."""
        events = self.journal.events(active.state.run_id)
        last = events[-1].kind if events else ""
        crashed = last not in (EventKind.RUN_PAUSED, EventKind.RUN_STARTED)
        crashed = crashed and active.state.status != WAITING
        done: list[tuple[str, str]] = []
        corrected: dict[int, Any] = {}  # an answer's seq -> its latest value
        for e in reversed(events):
            match read(e):
                case StepEntered():
                    break
                case AnswerCorrected(of=of, value=value):
                    corrected.setdefault(of, value)
                case (
                    InputAnswered(label=label, value=value)
                    | FieldRecorded(label=label, value=value)
                ):
                    done.append((label or "", show_value(corrected.get(e.seq, value))))
        return done[::-1], crashed

    def _chain(self, run_id: int) -> list[Active]:
        """The runs to resume, bottom first: a run waiting for an emergency
        resumes from that emergency, and an emergency with the run beneath it."""
        row = self.journal.run(run_id)
        if row is None:
            raise RunError(RUN_NOT_FOUND, run=run_id)
        from engine.runtime.queues import refuse_stream

        refuse_stream(row)  # a queue's stream is no run to walk
        if row.status == FINISHED:
            raise RunError(FINISHED_ALREADY, run=run_id, title=row.title)
        while row.parent is not None:
            parent = self.journal.run(row.parent)
            if parent is None or parent.status != WAITING:
                break
            row = parent
        chain = [self._load(row.id, row.rulebook_sha, row.last_seq)]
        while chain[-1].state.status == WAITING and chain[-1].state.waiting_for is not None:
            child = self.journal.run(chain[-1].state.waiting_for)
            if child is None or child.status == FINISHED:
                break
            chain.append(self._load(child.id, child.rulebook_sha, child.last_seq))
        return chain

    def _load(self, run_id: int, sha: str, last_seq: int | None = None) -> Active:
        """The run replayed from the journal (or its kept state, when it is
        kept at `last_seq`, the number its summary was just read with)."""
        self.rec.discard(run_id)
        pinned = self.restored.get(sha)
        if pinned is None:
            pinned = self.restored[sha] = restore(self.journal.snapshot(sha), sha)
        kept = None
        if self.cache is not None and last_seq is not None:
            kept = self.cache.get(run_id, last_seq)
        if kept is not None and kept.rulebook is pinned.rulebook:
            return Active(kept, pinned)
        state = replay(run_id, pinned.rulebook, self.journal.events(run_id))
        if self.cache is not None:
            self.cache.put(state)
        return Active(state, pinned)

    # ------------------------------------------------------------ the loop

    def _run(self, begin: Callable[[], None]) -> Outcome:
        try:
            try:
                begin()
                outcome = self._loop()
            except _Stop as stop:
                outcome = stop.outcome
            self.rec.write_held()  # a run finished or paused: its last moves too
            return outcome
        except KeyboardInterrupt as exc:
            # A signal between prompts (Ctrl-C, a closed terminal, a kill):
            # staged answers were never acknowledged, so re-read the run from
            # the journal, then pause it; no second signal cuts this short.
            if not self.session:
                raise  # before the run existed: nothing to pause
            interrupts.act()
            with deferred():
                leaf = self.session[-1]
                self.session[-1] = leaf = self._load(leaf.state.run_id, leaf.pinned.sha)
                if leaf.state.status == PAUSED:  # it was being paused already
                    return Outcome("paused", self._root, how="asked", runs=(self._root,))
                return self._pause(interrupts.how(exc))
        except JournalConflict:
            raise  # another terminal holds the run: it is theirs to pause
        except SopError:
            # A scenario that does not fit, a rulebook problem: leave the run
            # paused (if the journal still takes writes), then say why.
            if self.session:
                failed = self.session[-1]
                with contextlib.suppress(SopError):
                    self.session[-1] = self._load(failed.state.run_id, failed.pinned.sha)
                    self._pause("error", quiet=True)
            raise

    def _loop(self) -> Outcome:
        while True:
            interrupts.check()
            active = self.session[-1]
            if self._wait(active):
                continue
            try:
                pending = self._next(active)
                if pending is None:
                    if self._leave(active):
                        st = active.state
                        return Outcome(
                            "finished", self._root, st.outcome, runs=(self._root, st.run_id)
                        )
                    continue
            except Need as need:
                spec = self.scope.spec(active, need.depth, need.name)
                pending = _Pending(InputQuestion(spec), need.depth)
            self.rec.flush(active)  # every answer so far is on disk before the prompt
            if self._timed_out(active):
                continue
            q = pending.question
            if isinstance(q, ChoiceQuestion) and q.find and self.entry is not None:
                # `--entry N`: the table's entry is picked as staff would pick it.
                wanted, self.entry = self.entry, None
                picked = [i for i, o in enumerate(q.options) if o.number == wanted]
                if picked:
                    self._answer(active, pending, Given(picked[0]))
                    continue
            reply = self.driver.ask(pending.question, self._reminders(), self.clock())
            self._answer(active, pending, reply)

    def _next(self, active: Active) -> _Pending | None:
        """Show what is new, then the first question this step still has."""
        frame, depth = active.state.top, active.depth
        step = frame.current
        if not self._shown[0]:
            self.driver.show(views.header(self.session, active))
            self._shown = (True, False)
        subject = frame.procedure.subject if depth == 0 else ()
        for ref in subject:
            if self.scope.unknown(active, depth, ref.name):
                return _Pending(InputQuestion(self.scope.spec(active, depth, ref.name)), depth)
        arrival = (active.state.run_id, active.state.top.arrival)
        if arrival not in self._going:
            wait = waiting(frame.procedure, step, active.state.milestones, self.clock())
            if wait is not None:
                return _Pending(
                    WaitQuestion(step.title, wait),
                    depth,
                )
            self._going.add(arrival)
        again = frame.visits.get(step.id, 1) > 1
        for ref in step.ask:
            # Asked on every arrival (the answer before is the default); on
            # the first, a value given beforehand (--set, with) stands.
            if ref.name in frame.answered:
                continue
            if again or self.scope.unknown(active, depth, ref.name):
                before = frame.values.get(ref.name)
                return _Pending(
                    InputQuestion(
                        self.scope.spec(active, depth, ref.name),
                        None if before is None else show_value(before),
                    ),
                    depth,
                )
        if step.turn is not None and not frame.turned:
            self._turn(active, depth, step, step.turn)
            frame = active.state.top
        items = views.items(self.scope, active, depth)
        if not self._shown[1]:
            self.driver.show(views.body(self.scope, active, depth, items))
            self._shown = (True, True)
        for item in items:
            if item.answer is None:
                return _Pending(ItemQuestion(item, frame.procedure.mode, len(items)), depth)
            who = step.do[item.index].person
            if who is not None and item.answer == "done" and item.index not in frame.signed:
                if who.kind == "named":
                    self._sign(active, item.index, "named", (item.person or "",))
                    frame = active.state.top
                else:
                    question = PeopleQuestion(who.kind, item.text, self.operator)
                    return _Pending(question, depth, signs=item.index)
            proof = step.do[item.index].evidence
            if proof is not None and item.answer == "done" and item.index not in frame.evidenced:
                asked = EvidenceQuestion(item.text, proof.photos, proof.signature, proof.signer)
                return _Pending(asked, depth, signs=item.index)
        for form_id, fld in views.fields(self.scope, active, depth, step):
            if (form_id, fld.id) not in frame.fields:
                title = active.pinned.rulebook.forms[form_id].title
                return _Pending(
                    FieldQuestion(form_id, title, Spec.of_field(fld), self._known(active, fld)),
                    depth,
                    field_key=(form_id, fld.id),
                )
        who = step.person
        if who is not None and -1 not in frame.signed:
            if who.kind != "named":
                return _Pending(PeopleQuestion(who.kind, step.title, self.operator), depth)
            assert who.name is not None
            self._sign(active, None, "named", (self.scope.render(active, depth, who.name),))
        proof = step.evidence
        if proof is not None and -1 not in frame.evidenced:
            return _Pending(
                EvidenceQuestion(step.title, proof.photos, proof.signature, proof.signer), depth
            )
        way = step.exit
        match way:
            case Choices():
                shown = views.options(self.scope, active, depth, way)
                if not shown:
                    self.driver.show(Notice("stuck", {"step_title": step.title}))
                return _Pending(
                    ChoiceQuestion(tuple(o for _, o in shown), frame.procedure.is_table),
                    depth,
                    choices=tuple(i for i, _ in shown),
                )
            case Next() | Call() | End() | Parallel():
                return None
            case _:
                assert_never(way)

    def _known(self, active: Active, fld: Any) -> str | None:
        """What the run already knows for a form field, offered so that Enter
        takes it: the same field filled earlier in the run, the customer's
        name and phone from the run's inputs, the operator as the person
        receiving or calling back, the time now for a time of the visit."""
        st = active.state
        earlier = [
            value
            for frame in reversed(st.frames)
            for (_, fid), value in frame.fields.items()
            if fid == fld.id and value not in (None, "")
        ]
        if earlier:
            return show_value(earlier[0])
        values: dict[str, Any] = {}
        for frame in st.frames:
            values.update({k: v for k, v in frame.values.items() if v not in (None, "")})
        if fld.id in values:
            return show_value(values[fld.id])
        if fld.id in _CUSTOMER_FIELDS and "customer" in values:
            return show_value(values["customer"])
        if fld.type == "phone":
            phones = [v for k, v in values.items() if k == "phone" or k.endswith("_phone")]
            if len(phones) == 1:
                return show_value(phones[0])
        if (
            fld.type == "text"
            and self.operator
            and (fld.id in _OPERATOR_FIELDS or fld.label.endswith(_OPERATOR_LABELS))
        ):
            return self.operator
        if fld.type == "datetime":
            return self.clock().strftime("%Y-%m-%d %H:%M")
        return None

    def _answer(self, active: Active, pending: _Pending, reply: Reply) -> None:
        q = pending.question
        step = active.state.top.step
        if isinstance(reply, Command):
            self._command(active, reply)
        elif isinstance(q, InputQuestion) and isinstance(reply, Given):
            self.rec.stage(
                active,
                InputAnswered(
                    name=q.spec.name,
                    label=q.spec.label,
                    type=q.spec.type,
                    value=reply.value,
                    step=step,
                    depth=pending.depth,
                ),
            )
        elif isinstance(q, ItemQuestion) and isinstance(reply, ItemAnswer):
            self.rec.stage(
                active,
                ItemChecked(
                    step=step,
                    index=q.item.index,
                    text=q.item.text,
                    critical=q.item.critical,
                    status=reply.status,
                    reason=reply.reason,
                ),
            )
        elif isinstance(q, FieldQuestion) and isinstance(reply, Given):
            self.rec.stage(
                active,
                FieldRecorded(
                    step=step,
                    form=pending.field_key[0],
                    form_title=q.form_title,
                    field=pending.field_key[1],
                    label=q.spec.label,
                    type=q.spec.type,
                    value=reply.value,
                ),
            )
        elif isinstance(q, ChoiceQuestion) and isinstance(reply, Given):
            self._choose(active, pending.choices[int(reply.value)])
        elif isinstance(q, PeopleQuestion) and isinstance(reply, Given):
            self._sign(active, pending.signs, q.how, tuple(reply.value))
        elif (
            isinstance(q, EvidenceQuestion)
            and isinstance(reply, Given)
            and isinstance(reply.value, EvidenceGiven)
        ):
            self._attach(active, pending.signs, reply.value)
        elif isinstance(q, WaitQuestion) and isinstance(reply, Given):
            if not reply.value:
                raise _Stop(self._pause("waiting"))
            self._going.add((active.state.run_id, active.state.top.arrival))
        else:
            raise TypeError(f"driver replied {reply!r} to {type(q).__name__}")

    def _sign(
        self,
        active: Active,
        item: int | None,
        how: Literal["another", "all", "named"],
        people: tuple[str, ...],
    ) -> None:
        """Who did the step or the item, by name: staged with the answers."""
        step = active.state.top.step
        self.rec.stage(active, PeopleSigned(step=step, item=item, how=how, people=people))

    def _attach(self, active: Active, item: int | None, given: EvidenceGiven) -> None:
        """Keep each picture in the evidence folder (under its sha256), and
        stage one `evidence.attached` per picture and for the signature."""
        from engine.journal.evidence import EvidenceStore, evidence_folder, no_folder

        step = active.state.top.step
        staged: list[EvidenceAttached] = []
        store: EvidenceStore | None = None
        if given.photos or given.signature is not None:
            folder = evidence_folder(self.journal.path, self.evidence)
            if folder is None:
                raise no_folder(self.journal.path)
            store = EvidenceStore(folder)
        for number, data in enumerate(given.photos, 1):
            assert store is not None
            kept = store.put(data, f"#{number}")
            staged.append(
                EvidenceAttached(
                    step=step,
                    item=item,
                    evidence="photo",
                    signer=None,
                    sha256=kept.sha256,
                    media_type=kept.media_type,
                    size=kept.size,
                )
            )
        if given.signer is not None:
            drawn = None
            if given.signature is not None and store is not None:
                drawn = store.put(given.signature, given.signer)
            staged.append(
                EvidenceAttached(
                    step=step,
                    item=item,
                    evidence="signature",
                    signer=given.signer,
                    sha256=drawn.sha256 if drawn else None,
                    media_type=drawn.media_type if drawn else None,
                    size=drawn.size if drawn else None,
                )
            )
        for event in staged:
            self.rec.stage(active, event)

    def _turn(self, active: Active, depth: int, step: Step, turn: Turn) -> None:
        """Take the step's turn in its queue: the queue's event and the run's
        written in one transaction under the queue's last sequence number, so
        two runs at once never take the same person (engine.runtime.queues)."""
        from engine.runtime import queues

        rulebook = active.pinned.rulebook
        queue = rulebook.queues[turn.queue.name]
        keeper = rulebook.roles[queue.keeper.name].name if queue.keeper else ""
        named = self.scope.render(active, depth, turn.name).strip() if turn.name else None
        if turn.take == "named" and not named:
            raise RunError(queues.QUEUE_NO_NAME)
        run, sid = active.state.run_id, step.id
        chosen: list[tuple[str, bool]] = []
        previews: list[RunState] = []

        def change(s: queues.QueueState) -> list[QueueEvent]:
            person, owed = queues.choose(s, queue, keeper, turn.take, named)
            chosen[:] = [(person, owed)]
            if turn.credit:
                undo = s.counted_turn(person, run)
                return [QueueCredited(person=person, run=run, step=sid, undoes=undo)]
            return [
                QueueTurn(
                    person=person, take=turn.take, counts=turn.counts, run=run, step=sid, owed=owed
                )
            ]

        def also(s: queues.QueueState, events: Sequence[QueueEvent]) -> list[Write]:
            person, owed = chosen[0]
            taken = self.rec.draft(
                TurnTaken(
                    queue=queue.id,
                    title=queue.title,
                    stream=s.stream,
                    step=sid,
                    person=person,
                    take=turn.take,
                    counts=turn.counts,
                    credit=turn.credit,
                    owed=owed,
                    binds=turn.binds.name if turn.binds else None,
                )
            )
            preview = active.state.copy()
            preview.apply(taken.event, taken.at)
            previews[:] = [preview]
            return [Write(run, [taken.draft()], preview.summary(), active.state.last_seq)]

        self.rec.flush(active)  # nothing staged rides along: the write is the queue's
        _, written = queues.write(
            self.journal,
            rulebook,
            (active.pinned.sha, active.pinned.files),
            queue,
            self.site,
            self.operator,
            self.clock,
            change,
            also,
        )
        previews[0].wrote(max(e.seq for e in written if e.run == run))
        active.state = previews[0]
        person, owed = chosen[0]
        kind = "turn_credit" if turn.credit else ("turn_owed" if owed else "turn")
        self.driver.show(
            Notice(kind, {"person": person, "queue": queue.title, "duty": queue.duty_said})
        )

    def _command(self, active: Active, cmd: Command) -> None:
        if cmd.kind == "note" and cmd.text.strip():
            st = active.state
            self.rec.record(
                active,
                NoteAdded(step=st.top.step, procedure=st.top.procedure.id, text=cmd.text.strip()),
            )
            self.driver.show(Notice("note_saved", {"text": cmd.text.strip()}))
        elif cmd.kind == "pause":
            raise _Stop(self._pause(cmd.how))
        elif cmd.kind == "hold":
            # Everything answered is on disk (flushed before each question).
            leaf = self.session[-1].state.run_id
            raise _Stop(Outcome("held", self._root, runs=(self._root, leaf)))
        elif cmd.kind == "emergency":
            self._emergency(active, cmd.procedure)
        elif cmd.kind == "correct":
            self._correct(active)
        elif cmd.kind == "lane":
            self._switch(active)
        elif cmd.kind == "milestone" and cmd.procedure:
            self.rec.flush(active)
            try:
                given = given_milestone(self.rec, active, cmd.procedure, cmd.text)
            except RunError as exc:  # a typo at the prompt: say so, ask again
                self.driver.show(Notice("milestone_bad", {"message": exc.message}))
                return
            self.rec.record(active, given)
            self.driver.show(Notice("milestone", given.to_json()))

    def _correct(self, active: Active) -> None:
        """Give an earlier answer of this run again: the person picks it, types
        the new value (checked as the first was), and a correction is
        appended; the first answer stays in the journal, never edited. The
        ticks of the current step's `do` items are offered too, asked again
        through the same item question."""
        self.rec.flush(active)
        st = active.state
        answers: list[tuple[int, InputAnswered | FieldRecorded | ItemChecked]] = []
        now_value: dict[int, Any] = {}
        titles: dict[int, str] = {}
        title = ""
        ticks: dict[int, int] = {}  # the current step's item index -> its tick's seq
        for stored in self.journal.events(st.run_id):
            match e := read(stored):
                case StepEntered():
                    title = e.title
                    ticks = {}
                case InputAnswered() | FieldRecorded():
                    answers.append((stored.seq, e))
                    titles[stored.seq] = title
                case ItemChecked():
                    ticks[e.index] = stored.seq
                    titles[stored.seq] = title
                case AnswerCorrected(of=of, value=value):
                    now_value[of] = value
                case _:
                    pass  # nothing else is an answer
        shown = {v.index: v for v in views.items(self.scope, active, active.depth)}
        for index, seq in ticks.items():
            view = shown.get(index)
            if view is not None and index in st.top.items:
                item = ItemChecked(
                    step=st.top.step,
                    index=index,
                    text=view.text,
                    critical=view.critical,
                    status=st.top.items[index][0],
                    reason=st.top.items[index][1],
                )
                answers.append((seq, item))
        answers.sort(key=lambda a: a[0])  # in the order given
        if not answers:
            self.driver.show(Notice("correct_none", {}))
            return
        offered = tuple(
            Answered(e.text, e.status, titles[seq], item=True)
            if isinstance(e, ItemChecked)
            else Answered(_label_of(e), show_value(now_value.get(seq, e.value)), titles[seq])
            for seq, e in answers
        )
        reply = self.driver.ask(CorrectQuestion(offered), [], self.clock())
        if not isinstance(reply, Given):
            if isinstance(reply, Command) and reply.kind in ("pause", "hold"):
                self._command(active, reply)
            return
        seq, answer = answers[int(reply.value)]
        if isinstance(answer, ItemChecked):
            self._correct_item(active, seq, shown[answer.index], len(shown), answer)
            return
        spec = self._spec_of(active, answer)
        new = self.driver.ask(InputQuestion(spec), [], self.clock())
        if not isinstance(new, Given):
            if isinstance(new, Command) and new.kind in ("pause", "hold"):
                self._command(active, new)
            return
        before = now_value.get(seq, answer.value)
        corrected: AnswerCorrected
        match answer:
            case FieldRecorded():
                corrected = AnswerCorrected(
                    of=seq,
                    answer="field",
                    name=answer.field,
                    label=spec.label,
                    form=answer.form,
                    form_title=answer.form_title,
                    procedure=None,
                    depth=0,
                    step=answer.step,
                    value=new.value,
                    before=before,
                )
            case InputAnswered():
                corrected = AnswerCorrected(
                    of=seq,
                    answer="input",
                    name=answer.name,
                    label=spec.label,
                    form=None,
                    form_title=None,
                    procedure=self._procedure_at(active, answer),
                    depth=answer.depth,
                    step=answer.step,
                    value=new.value,
                    before=before,
                )
            case _:
                assert_never(answer)
        self.rec.record(active, corrected)
        self.driver.show(
            Notice(
                "corrected",
                {"label": spec.label, "before": show_value(before), "after": show_value(new.value)},
            )
        )

    def _correct_item(
        self, active: Active, seq: int, view: ItemView, total: int, now: ItemChecked
    ) -> None:
        """A tick of the current step given again, through the item's own
        question (a critical item not done still needs its reason)."""
        frame = active.state.top
        question = ItemQuestion(view, frame.procedure.mode, total)
        reply = self.driver.ask(question, [], self.clock())
        if not isinstance(reply, ItemAnswer):
            if isinstance(reply, Command) and reply.kind in ("pause", "hold"):
                self._command(active, reply)
            return
        self.rec.record(
            active,
            AnswerCorrected(
                of=seq,
                answer="item",
                name=now.text,
                label=now.text,
                form=None,
                form_title=None,
                procedure=frame.procedure.id,
                depth=active.depth,
                step=frame.step,
                value=reply.status,
                before=now.status,
                index=now.index,
                reason=reply.reason,
            ),
        )
        self.driver.show(
            Notice(
                "corrected_item",
                {
                    "label": now.text,
                    "before": now.status,
                    "after": reply.status,
                    "reason": reply.reason or "",
                },
            )
        )

    def _procedure_at(self, active: Active, answer: InputAnswered) -> str | None:
        """The procedure an input was answered in, if its frame is still on the stack."""
        frames = active.state.frames
        if answer.depth < len(frames) and answer.name in active.pinned.rulebook.inputs_for(
            frames[answer.depth].procedure
        ):
            return frames[answer.depth].procedure.id
        return None

    def _spec_of(self, active: Active, answer: InputAnswered | FieldRecorded) -> Spec:
        """What the new value must be: the same as the first answer had to."""
        rulebook = active.pinned.rulebook
        match answer:
            case FieldRecorded(form=form_id, field=name):
                form = rulebook.forms.get(form_id)
                if form is not None and name in form.fields:
                    return Spec.of_field(form.fields[name])
            case InputAnswered(name=name):
                for proc in (f.procedure for f in active.state.frames):
                    inp = rulebook.inputs_for(proc).get(name)
                    if inp is not None:
                        return Spec.of_input(inp)
                for proc in rulebook.procedures.values():
                    inp = rulebook.inputs_for(proc).get(name)
                    if inp is not None:
                        return Spec.of_input(inp)
            case _:
                assert_never(answer)
        return Spec(name, answer.label or name, answer.type or "text")

    def _warn(self, active: Active, expr: Expr, detail: str) -> None:
        """A rulebook expression that fails at run time: said on screen and
        journaled once per step (it counts as false, or shows as written)."""
        key = (active.state.run_id, str(active.state.top.step), expr.source)
        if key in self._warned:
            return
        self._warned.add(key)
        warning = RunWarning(
            step=active.state.top.step, where=str(expr.pos), expression=expr.source, detail=detail
        )
        self.rec.record(active, warning)
        self.driver.show(
            Notice("warning", {"where": warning.where, "expression": expr.source, "detail": detail})
        )

    def _preset(self, pinned: Pinned, proc: Procedure, preset: Mapping[str, Any]) -> dict[str, Any]:
        inputs = pinned.rulebook.inputs_for(proc)
        values: dict[str, Any] = {}
        for name, raw in preset.items():
            inp = inputs.get(name)
            if inp is None:
                near = difflib.get_close_matches(name, list(inputs), n=1)
                raise RunError(
                    NO_INPUT,
                    name=name,
                    title=proc.title,
                    hint=DID_YOU_MEAN.say(near=near[0]) if near else "",
                    known=", ".join(inputs) or NONE.say(),
                )
            try:
                values[name] = parse(Spec.of_input(inp), raw, self.clock())
            except BadValue as exc:
                raise RunError(
                    BAD_SET, name=name, value=raw, why=exc.text(i18n.current())
                ) from None
        return values

    # ------------------------------------------------------------ leaving a step

    def _fire(
        self,
        active: Active,
        depth: int,
        trigger: str,
        extra: Mapping[str, Any] | None = None,
    ) -> tuple[str, int] | None:
        """Where frame `depth` goes by `trigger`, its guards judged now (the
        frame moves when the event is committed)."""
        frame = active.state.frames[depth]
        return machine.decide(
            frame.procedure,
            str(frame.step),
            trigger,
            lambda expr: self.scope.judge(active, depth, expr, extra),
        )

    def _advance(
        self,
        active: Active,
        depth: int,
        before: list[Stamped],
        extra: Mapping[str, Any] | None = None,
    ) -> tuple[list[Stamped], Notice]:
        """The events of an automatic `next` from frame `depth`, and what to
        say about it (`extra`: the returning callee's `outcome`)."""
        frame = active.state.frames[depth]
        step = frame.current
        fired = self._fire(active, depth, machine.ADVANCE, extra)
        if fired is None:
            raise RunError(NO_BRANCH, step=step.title)
        target, index = fired
        why = _why(active.pinned.rulebook, frame.procedure, step, index)
        before = [
            *before,
            *self._assign(active, depth, branches_of(step.exit)[index].set, "branch", extra),
        ]
        taken = self.rec.draft(
            BranchTaken(procedure=frame.procedure.id, step=step.id, to=target, why=why, index=index)
        )
        drafts = [*before, taken, self.rec.entered(active, frame.procedure, target, before)]
        title = frame.procedure.steps[target].title
        return drafts, Notice("branch", {"why": why, "to": target, "to_title": title})

    def _leave(self, active: Active) -> bool:
        """Take the step's way out; True when the session has ended."""
        st = active.state
        frame = st.top
        step = frame.current
        self._set_step(active)
        first = self.rec.milestone(active, frame.procedure, step)
        way = step.exit
        match way:
            case End(outcome) if active.depth > 0:
                self._return(active, first, outcome, step.outcome)
            case End(outcome) if len(st.lanes) > 1:
                return self._lane_end(active, first, outcome, step.outcome)
            case End(outcome):
                self._finish(active, first, outcome, step.outcome)
                return not self.session
            case Call():
                self._call(active, step, way, first)
            case Parallel():
                self._fork(active, step, way, first)
            case Next():
                drafts, moved = self._advance(active, active.depth, first)
                self.rec.commit(active, drafts)
                self.driver.show(moved)
            case Choices():  # left by `_choose`, never by leaving
                raise AssertionError(f"step {step.id} is left by a choice")
            case _:
                assert_never(way)
        self._shown = (False, False)
        return False

    def _timed_out(self, active: Active) -> bool:
        """At a prompt (a resumed run's first one too): a step whose `within`
        or `due` has passed and that has `timeout:` moves the run there
        (engine/runtime/timeouts.py)."""
        if active.state.status != ACTIVE:
            return False
        moved = timeouts.time_out(self.rec, active, self.clock())
        if moved is None:
            return False
        self.driver.show(
            Notice(
                "timeout",
                {"step_title": moved.step_title, "to_title": moved.to_title, "text": moved.text},
            )
        )
        self._shown = (False, False)
        return True

    def _set_step(self, active: Active) -> None:
        """The step's own `set:`, given once it is done (before its way out is
        judged, so the guards read the new values): staged once per arrival."""
        frame = active.state.top
        if frame.set_done or not frame.current.set:
            return
        for stamped in self._assign(active, active.depth, frame.current.set, "step"):
            self.rec.stage(active, stamped.event)

    def _assign(
        self,
        active: Active,
        depth: int,
        assigns: tuple[Assign, ...],
        by: Literal["step", "choice", "branch"],
        extra: Mapping[str, Any] | None = None,
    ) -> list[Stamped]:
        """`value.set` events for `set:` entries, each value worked out from
        the values before any of them (a template that does not read as the
        input's type is a rulebook problem: warned, the value left as it was)."""
        frame = active.state.frames[depth]
        inputs = active.pinned.rulebook.inputs_for(frame.procedure)
        drafts: list[Stamped] = []
        for a in assigns:
            inp = inputs.get(a.target.name)
            if inp is None:
                raise RunError(UNDECLARED, name=a.target.name)
            raw: Any = a.raw
            if a.templated:
                raw = self.scope.render(active, depth, a.value, extra)
            try:
                value = (
                    parse(Spec.of_input(inp), raw, self.clock()) if isinstance(raw, str) else raw
                )
            except BadValue as exc:
                self._warn(active, a.value, exc.zh)
                continue
            drafts.append(
                self.rec.draft(
                    ValueSet(
                        name=inp.name,
                        label=inp.ask or inp.name,
                        value=value,
                        before=frame.values.get(inp.name),
                        by=by,
                        depth=depth,
                        procedure=frame.procedure.id,
                        step=frame.step,
                    )
                )
            )
        return drafts

    def _return(self, active: Active, first: list[Stamped], outcome: str, said: str) -> None:
        """A called procedure has ended: back to its caller, which goes on by its `next`."""
        st = active.state
        frame = st.top
        returned = self.rec.draft(
            CallReturned(
                procedure=frame.procedure.id,
                title=frame.procedure.title,
                outcome=outcome,
                outcome_title=said,
            )
        )
        drafts, moved = self._advance(
            active, active.depth - 1, [*first, returned], {OUTCOME: outcome}
        )
        self.rec.commit(active, drafts)
        self.driver.show(
            Notice(
                "returned",
                {
                    "title": frame.procedure.title,
                    "outcome": said,
                    "back_title": st.frames[-2].procedure.title,
                },
            )
        )
        self.driver.show(moved)

    def _choose(self, active: Active, index: int) -> None:
        top = active.state.top
        step = top.current
        fired = self._fire(active, active.depth, machine.choice_trigger(index))
        choice = _choice(step, index)
        label = choice.label
        if fired is None:  # the guard no longer holds
            self.driver.show(Notice("choice_gone", {"label": label}))
            return
        self._set_step(active)
        top = active.state.top
        first = self.rec.milestone(active, top.procedure, step)
        first += self._assign(active, active.depth, choice.set, "choice")
        made = self.rec.draft(
            ChoiceMade(
                procedure=top.procedure.id, step=step.id, label=label, to=fired[0], index=index
            )
        )
        self.rec.commit(
            active, [*first, made, self.rec.entered(active, top.procedure, fired[0], first)]
        )
        self._shown = (False, False)

    def _call(self, active: Active, step: Step, call: Call, first: list[Stamped]) -> None:
        """Push the callee with its `with` values (and the rulebook's shared inputs)."""
        rulebook = active.pinned.rulebook
        callee = rulebook.procedure(call.procedure.name)
        callee_inputs = rulebook.inputs_for(callee)
        given = self._args(active, call, callee)
        shared = {k: v for k, v in active.state.top.values.items() if k in rulebook.inputs}
        started = self.rec.draft(
            CallStarted(
                step=step.id, procedure=callee.id, title=callee.title, args={**shared, **given}
            )
        )
        self.rec.commit(
            active, [*first, started, self.rec.entered(active, callee, callee.start.name, first)]
        )
        shown = {
            (callee_inputs[n].ask or n) if n in callee_inputs else n: v for n, v in given.items()
        }
        self.driver.show(Notice("call", {"title": callee.title, "with": shown}))

    def _fork(self, active: Active, step: Step, way: Parallel, first: list[Stamped]) -> None:
        """Start the step's branches, move the lane on by its `next`, then
        turn to the first branch: it is walked there and then."""
        st = active.state
        frame = st.top
        rulebook = active.pinned.rulebook
        fork = len(st.lanes)
        drafts = list(first)
        for i, lane in enumerate(way.lanes):
            if isinstance(lane, Call):
                callee = rulebook.procedure(lane.procedure.name)
                given = self._args(active, lane, callee)
                shared = {k: v for k, v in frame.values.items() if k in rulebook.inputs}
                started = LaneStarted(
                    lane=fork + i,
                    fork=fork,
                    parent=st.lane,
                    index=i,
                    procedure=frame.procedure.id,
                    step=step.id,
                    join=way.join,
                    title=callee.title,
                    call=callee.id,
                    args={**shared, **given},
                )
            else:
                started = LaneStarted(
                    lane=fork + i,
                    fork=fork,
                    parent=st.lane,
                    index=i,
                    procedure=frame.procedure.id,
                    step=step.id,
                    join=way.join,
                    title=frame.procedure.steps[lane.name].title,
                    to=lane.name,
                )
            drafts.append(self.rec.draft(started))
        moved, said = self._advance(active, active.depth, drafts)
        self.rec.commit(active, moved)
        for new in active.state.lanes[fork:]:
            self.driver.show(Notice("lane_started", {"lane": new.id, "title": new.title}))
        self.driver.show(said)
        self._turn_lane(active, active.state.lanes[fork].id)

    def _turn_lane(self, active: Active, lane: int, before: Sequence[Stamped] = ()) -> None:
        """Walk lane `lane` from now on: entering its first step if it has none yet."""
        st = active.state
        target = st.lanes[lane]
        said = target.title or st.procedure.title
        drafts = [*before, self.rec.draft(LaneSwitched(lane=lane, title=said))]
        bottom = target.frames[-1]
        if bottom.step is None:
            first = bottom.begins or bottom.procedure.start.name
            drafts.append(self.rec.entered(active, bottom.procedure, first))
        self.rec.commit(active, drafts)
        if lane:
            self.driver.show(Notice("lane_switched", {"lane": lane, "title": target.title}))
        else:
            self.driver.show(Notice("lane_main", {"title": st.procedure.title}))
        self._shown = (False, False)

    def _wait(self, active: Active) -> bool:
        """The lane the run is on stands where its branches join (`parallel:
        {at}`) and some are still open: say so and turn to one of them.
        True when the run turned."""
        st = active.state
        target = lanes.wait_target(st, st.lane)
        if target is None:
            return False
        self.rec.flush(active)
        pending = lanes.waits_for(st, st.lane)
        self.driver.show(
            Notice(
                "lane_wait",
                {
                    "step_title": st.top.current.title,
                    "titles": "、".join(x.title for x in pending),
                },
            )
        )
        self._turn_lane(active, target.id)
        return True

    def _switch(self, active: Active) -> None:
        """Staff's `b`: turn to the next open lane (the branch left stays where it is)."""
        self.rec.flush(active)
        st = active.state
        target = lanes.next_open(st)
        if target is None:
            # The other open lines wait (`parallel: {at}`) for this one.
            held = [x for x in st.open_lanes if x.id != st.lane]
            if held:
                top = held[0].frames[-1]
                titles = "、".join(x.title for x in lanes.waits_for(st, held[0].id))
                args = {"step_title": top.current.title, "titles": titles}
                self.driver.show(Notice("lane_wait", args))
            else:
                self.driver.show(Notice("lane_none", {}))
            return
        self._turn_lane(active, target.id)

    def _lane_end(self, active: Active, first: list[Stamped], outcome: str, said: str) -> bool:
        """A lane's line reached an end: it ends (the run's own line too,
        while branches are open), `join: any` siblings are cancelled, and the
        run turns to the next lane, or is finished. True when the session has ended."""
        st = active.state
        here = st.lanes[st.lane]
        title = here.title if here.id else st.procedure.title
        gone = lanes.cancelled_by(st, here.id)
        cancelled = [
            self.rec.draft(
                LaneEnded(lane=lane, title=st.lanes[lane].title, cancelled=True, by=here.id)
            )
            for lane in gone
        ]
        done = lanes.finished(st, {here.id, *gone})
        if here.id == 0 and done:  # the run's own line ends last: the run's end says it
            drafts = [*first, *cancelled]
        else:
            ended = LaneEnded(lane=here.id, title=title, outcome=outcome, outcome_title=said)
            drafts = [*first, self.rec.draft(ended), *cancelled]
            kind = "lane_ended" if here.id else "lane_main_ended"
            self.driver.show(Notice(kind, {"title": title, "outcome": said}))
        for lane in gone:
            self.driver.show(Notice("lane_cancelled", {"title": st.lanes[lane].title}))
        if done:
            own = st.lanes[0]
            if here.id != 0:
                outcome, said = own.outcome or outcome, own.outcome_title or said
            self._finish(active, drafts, outcome, said)
            return not self.session
        back = lanes.joined(st, here.id, set(gone))
        if back is not None:
            title = back.frames[-1].current.title
            self.driver.show(Notice("lane_joined", {"step_title": title}))
        target = lanes.turn_to(st, here.id, set(gone))
        assert target is not None  # not finished: a lane is open
        self._turn_lane(active, target.id, drafts)
        return False

    def _args(self, active: Active, call: Call, callee: Procedure) -> dict[str, Any]:
        """A call's `with:` values, each read as the callee's input."""
        callee_inputs = active.pinned.rulebook.inputs_for(callee)
        given: dict[str, Any] = {}
        for ref, expr in call.args:
            text = self.scope.render(active, active.depth, expr)
            inp = callee_inputs.get(ref.name)
            try:
                given[ref.name] = parse(Spec.of_input(inp), text, self.clock()) if inp else text
            except BadValue as exc:
                self._warn(active, expr, exc.zh)
                given[ref.name] = text
        return given

    def _finish(self, active: Active, first: list[Stamped], outcome: str, said: str) -> None:
        """End the run; an emergency's end and the interrupted run's
        continuation are written together."""
        st = active.state
        done = self.rec.draft(
            RunFinished(
                outcome=outcome, outcome_title=said, step=st.top.step, procedure=st.procedure_id
            )
        )
        below = self.session[-2] if len(self.session) > 1 else None
        also: list[tuple[Active, list[Stamped]]] = []
        if below is not None and st.interrupts == below.state.run_id:
            also.append(
                (
                    below,
                    [
                        self.rec.draft(
                            RunContinued(
                                after=st.run_id,
                                procedure=st.procedure_id,
                                title=st.procedure.title,
                                outcome=outcome,
                                outcome_title=said,
                            )
                        )
                    ],
                )
            )
        self.rec.commit(active, [*first, done], also)
        self.driver.show(
            Notice("finished", {"run": st.run_id, "title": st.procedure.title, "outcome": said})
        )
        self.session.pop()
        if below is not None:
            self.driver.show(
                Notice(
                    "emergency_over",
                    {
                        "title": st.procedure.title,
                        "outcome": said,
                        "back_title": below.state.procedure.title,
                        "step_title": below.state.top.current.title,
                    },
                )
            )
        self._shown = (False, False)

    # ------------------------------------------------------------ emergencies and pauses

    def _emergencies(self, active: Active) -> tuple[EmergencyOption, ...]:
        running = {a.state.procedure_id for a in self.session}
        procs = sorted(
            (
                p
                for p in active.pinned.rulebook.procedures.values()
                if p.kind == "emergency" and p.id not in running
            ),
            key=lambda p: (p.priority or 9, p.id),
        )
        return tuple(EmergencyOption(p.id, p.title, p.priority or 9, p.trigger) for p in procs)

    def _emergency(self, active: Active, pid: str | None) -> None:
        options = self._emergencies(active)
        if pid is None:
            if not options:
                self.driver.show(Notice("no_emergencies", {}))
                return
            self.rec.flush(active)
            reply = self.driver.ask(EmergencyQuestion(options), self._reminders(), self.clock())
            if isinstance(reply, Command):
                if reply.kind in ("pause", "note", "hold"):
                    self._command(active, reply)
                return
            if not isinstance(reply, Given):
                raise TypeError(f"driver replied {reply!r} to the emergency list")
            pid = options[int(reply.value)].procedure
        elif pid not in {o.procedure for o in options}:
            self.driver.show(
                Notice(
                    "unknown_emergency", {"procedure": pid, "known": [o.procedure for o in options]}
                )
            )
            return
        proc = active.pinned.rulebook.procedure(pid)
        self.driver.show(
            Notice(
                "emergency",
                {
                    "title": proc.title,
                    "priority": proc.priority,
                    "interrupted": active.state.procedure.title,
                    "step_title": active.state.top.current.title,
                },
            )
        )
        self.rec.flush(active)  # the interrupted run's answers first, then the link
        started = self.rec.started(active.pinned, proc, {}, interrupts=active.state.run_id)
        with deferred():  # the emergency, once it exists, is the run a signal pauses
            self.session.append(self.rec.open_run(active.pinned, proc, started, interrupted=active))
        self._shown = (False, False)

    def _pause(self, how: str, quiet: bool = False) -> Outcome:
        leaf = self.session[-1]
        st = leaf.state
        with deferred():
            self.rec.record(leaf, RunPaused(step=st.top.step, how=how))
            self.rec.write_held()
        if not quiet:
            args = {"run": st.run_id, "how": how, "title": st.procedure.title}
            # Journaled already; a terminal that has closed (SIGHUP) cannot be told.
            with contextlib.suppress(OSError):
                self.driver.show(Notice("waiting" if how == "waiting" else "paused", args))
        return Outcome("paused", self._root, how=how, runs=(self._root, st.run_id))

    def _reminders(self) -> list[Reminder]:
        mine = {a.state.run_id for a in self.session}
        now = self.clock()
        soon = (now + SOON).isoformat()[:19]
        return reminders(self.journal.reminders_for(sorted(mine), soon), now, mine)


# Form fields a run knows the answer to (see Runner._known).
_CUSTOMER_FIELDS = frozenset({"customer_name", "customer", "owner_name"})
_OPERATOR_FIELDS = frozenset({"received_by", "revisited_by", "handled_by", "caller"})
_OPERATOR_LABELS = ("回访人", "接待人", "经办人", "记录人", "致电人")


def _label_of(answer: InputAnswered | FieldRecorded) -> str:
    """An answer as the correction list names it."""
    match answer:
        case InputAnswered():
            return answer.label or answer.name
        case FieldRecorded():
            return answer.label or answer.field
        case _:
            assert_never(answer)


def _why(rulebook: Rulebook, proc: Procedure, step: Step, index: int) -> str:
    """Why an automatic `next` went where it went, for the screen and the
    journal: the branch's label, else its guard in words as the manual says
    it (inputs by their question, fields by their label, a called
    procedure's outcome by its title: never an id)."""
    branch = branches_of(step.exit)[index]
    if branch.label:
        return branch.label
    if branch.when is not None:
        from engine.render.exprs import Wording

        fields = {
            f"{fid}.{k}": fld.label
            for fid, form in rulebook.forms.items()
            for k, fld in form.fields.items()
        }
        wording = Wording(rulebook.inputs_for(proc), fields=fields)
        if isinstance(step.exit, Call):
            callee = rulebook.procedures.get(step.exit.procedure.name)
            if callee is not None:
                wording = wording.after_call(callee.title, callee.outcomes())
        return wording.condition(branch.when)
    return "otherwise" if index > 0 else ""


def _choice(step: Step, index: int) -> Choice:
    way = step.exit
    match way:
        case Choices(choices):
            return choices[index]
        case Next() | Call() | End() | Parallel():
            raise AssertionError(f"step {step.id} has no choices")
        case _:
            assert_never(way)


def runnable_procedure(pinned: Pinned, given: str) -> Procedure:
    """The procedure `given` names (engine/procedure_names.py), if it has
    steps to run."""
    from engine.procedure_names import find_procedure

    proc = find_procedure(pinned.rulebook, given)
    if not proc.runnable:
        raise UsageError(NOT_RUNNABLE, title=proc.title, procedure=proc.id)
    return proc


def occurrence_args(proc: Procedure, occ: Occurrence) -> dict[str, Any]:
    """What the staff are told a scheduled run is for: the day or the
    moment, and the schedule entry in words."""
    from engine.schedule import describe

    return {"when": occ.key.replace("T", " "), "schedule": describe(proc.schedule[occ.entry])}
