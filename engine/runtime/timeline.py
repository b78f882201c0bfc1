"""One journey as its customer lived it: stages in order, each touchpoint
done (when), due, overdue, waiting or still ahead — what `sop show` prints
for a `kind: journey` run.

Touchpoints ahead are dated from the milestones known so far (a planned
handover dates the reminders before it); those hanging on a milestone with
no date yet show the rule instead ("入住日后 3 个月").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, assert_never

from engine.journal import Event
from engine.model import Procedure, Rulebook
from engine.runtime.dues import day_of, touchpoint
from engine.runtime.events import (
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
from engine.runtime.state import FINISHED, RunState

TouchState = Literal["done", "overdue", "due", "waiting", "ahead", "passed"]


@dataclass(frozen=True, slots=True)
class Touch:
    step: str
    title: str
    role_title: str | None
    state: TouchState
    done_at: str | None = None  # when the step was completed
    due: date | datetime | None = None
    rule: str = ""  # 签约日后 7 天; empty when the step has no date of its own
    anchor: str = ""  # the milestone the rule hangs on: 签约日
    days: int | None = None  # due date minus today (negative: overdue)


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    touches: tuple[Touch, ...]


@dataclass(frozen=True, slots=True)
class MilestoneDate:
    name: str
    title: str
    date: str | None  # None: not reached and not planned
    planned: bool


@dataclass(frozen=True, slots=True)
class Timeline:
    subject: str | None
    stages: tuple[Stage, ...]
    milestones: tuple[MilestoneDate, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "customer": self.subject,
            "milestones": [
                {"name": m.name, "title": m.title, "date": m.date, "planned": m.planned}
                for m in self.milestones
            ],
            "stages": [
                {
                    "stage": s.name,
                    "touchpoints": [
                        {
                            "step": t.step,
                            "title": t.title,
                            "role": t.role_title,
                            "state": t.state,
                            "done_at": t.done_at,
                            "due": t.due.isoformat() if t.due is not None else None,
                            "rule": t.rule or None,
                        }
                        for t in s.touches
                    ],
                }
                for s in self.stages
            ],
        }


def _left_at(proc: Procedure, events: list[Event]) -> dict[str, str]:
    """When each of the journey's own steps was last completed: the moment
    the run moved on from it (to its next step, a call, or the end)."""
    out: dict[str, str] = {}
    current: str | None = None
    for e in events:
        event = read(e)
        match event:
            case StepEntered():
                if event.procedure == proc.id:
                    if current is not None:
                        out[current] = e.at
                    current = event.step
            case CallStarted() | RunFinished():
                if current is not None:
                    out[current] = e.at
                    current = None
            case (
                RunStarted()
                | InputAnswered()
                | ItemChecked()
                | FieldRecorded()
                | AnswerCorrected()
                | ValueSet()
                | ChoiceMade()
                | BranchTaken()
                | StepTimedOut()
                | CallReturned()
                | LaneStarted()
                | LaneSwitched()
                | LaneEnded()
                | MilestoneReached()
                | NoteAdded()
                | RunWarning()
                | RunPaused()
                | RunResumed()
                | RunInterrupted()
                | RunContinued()
                | TurnTaken()
                | PeopleSigned()
                | EvidenceAttached()
                | NoticeSending()
                | NoticeSent()
                | NoticeFailed()
            ):
                pass  # the step is left only by the next step, a call or the end
            case _:
                assert_never(event)
    return out


def journey_timeline(
    rulebook: Rulebook, state: RunState, events: list[Event], now: datetime
) -> Timeline:
    proc = state.frames[0].procedure if state.frames else state.procedure
    left = _left_at(proc, events)
    finished = state.status == FINISHED
    current = state.frames[0].step if state.frames and not finished else None
    order = list(proc.steps)
    here = order.index(current) if current in order else len(order)
    if finished and events:
        now = datetime.fromisoformat(events[-1].at)  # as it stood when it ended
    today = now.date()
    touches: dict[str, list[Touch]] = {}
    for i, (sid, step) in enumerate(proc.steps.items()):
        role = rulebook.roles.get(step.role.name) if step.role else None
        tp = touchpoint(proc, step, state.milestones)
        due = tp.when if tp else None
        days = None
        if due is not None:
            days = ((due.date() if isinstance(due, datetime) else due) - today).days
        touch_state: TouchState
        if sid == current:
            if tp is not None and due is None:
                touch_state = "waiting"
            elif days is not None and days < 0:
                touch_state = "overdue"
            elif days is not None and days > 0:
                touch_state = "waiting"
            else:
                touch_state = "due"
        elif sid in left:
            touch_state = "done"
        elif i > here:
            touch_state = "ahead"
        else:
            touch_state = "passed"
        touches.setdefault(step.stage or "—", []).append(
            Touch(
                sid,
                step.title,
                role.name if role else None,
                touch_state,
                left.get(sid),
                due,
                tp.text if tp else "",
                tp.anchor_title if tp else "",
                days,
            )
        )
    milestones = tuple(
        MilestoneDate(
            m.name,
            m.title,
            state.milestones.get(m.name),
            m.name in state.milestones and day_of(state.milestones[m.name]) > today,
        )
        for m in proc.milestones.values()
    )
    return Timeline(
        state.subject,
        tuple(Stage(name, tuple(ts)) for name, ts in touches.items()),
        milestones,
    )
