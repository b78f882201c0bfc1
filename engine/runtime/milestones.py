"""Journey milestones given a date: from a prompt, a scenario, `sop run
--milestone` or `sop milestone RUN NAME DATE`.

A date may lie ahead (a booked signing, the planned handover, the warranty's
end): touchpoints `before` it then fall due ahead of it. Giving a date again
corrects it. The current step's deadlines are worked out again in the same
event, so `sop due` is right at once.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from engine import i18n
from engine.errors import RUN_NOT_FOUND, RunError
from engine.i18n import message
from engine.journal import Journal
from engine.model import Milestone, Procedure
from engine.runtime.dues import day_of, step_dues
from engine.runtime.events import MilestoneReached
from engine.runtime.recorder import Active, Recorder, load_run
from engine.runtime.state import FINISHED as FINISHED_STATUS
from engine.runtime.values import BadValue, Spec, parse

NO_MILESTONES = message(
    "milestone.none",
    "「{title}」没有里程碑: m 只用于客户旅程, 记录落定日、签约日这样的日期",
    '"{title}" has no milestones: m is for customer journeys, to record dates such as signing',
)
UNKNOWN_MILESTONE = message(
    "milestone.unknown",
    '没有里程碑 "{name}"。{hint}可用的里程碑: {known}',
    'there is no milestone "{name}". {hint}milestones: {known}',
)
DID_YOU_MEAN = message("milestone.did-you-mean", '是不是 "{near}"? ', 'did you mean "{near}"? ')
BAD_DATE = message(
    "milestone.bad-date",
    '{title}的日期 "{value}" 不对: {why}',
    'the date "{value}" for {title}: {why}',
)
FINISHED = message(
    "milestone.finished",
    "运行 {run} ({title}) 已结束, 不能再记录里程碑",
    "run {run} ({title}) has finished; it takes no more milestones",
)


def find_milestone(journey: Procedure, name: str) -> Milestone:
    """By name (signed) or title (签约日), or the one title that starts so (签约)."""
    for m in journey.milestones.values():
        if name in (m.name, m.title):
            return m
    starts = [m for m in journey.milestones.values() if name and m.title.startswith(name)]
    if len(starts) == 1:
        return starts[0]
    titles = [m.title for m in journey.milestones.values()]
    if not titles:
        raise RunError(NO_MILESTONES, title=journey.title)
    near = difflib.get_close_matches(name, [*titles, *journey.milestones], n=1)
    hint = DID_YOU_MEAN.say(near=near[0]) if near else ""
    raise RunError(UNKNOWN_MILESTONE, name=name, hint=hint, known=", ".join(titles))


def check_milestone(
    journey: Procedure, name: str, raw: Any, now: datetime
) -> tuple[Milestone, str]:
    """The milestone named and its date as ISO text, or a RunError saying what is wrong."""
    m = find_milestone(journey, name)
    try:
        return m, str(parse(Spec(m.name, m.title, "date"), raw, now))
    except BadValue as exc:
        raise RunError(BAD_DATE, title=m.title, value=raw, why=exc.text(i18n.current())) from None


def given_milestone(rec: Recorder, active: Active, name: str, raw: Any) -> MilestoneReached:
    """The milestone `name` given the date `raw`, with the current step's dates worked out again."""
    st = active.state
    now = rec.clock()
    m, when = check_milestone(st.frames[0].procedure, name, raw, now)
    top = st.top
    dues: list[dict[str, Any]] = []
    if top.step is not None:
        entered = datetime.fromisoformat(top.entered_at) if top.entered_at else now
        milestones = {**st.milestones, m.name: when}
        dues = step_dues(active.pinned.rulebook, top.procedure, top.current, entered, milestones)
    return MilestoneReached(
        name=m.name,
        title=m.title,
        date=when,
        planned=day_of(when) > now.date(),
        corrects=st.milestones.get(m.name),
        dues=tuple(dues),
    )


def record_milestone(
    journal: Journal,
    run_id: int,
    name: str,
    raw: str,
    clock: Callable[[], datetime],
    operator: str | None = None,
) -> tuple[Active, MilestoneReached]:
    """Give a date to a milestone of a run outside a session (`sop milestone`)."""
    row = journal.run(run_id)
    if row is None:
        raise RunError(RUN_NOT_FOUND, run=run_id)
    if row.status == FINISHED_STATUS:
        raise RunError(FINISHED, run=run_id, title=row.title)
    active = load_run(journal, run_id)
    assert active is not None
    rec = Recorder(journal, clock, operator)
    given = given_milestone(rec, active, name, raw)
    rec.record(active, given)
    return active, given
