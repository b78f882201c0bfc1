"""A procedure as a state machine (`transitions`): how a frame of a run moves.

This is the only module that imports `transitions`. Each procedure has one
`Machine`, built on first use: its states are the steps, its transitions the
ways out (`Step.exit`) —

- `advance`: the branches of a `Next`, and of a `Call`'s next once the
  callee has returned; one transition per branch, in file order, so the
  first whose guard holds is taken (the last has no guard: the otherwise);
- `choose_<i>`: the i-th of a step's `Choices`, guarded by its `when`;
- `timeout`: a step's `timeout:` target, taken once its deadline passed;
- a step that ends (`End`) is a final state.

The model the machines move is a frame of a run (`state.Frame`, whose
`step` is the machine's model attribute): the fold moves a frame only by
firing the transition an event records (`follow`, for `branch.taken` and
`choice.made`) and takes a `step.entered` only where that move led
(`arrive`). So a journal can move a run only along its procedure's own
transitions: an event naming a move the procedure does not have is
damage, which the replay refuses and `sop journal verify` reports. The
runner decides a live move (`decide`) by firing the same trigger with the
guards judged now, on a probe standing at the frame's step: the frame
itself moves only when the event is committed and folded, so what the
runner holds is always what the journal says.

Guards are Python closures over the procedure's `Expr`s, judged by the
caller (engine.expressions underneath); nothing from YAML is ever a
callback name. `auto_transitions` is off: with it, transitions would add a
`to_<x>` trigger from every step to every other (quadratic, and not the
procedure).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, assert_never

from transitions import Machine, State

from engine.errors import JournalError
from engine.i18n import messages
from engine.model import Call, Choices, End, Expr, Next, Parallel, Procedure

ADVANCE = "advance"
TIMEOUT = "timeout"  # a step's `timeout:`: its deadline passed
_KEEP = 64  # machines kept (by procedure): a session and a verify use a few


def choice_trigger(index: int) -> str:
    return f"choose_{index}"


class Position(Protocol):
    """What a machine moves: a frame of a run, or the runner's probe."""

    step: str | None


@dataclass
class Firing:
    """The argument every condition and callback of one firing receives.

    Live (`judge` given): a transition is admitted when its guard holds now.
    Replayed (`recorded` given): only the transition the journal recorded is
    admitted, and no guard is judged again (a guard on `hour` must not send
    a resumed run somewhere it did not go). `taken` is filled in."""

    judge: Callable[[Expr], bool] | None = None
    recorded: int | None = None
    taken: int | None = None

    def admits(self, index: int, guard: Expr | None) -> bool:
        if self.judge is None:
            return index == self.recorded
        return guard is None or self.judge(guard)


def _condition(index: int, guard: Expr | None) -> Callable[[Firing], bool]:
    def admitted(firing: Firing) -> bool:
        return firing.admits(index, guard)

    return admitted


def _taken(index: int) -> Callable[[Firing], None]:
    def mark(firing: Firing) -> None:
        firing.taken = index

    return mark


def build_machine(proc: Procedure) -> Machine:
    states = [State(sid, final=isinstance(step.exit, End)) for sid, step in proc.steps.items()]
    machine = Machine(
        model=None,
        states=states,
        initial=proc.start.name,
        auto_transitions=False,
        send_event=False,
        model_attribute="step",
        ignore_invalid_triggers=True,  # a step without that way out: not moved
    )

    def add(trigger: str, source: str, index: int, to: str, guard: Expr | None) -> None:
        machine.add_transition(
            trigger,
            source,
            to,
            conditions=[_condition(index, guard)],
            after=[_taken(index)],
        )

    for sid, step in proc.steps.items():
        if step.timeout is not None and step.timeout.name in proc.steps:
            add(TIMEOUT, sid, 0, step.timeout.name, None)
        way = step.exit
        match way:
            case Next(branches) | Call(next=Next(branches)) | Parallel(next=Next(branches)):
                for i, branch in enumerate(branches):
                    add(ADVANCE, sid, i, branch.to.name, branch.when)
            case Choices(choices):
                for i, choice in enumerate(choices):
                    add(choice_trigger(i), sid, i, choice.to.name, choice.when)
            case End():
                pass
            case _:
                assert_never(way)
    return machine


