"""`timeout:` — a step whose `within` or `due` has passed moves its run to
the step named, with a `step.timed_out` event (the source's 超时升级).

The move is made by whoever meets the run first once the deadline has
passed: the runner at its next prompt (a resumed run's first prompt too),
or `sop notify` for a paused run (an active run is left to its session,
which moves it at its next prompt: two writers never race for a run)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.errors import JournalConflict, SopError
from engine.journal import Damaged, Journal
from engine.runtime.dues import reminder
from engine.runtime.events import Stamped, StepTimedOut
from engine.runtime.recorder import Active, Recorder, load_run
from engine.runtime.state import ACTIVE, PAUSED


@dataclass(frozen=True, slots=True)
class TimedOut:
    """A run moved by its timeout: from which step, to which, past which deadline."""

    run: int
    step_title: str
    to_title: str
    text: str


def overdue(active: Active, now: datetime) -> dict[str, Any] | None:
    """The passed deadline (`within` or `due`) of a top step that has `timeout:`."""
    st = active.state
    if not st.frames or st.top.step is None:
        return None
    frame = st.top
    step = frame.current
    if step.timeout is None or step.timeout.name not in frame.procedure.steps:
        return None
    for due in frame.dues:
        if due.get("kind") in ("within", "due") and reminder(st.run_id, due, now, True).overdue:
            return due
    return None


def time_out(rec: Recorder, active: Active, now: datetime) -> TimedOut | None:
    """Move the run if its top step is past its deadline: the events are
    committed (and folded) here; None when it is not due to move."""
    late = overdue(active, now)
    if late is None:
        return None
    frame = active.state.top
    step = frame.current
    assert step.timeout is not None
    target = step.timeout.name
    moved: Stamped = rec.draft(
        StepTimedOut(
            procedure=frame.procedure.id,
            step=step.id,
            to=target,
            index=0,
            due=str(late["due"]),
            text=late.get("text"),
        )
    )
    rec.commit(active, [moved, rec.entered(active, frame.procedure, target)])
    text = str(late.get("text") or "")
    return TimedOut(active.state.run_id, step.title, frame.procedure.steps[target].title, text)


def time_out_paused(journal: Journal, now: datetime, actor: str) -> list[TimedOut]:
    """`sop notify`: move every paused run whose step is past its deadline
    and has `timeout:` (so the messages that follow are about the step it is
    at now). A run written meanwhile by someone else is left to them."""
    rec = Recorder(journal, lambda: now, actor)
    seen: set[int] = set()
    out: list[TimedOut] = []
    for row in journal.dues(now.date().isoformat()):
        if isinstance(row, Damaged) or row.run.id in seen or row.run.status != PAUSED:
            continue
        if not row.due.get("timeout"):
            continue
        seen.add(row.run.id)
        try:
            active = load_run(journal, row.run.id)
            if active is None:
                continue
            status = active.state.status
            active.state.status = ACTIVE  # judged as if at its prompt; written as it was
            late = overdue(active, now)
            active.state.status = status
            if late is None:
                continue
            moved = time_out(rec, active, now)
        except (JournalConflict, SopError):
            continue  # written meanwhile, or not readable: verify and the session say so
        if moved is not None:
            out.append(moved)
    return out
