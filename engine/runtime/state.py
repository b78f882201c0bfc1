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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from engine.errors import JournalError
from engine.i18n import message
from engine.journal import Event, RunUpdate
from engine.model import Procedure, Rulebook, Step
from engine.runtime.values import show

# Event kinds, in the order a run usually meets them.
RUN_STARTED = "run.started"
STEP_ENTERED = "step.entered"
INPUT_ANSWERED = "input.answered"
ITEM_CHECKED = "item.checked"
FIELD_RECORDED = "field.recorded"
CHOICE_MADE = "choice.made"
BRANCH_TAKEN = "branch.taken"
CALL_STARTED = "call.started"
CALL_RETURNED = "call.returned"
MILESTONE_REACHED = "milestone.reached"
NOTE_ADDED = "note.added"
WARNING = "warning"
RUN_PAUSED = "run.paused"
RUN_RESUMED = "run.resumed"
RUN_INTERRUPTED = "run.interrupted"
RUN_CONTINUED = "run.continued"
RUN_FINISHED = "run.finished"
ANSWER_CORRECTED = "answer.corrected"  # an earlier answer given again: appended, never an edit
TURN_TAKEN = "turn.taken"  # a step's turn in a queue (the queue's own stream has its side)
PEOPLE_SIGNED = "people.signed"  # the names of who did a step or an item (`person:`)

ACTIVE, PAUSED, WAITING, FINISHED = "active", "paused", "waiting", "finished"


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
    turned: bool = False  # the step's turn was taken at this arrival
    signed: dict[int, tuple[str, ...]] = field(default_factory=dict)  # do index (-1: step) -> names

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
        )


@dataclass
class RunState:
    run_id: int
    rulebook: Rulebook
    frames: list[Frame] = field(default_factory=list)
    status: str = ACTIVE
    last_seq: int = 0
    procedure_id: str = ""
    interrupts: int | None = None  # the run this emergency interrupted
    waiting_for: int | None = None  # the emergency this run waits for
    outcome: str | None = None
    milestones: dict[str, str] = field(default_factory=dict)
    operator: str | None = None
    site: str | None = None
    started: Mapping[str, Any] = field(default_factory=dict)
    arrivals: int = 0  # steps entered in the run so far: each arrival has its own number

    @property
    def top(self) -> Frame:
        return self.frames[-1]

    @property
    def procedure(self) -> Procedure:
        return self.rulebook.procedure(self.procedure_id)

    def copy(self) -> RunState:
        return replace(
            self, frames=[f.copy() for f in self.frames], milestones=dict(self.milestones)
        )

    def apply(self, kind: str, data: Mapping[str, Any], at: str) -> None:
        handler = _HANDLERS.get(kind)
        if handler is not None:
            handler(self, data, at)

    @property
    def subject(self) -> str | None:
        """Whom the run is about, from the inputs its procedure names in `subject`."""
        if not self.frames:
            return None
        first = self.frames[0]
        given = [first.values.get(r.name) for r in first.procedure.subject]
        return " ".join(show(v) for v in given if v not in (None, "")) or None

    def summary(self) -> RunUpdate:
        if not self.frames:
            return RunUpdate(self.status, outcome=self.outcome)
        top = self.top
        dues = [d for f in self.frames for d in f.dues]
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
            state.apply(ev.kind, ev.data, ev.at)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError, JournalError) as exc:
            # Data no sop wrote under a hash that fits: said, not a crash.
            error = exc.message if isinstance(exc, JournalError) else f"{type(exc).__name__}: {exc}"
            raise JournalError(
                REPLAY_FAILED, run=run_id, seq=ev.seq, kind=ev.kind, error=error
            ) from exc
        state.last_seq = ev.seq
    return state


def _started(s: RunState, d: Mapping[str, Any], at: str) -> None:
    s.procedure_id = d["procedure"]
    s.frames = [Frame(s.rulebook.procedure(d["procedure"]), dict(d.get("set", {})))]
    s.interrupts = d.get("interrupts")
    s.operator, s.site, s.started = d.get("operator"), d.get("site"), d


def _entered(s: RunState, d: Mapping[str, Any], at: str) -> None:
    from engine.runtime import machine

    top = s.top
    machine.arrive(top.procedure, top, d["step"])
    top.entered_at = at
    top.items, top.fields = {}, {}
    top.turned, top.signed = False, {}
    top.dues = list(d.get("dues", ()))
    s.arrivals += 1


