"""One `transitions.Machine` per procedure: steps are states, ways out are transitions.

This is the only module that imports `transitions`. Triggers:

- `advance`: an automatic `next`, and a `call` step's `next` once the callee
  returns; one transition per branch, in file order, so the first branch
  whose guard holds is the one taken (the last has no guard: the otherwise).
- `choose_<i>`: the i-th of a step's `choices`, guarded by its `when`.

Guards are Python closures over the parsed guard text, evaluated in the
sandbox and returning a real bool; nothing from YAML is ever a callback
name. `auto_transitions` is off: with it, transitions would add a `to_<x>`
trigger from every step to every other (quadratic, and not the procedure).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import assert_never

from transitions import Machine, State

from engine.model import Call, Choices, End, Expr, Next, Procedure

ADVANCE = "advance"


def choice_trigger(index: int) -> str:
    return f"choose_{index}"


@dataclass
class Firing:
    """The argument every guard and callback of one trigger receives:
    how to judge a guard now, and (filled in) which branch was taken."""

    judge: Callable[[Expr], bool]
    branch: int | None = None


class Position:
    """The model transitions moves: where one frame of a run is."""

    state: str


Guard = Callable[[Firing], bool]


def guard_for(expr: Expr) -> Guard:
    def holds(firing: Firing) -> bool:
        return firing.judge(expr)

    return holds


def _taken(index: int) -> Callable[[Firing], None]:
    def mark(firing: Firing) -> None:
        firing.branch = index

    return mark


def build_machine(proc: Procedure) -> Machine:
    states = [State(sid, final=isinstance(step.exit, End)) for sid, step in proc.steps.items()]
    machine = Machine(
        model=None, states=states, initial=proc.start.name, auto_transitions=False, send_event=False
    )
    for sid, step in proc.steps.items():
        way = step.exit
        match way:
            case Next(branches) | Call(next=Next(branches)):
                for i, branch in enumerate(branches):
                    machine.add_transition(
                        ADVANCE,
                        sid,
                        branch.to.name,
                        conditions=[guard_for(branch.when)] if branch.when else [],
                        after=[_taken(i)],
                    )
            case Choices(choices):
                for i, choice in enumerate(choices):
                    machine.add_transition(
                        choice_trigger(i),
                        sid,
                        choice.to.name,
                        conditions=[guard_for(choice.when)] if choice.when else [],
                        after=[_taken(i)],
                    )
            case End():
                pass
            case _:
                assert_never(way)
    return machine


@dataclass
class Machines:
    """Machines built on first use, one per procedure (by identity: a pinned
    rulebook and the current one may hold different procedures of one id)."""

    _built: dict[int, tuple[Procedure, Machine]] = field(default_factory=dict)

    def of(self, proc: Procedure) -> Machine:
        entry = self._built.get(id(proc))
        if entry is None:
            entry = (proc, build_machine(proc))
            self._built[id(proc)] = entry
        return entry[1]

    def position(self, proc: Procedure, step: str) -> Position:
        pos = Position()
        self.of(proc).add_model(pos, initial=step)
        return pos

    def release(self, proc: Procedure, pos: Position) -> None:
        self.of(proc).remove_model(pos)

    def fire(self, proc: Procedure, pos: Position, trigger: str, firing: Firing) -> str | None:
        """Fire `trigger` from the position's step; the step it moved to, or
        None when no guard held. A `NeedInput` from a guard leaves it unmoved."""
        moved: bool = pos.trigger(trigger, firing)  # type: ignore[attr-defined]
        return pos.state if moved else None

    def place(self, proc: Procedure, pos: Position, step: str) -> None:
        """Put a position where the journal says the frame is."""
        if pos.state != step:
            self.of(proc).set_state(step, model=pos)