_built: OrderedDict[int, tuple[Procedure, Machine]] = OrderedDict()


def machine_for(proc: Procedure) -> Machine:
    """The procedure's machine, built once (by identity: a pinned rulebook and
    the current one may hold different procedures of one id)."""
    entry = _built.get(id(proc))
    if entry is None or entry[0] is not proc:
        entry = _built[id(proc)] = (proc, build_machine(proc))
        while len(_built) > _KEEP:
            _built.popitem(last=False)
    else:
        _built.move_to_end(id(proc))
    return entry[1]


def _fire(proc: Procedure, position: Position, trigger: str, firing: Firing) -> bool:
    if position.step not in proc.steps:
        return False
    event: Any = machine_for(proc).events.get(trigger)
    return event is not None and bool(event.trigger(position, firing))


@dataclass
class _Probe:
    step: str | None


def decide(
    proc: Procedure, step: str, trigger: str, judge: Callable[[Expr], bool]
) -> tuple[str, int] | None:
    """Where `trigger` leads from `step` with the guards judged now: the step
    and the index of the transition taken; None when no guard holds. A
    `NeedInput` (a `scope.Need`) from a guard goes to the caller."""
    probe = _Probe(step)
    firing = Firing(judge=judge)
    if not _fire(proc, probe, trigger, firing) or firing.taken is None or probe.step is None:
        return None
    return probe.step, firing.taken


MOVES = messages(
    "journal.move",
    {
        "unknown": (
            '流程 {procedure} 的步骤 "{step}" 没有第 {n} 个 {key} 去向',
            'step "{step}" of procedure {procedure} has no {key} way out number {n}',
        ),
        "elsewhere": (
            '流程 {procedure} 的步骤 "{step}" 的第 {n} 个 {key} 去向通往 "{goes}", '
            '事件却写着 "{to}"',
            'way out number {n} ({key}) of step "{step}" of procedure {procedure} leads to '
            '"{goes}", but the event says "{to}"',
        ),
        "start": (
            '流程 {procedure} 从步骤 "{start}" 开始, 事件却写着 "{step}"',
            'procedure {procedure} starts at step "{start}", but the event says "{step}"',
        ),
        "unmoved": (
            '运行在步骤 "{at}", 没有任何去向就进入了步骤 "{step}" (流程 {procedure})',
            'the run is at step "{at}" and enters step "{step}" without a way out leading '
            "there (procedure {procedure})",
        ),
        "elsewhere-run": (
            '事件写的是流程 {procedure} 的步骤 "{step}", 运行此时却在流程 {here} 的步骤 "{at}"',
            'the event is about step "{step}" of procedure {procedure}, but the run is at '
            'step "{at}" of procedure {here}',
        ),
    },
)


class NotAMove(JournalError):
    """An event moves a frame in a way its procedure does not allow: the
    journal was altered (or written by something other than sop)."""


def follow(proc: Procedure, frame: Position, trigger: str, index: int, to: str) -> None:
    """Move a frame as an event recorded it: the recorded transition, no
    guard judged again. `NotAMove` when the procedure has no such move."""
    at = frame.step
    key = "next" if trigger == ADVANCE else "timeout" if trigger == TIMEOUT else "choices"
    where = {"procedure": proc.id, "step": at, "n": index + 1, "key": key}
    if not _fire(proc, frame, trigger, Firing(recorded=index)):
        raise NotAMove(MOVES["unknown"], **where)
    if frame.step != to:
        raise NotAMove(MOVES["elsewhere"], **where, goes=frame.step, to=to)


def arrive(proc: Procedure, frame: Position, step: str, begins: str | None = None) -> None:
    """A step entered: a new frame's first step is its procedure's start (a
    `parallel:` branch's frame: `begins`, its own first step); any other
    arrival is where the last move led."""
    if frame.step is None:
        first = begins or proc.start.name
        if step != first:
            raise NotAMove(MOVES["start"], procedure=proc.id, start=first, step=step)
        machine_for(proc).set_state(step, model=frame)
    elif frame.step != step:
        raise NotAMove(MOVES["unmoved"], procedure=proc.id, at=frame.step, step=step)