def _moved(trigger: str) -> Any:
    """`branch.taken` / `choice.made`: the top frame takes the recorded transition."""

    def move(s: RunState, d: Mapping[str, Any], at: str) -> None:
        from engine.runtime import machine

        top = s.top
        procedure, step = d.get("procedure", top.procedure.id), d.get("step", top.step)
        if (procedure, step) != (top.procedure.id, top.step):
            raise machine.NotAMove(
                machine.MOVES["elsewhere-run"],
                procedure=procedure,
                step=step,
                here=top.procedure.id,
                at=top.step,
            )
        index = int(d["index"])
        name = machine.ADVANCE if trigger == BRANCH_TAKEN else machine.choice_trigger(index)
        machine.follow(top.procedure, top, name, index, d["to"])

    return move


def _input(s: RunState, d: Mapping[str, Any], at: str) -> None:
    # A caller's input can be asked while its callee ends (for the caller's `next`).
    s.frames[int(d.get("depth", -1))].values[d["name"]] = d["value"]


def _item(s: RunState, d: Mapping[str, Any], at: str) -> None:
    s.top.items[int(d["index"])] = (d["status"], d.get("reason"))


def _field(s: RunState, d: Mapping[str, Any], at: str) -> None:
    s.top.fields[(d["form"], d["field"])] = d["value"]


def _corrected(s: RunState, d: Mapping[str, Any], at: str) -> None:
    """The corrected value is used from now on where the answer still counts:
    an input of a frame still on the stack, a field of the step still open."""
    if d["kind"] == "input":
        depth = int(d.get("depth", 0))
        if depth < len(s.frames) and s.frames[depth].procedure.id == d.get("procedure"):
            s.frames[depth].values[d["name"]] = d["value"]
    elif d["kind"] == "field":
        key = (d["form"], d["name"])
        if key in s.top.fields and s.top.step == d.get("step"):
            s.top.fields[key] = d["value"]


def _turn(s: RunState, d: Mapping[str, Any], at: str) -> None:
    """The person a step's turn took becomes the value its `as` names."""
    person = d["person"]
    if not isinstance(person, str) or not person:
        raise ValueError("turn.taken: no person")
    if d.get("as"):
        s.top.values[d["as"]] = person
    s.top.turned = True


def _signed(s: RunState, d: Mapping[str, Any], at: str) -> None:
    people = d["people"]
    if not isinstance(people, list) or not all(isinstance(p, str) and p for p in people):
        raise ValueError("people.signed: not a list of names")
    item = d.get("item")
    s.top.signed[-1 if item is None else int(item)] = tuple(people)


def _call(s: RunState, d: Mapping[str, Any], at: str) -> None:
    s.frames.append(Frame(s.rulebook.procedure(d["procedure"]), dict(d.get("with", {}))))


def _returned(s: RunState, d: Mapping[str, Any], at: str) -> None:
    s.frames.pop()


def _milestone(s: RunState, d: Mapping[str, Any], at: str) -> None:
    # A date given (`sop milestone`, a booked date ahead) or the moment the step was done.
    s.milestones[d["name"]] = d.get("date") or at
    if "dues" in d:  # recorded outside a step: the current step's dates, worked out again
        s.top.dues = list(d["dues"])


def _status(status: str) -> Any:
    def set_status(s: RunState, d: Mapping[str, Any], at: str) -> None:
        s.status = status

    return set_status


def _interrupted(s: RunState, d: Mapping[str, Any], at: str) -> None:
    s.status, s.waiting_for = WAITING, d["by"]


def _continued(s: RunState, d: Mapping[str, Any], at: str) -> None:
    s.status, s.waiting_for = ACTIVE, None


def _finished(s: RunState, d: Mapping[str, Any], at: str) -> None:
    s.status, s.outcome = FINISHED, d.get("outcome")
    for f in s.frames:
        f.dues = []


_HANDLERS = {
    RUN_STARTED: _started,
    STEP_ENTERED: _entered,
    BRANCH_TAKEN: _moved(BRANCH_TAKEN),
    CHOICE_MADE: _moved(CHOICE_MADE),
    INPUT_ANSWERED: _input,
    ANSWER_CORRECTED: _corrected,
    ITEM_CHECKED: _item,
    FIELD_RECORDED: _field,
    CALL_STARTED: _call,
    TURN_TAKEN: _turn,
    PEOPLE_SIGNED: _signed,
    CALL_RETURNED: _returned,
    MILESTONE_REACHED: _milestone,
    RUN_PAUSED: _status(PAUSED),
    RUN_RESUMED: _status(ACTIVE),
    RUN_INTERRUPTED: _interrupted,
    RUN_CONTINUED: _continued,
    RUN_FINISHED: _finished,
}
