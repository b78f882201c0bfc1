"""A run's state as a fold over its journal events.

The runner never keeps state the journal does not have: every answer becomes
an event, and `RunState.apply` is the one place an event changes the state —
for a live run and for a resumed one alike. A frame moves from step to step
only through its procedure's state machine (engine.runtime.machine): a
`branch.taken` or `choice.made` fires the transition it records, and a
`step.entered` must be where that move led, so events that move a run in a
way its procedure does not allow are refused as damage. Replay applies the
recorded decisions and never re-evaluates guards, so a guard on `hour`
cannot send a resumed run somewhere it did not go.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, assert_never

from engine.errors import JournalError
from engine.i18n import message
from engine.journal import Event, RunUpdate
from engine.model import Parallel, Procedure, Rulebook, Step
from engine.runtime.events import (
    NOTICE_KINDS,
    AnswerCorrected,
    BranchTaken,
    CallReturned,
    CallStarted,
    ChoiceMade,
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

ACTIVE, PAUSED, WAITING, FINISHED = "active", "paused", "waiting", "finished"
ITEM_STATUSES = frozenset({"done", "not_done", "skipped"})  # prompts.ItemStatus


@dataclass
class Frame:
    """One procedure on the run's stack: the run's own, or one it called.
    Its `step` is moved only by the procedure's machine (engine.runtime.machine)."""

    procedure: Procedure
    values: dict[str, Any]
    step: str | None = None  # None until the first step is entered
    entered_at: str | None = None
    items: dict[int, tuple[str, str | None]] = field(default_factory=dict)  # do index -> answer
    fields: dict[tuple[str, str], Any] = field(default_factory=dict)  # (form, field) -> value
    dues: list[dict[str, Any]] = field(default_factory=list)
    turned: bool = False  # the step's queue turn was taken at this arrival
    signed: dict[int, tuple[str, ...]] = field(default_factory=dict)  # do index (-1: step) -> names
    evidenced: set[int] = field(default_factory=set)  # do indexes (-1: step) whose evidence is in
    visits: dict[str, int] = field(default_factory=dict)  # step -> arrivals at it
    answered: set[str] = field(default_factory=set)  # inputs answered since this arrival
    set_done: bool = False  # the current step's own `set:` is given (this arrival)
    begins: str | None = None  # a `parallel:` branch's frame: its first step (not the start)
    arrival: int = 0  # the run's arrival number of its current step (RunState.arrivals then)

    @property
    def current(self) -> Step:
        assert self.step is not None
        return self.procedure.steps[self.step]

    def copy(self) -> Frame:
        return replace(
            self,
            values=dict(self.values),
            items=dict(self.items),
            fields=dict(self.fields),
            dues=list(self.dues),
            signed=dict(self.signed),
            evidenced=set(self.evidenced),
            visits=dict(self.visits),
            answered=set(self.answered),
        )


@dataclass
class Lane:
    """One line of a run: lane 0 is the run's own; each branch of a step's
    `parallel:` is another, with its own stack of frames, walked beside it
    (engine/runtime/lanes.py). Every event but the lane events applies to
    the lane the run is on (`RunState.lane`)."""

    id: int
    frames: list[Frame] = field(default_factory=list)
    title: str = ""
    fork: int = 0  # the first lane its step started (lane 0: itself)
    parent: int = 0  # the lane whose step started it
    join: str = "all"
    open: bool = True
    outcome: str | None = None  # how it ended
    outcome_title: str | None = None
    cancelled: bool = False
    # `parallel: {at}`: where its parent waits for it (the depth of the
    # parent's frame, its procedure and the step); None: at the run's end.
    joins_at: tuple[int, str, str] | None = None

    def copy(self) -> Lane:
        return replace(self, frames=[f.copy() for f in self.frames])


@dataclass
class RunState:
    run_id: int
    rulebook: Rulebook
    lanes: list[Lane] = field(default_factory=lambda: [Lane(0)])
    lane: int = 0  # the lane the run is on: events apply to its frames
    status: str = ACTIVE
    last_seq: int = 0
    # The last event that moved the run: not a notice (`sop notify` writes
    # those on runs; they change nothing a page asks). A web form is sent
    # for the run at this event (engine/serve/driver.py `position`).
    moved: int = 0
    procedure_id: str = ""
    interrupts: int | None = None  # the run this emergency interrupted
    waiting_for: int | None = None  # the emergency this run waits for
    outcome: str | None = None
    milestones: dict[str, str] = field(default_factory=dict)
    operator: str | None = None
    site: str | None = None
    started: RunStarted | None = None
    arrivals: int = 0  # steps entered in the run so far: each arrival has its own number
    # `form.field` -> the latest value recorded in the run (what guards read),
    # and the step it was recorded at (a correction there supersedes it).
    recorded: dict[str, Any] = field(default_factory=dict)
    recorded_at: dict[str, str | None] = field(default_factory=dict)

    @property
    def frames(self) -> list[Frame]:
        """The stack of the lane the run is on (the run's own, unless it has branches)."""
        return self.lanes[self.lane].frames

    @frames.setter
    def frames(self, frames: list[Frame]) -> None:
        self.lanes[self.lane].frames = frames

    @property
    def open_lanes(self) -> list[Lane]:
        """The lanes not yet ended, the run's own first."""
        return [lane for lane in self.lanes if lane.open]

    @property
    def top(self) -> Frame:
        return self.frames[-1]

    @property
    def procedure(self) -> Procedure:
        return self.rulebook.procedure(self.procedure_id)

    def copy(self) -> RunState:
        return replace(
            self,
            lanes=[lane.copy() for lane in self.lanes],
            milestones=dict(self.milestones),
            recorded=dict(self.recorded),
            recorded_at=dict(self.recorded_at),
        )

    def wrote(self, seq: int) -> None:
        """The run's events up to `seq` are on disk (written by the runner,
        which writes no notices)."""
        self.last_seq = self.moved = seq

    def apply(self, event: RunEvent, at: str) -> None:
        """The one place an event changes a run's state (`at`: when it happened)."""
        match event:
            case RunStarted():
                self._started(event)
            case StepEntered():
                self._entered(event, at)
            case BranchTaken() | ChoiceMade() | StepTimedOut():
                self._moved(event)
            case InputAnswered(name=name, value=value, depth=depth):
                # A caller's input can be asked while its callee ends (for the caller's `next`).
                self.frames[depth].values[name] = value
                self.frames[depth].answered.add(name)
            case ValueSet(name=name, value=value, depth=depth, by=by):
                self.frames[depth].values[name] = value
                if by == "step":
                    self.frames[depth].set_done = True
            case AnswerCorrected():
                self._corrected(event)
            case ItemChecked(index=index, status=status, reason=reason):
                self.top.items[index] = (status, reason)
            case FieldRecorded(form=form, field=name, value=value, step=step):
                self.top.fields[(form, name)] = value
                # What guards read as form.field: the latest recorded in the run.
                self.recorded[f"{form}.{name}"] = value
                self.recorded_at[f"{form}.{name}"] = step
            case CallStarted(procedure=pid, args=args):
                self.frames.append(Frame(self.rulebook.procedure(pid), dict(args)))
            case CallReturned():
                self.frames.pop()
            case LaneStarted():
                self._lane_started(event)
            case LaneSwitched(lane=to):
                if not self.lanes[to].open:
                    raise ValueError(f"lane {to} has ended")
                self.lane = to
            case LaneEnded():
                self._lane_ended(event)
            case MilestoneReached():
                # A date given (`sop milestone`, a booked date ahead) or when the step was done.
                self.milestones[event.name] = event.date or at
                if event.dues is not None:  # given outside a step: its dates worked out again
                    self.top.dues = list(event.dues)
            case RunPaused():
                self.status = PAUSED
            case RunResumed():
                self.status = ACTIVE
            case RunInterrupted(by=by):
                self.status, self.waiting_for = WAITING, by
            case RunContinued():
                self.status, self.waiting_for = ACTIVE, None
            case RunFinished(outcome=outcome):
                self.status, self.outcome = FINISHED, outcome
                for each in self.lanes:
                    for f in each.frames:
                        f.dues = []
            case TurnTaken(person=person, binds=binds):
                # The person a step's turn took becomes the value its `as` names.
                if binds:
                    self.top.values[binds] = person
                self.top.turned = True
            case PeopleSigned(item=item, people=people):
                self.top.signed[-1 if item is None else item] = people
            case EvidenceAttached(item=item):
                self.top.evidenced.add(-1 if item is None else item)
            case NoteAdded() | RunWarning() | NoticeSending() | NoticeSent() | NoticeFailed():
                pass  # said in the record; the run's state is the same
            case _:
                assert_never(event)

    def _started(self, e: RunStarted) -> None:
        self.procedure_id = e.procedure
        self.frames = [Frame(self.rulebook.procedure(e.procedure), dict(e.preset))]
        self.interrupts = e.interrupts
        self.operator, self.site, self.started = e.operator, e.site, e
        if e.occurrence is not None:
            # Only an occurrence the pinned schedule has (a hand-edited one is
            # refused here, so `sop journal verify` names it).
            from engine.schedule import is_occurrence

            proc = self.frames[0].procedure
            if not is_occurrence(proc, self.rulebook.site, e.occurrence):
                raise ValueError(f"{proc.id} has no scheduled occurrence {e.occurrence!r}")

    def _lane_started(self, e: LaneStarted) -> None:
        """A branch of `parallel:` begins: a frame of its own, standing
        before `to` (or the callee's start) until its first step is entered."""
        if e.lane != len(self.lanes) or not 0 <= e.parent < e.lane or not 0 < e.fork <= e.lane:
            raise ValueError(f"lane {e.lane} cannot start here")
        parent = self.lanes[e.parent].frames[-1]
        if (parent.procedure.id, parent.step) != (e.procedure, e.step):
            raise ValueError(f"lane {e.lane} is started at {e.procedure}:{e.step}")
        if e.call is not None:
            frame = Frame(self.rulebook.procedure(e.call), dict(e.args))
        else:
            frame = Frame(parent.procedure, dict(parent.values), begins=e.to)
        way = self.rulebook.procedure(e.procedure).steps[e.step].exit
        joins_at = None
        if isinstance(way, Parallel) and way.at is not None:
            joins_at = (len(self.lanes[e.parent].frames) - 1, e.procedure, way.at.name)
        lane = Lane(e.lane, [frame], e.title, e.fork, e.parent, e.join, joins_at=joins_at)
        self.lanes.append(lane)

    def _lane_ended(self, e: LaneEnded) -> None:
        ended = self.lanes[e.lane]
        if not ended.open:
            raise ValueError(f"lane {e.lane} has ended already")
        ended.open, ended.cancelled = False, e.cancelled
        ended.outcome, ended.outcome_title = e.outcome, e.outcome_title
        for f in ended.frames:
            f.dues = []

    def _entered(self, e: StepEntered, at: str) -> None:
        from engine.runtime import machine

        top = self.top
        machine.arrive(top.procedure, top, e.step, top.begins)
        top.entered_at = at
        top.items, top.fields = {}, {}
        top.turned, top.signed, top.evidenced = False, {}, set()
        top.dues = list(e.dues)
        top.visits[e.step] = top.visits.get(e.step, 0) + 1
        top.answered, top.set_done = set(), False
        self.arrivals += 1
        top.arrival = self.arrivals

    def _moved(self, e: BranchTaken | ChoiceMade | StepTimedOut) -> None:
        """The top frame takes the recorded transition."""
        from engine.runtime import machine

        top = self.top
        procedure, step = e.procedure or top.procedure.id, e.step
        if (procedure, step) != (top.procedure.id, top.step):
            raise machine.NotAMove(
                machine.MOVES["elsewhere-run"],
                procedure=procedure,
                step=step,
                here=top.procedure.id,
                at=top.step,
            )
        match e:
            case BranchTaken():
                trigger = machine.ADVANCE
            case ChoiceMade():
                trigger = machine.choice_trigger(e.index)
            case StepTimedOut():
                trigger = machine.TIMEOUT
            case _:
                assert_never(e)
        machine.follow(top.procedure, top, trigger, e.index, e.to)

    def _corrected(self, e: AnswerCorrected) -> None:
        """The corrected value is used from now on where the answer still counts:
        an input of a frame still on the stack, a field of the step still open.
        An item is corrected only while its step is current (the runner
        offers no other): one that is not, or whose tick was not `before`,
        is not as sop writes (a replay and `sop journal verify` say so)."""
        match e.answer:
            case "item":
                top = self.top
                here = (len(self.frames) - 1, top.procedure.id, top.step)
                if e.index is None or (e.depth, e.procedure, e.step) != here:
                    raise ValueError(f"the item corrected is not of the current step {top.step}")
                if top.items.get(e.index, (None, None))[0] != e.before:
                    raise ValueError(f"item {e.index} of {top.step} was not {e.before!r}")
                if e.value not in ITEM_STATUSES or (e.value == "skipped" and not e.reason):
                    raise ValueError(f"an item cannot be corrected to {e.value!r}")
                top.items[e.index] = (e.value, e.reason)
            case "input":
                if e.depth < len(self.frames) and self.frames[e.depth].procedure.id == e.procedure:
                    self.frames[e.depth].values[e.name] = e.value
            case "field":
                key = (e.form, e.name)
                if e.form is not None and key in self.top.fields and self.top.step == e.step:
                    self.top.fields[(e.form, e.name)] = e.value
                read = f"{e.form}.{e.name}"
                if read in self.recorded and self.recorded_at.get(read) == e.step:
                    self.recorded[read] = e.value  # the latest recording is the one corrected
            case _:
                assert_never(e.answer)

    @property
    def subject(self) -> str | None:
        """Whom the run is about, from the inputs its procedure names in `subject`."""
        # The run's own, else a parallel branch's (a callback journey's customer).
        for lane in self.lanes:
            if not lane.frames:
                continue
            first = lane.frames[0]
            given = [first.values.get(r.name) for r in first.procedure.subject]
            said = " ".join(show(v) for v in given if v not in (None, ""))
            if said:
                return said
        return None

    def summary(self) -> RunUpdate:
        if not self.frames:
            return RunUpdate(self.status, outcome=self.outcome)
        top = self.top
        dues = [d for lane in self.lanes for f in lane.frames for d in f.dues]
        title = top.current.title if top.step else None
        return RunUpdate(self.status, top.step, title, self.outcome, dues, self.subject)


REPLAY_FAILED = message(
    "run.replay-failed",
    "运行 #{run} 的事件 #{seq} ({kind}) 无法在它保存的规则手册上重放 ({error}): "
    "日志可能被改动过。用 sop journal verify 检查",
    "run #{run}'s event #{seq} ({kind}) cannot be replayed on its pinned rulebook ({error}): "
    "the journal may have been altered. Check it with sop journal verify",
)


def replay(run_id: int, rulebook: Rulebook, events: Iterable[Event]) -> RunState:
    state = RunState(run_id, rulebook)
    for ev in events:
        try:
            state.apply(read(ev), ev.at)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError, JournalError) as exc:
            # Data no sop wrote under a hash that fits: said, not a crash.
            error = exc.message if isinstance(exc, JournalError) else f"{type(exc).__name__}: {exc}"
            raise JournalError(
                REPLAY_FAILED, run=run_id, seq=ev.seq, kind=ev.kind, error=error
            ) from exc
        state.last_seq = ev.seq
        if ev.kind not in NOTICE_KINDS:
            state.moved = ev.seq
    return state
