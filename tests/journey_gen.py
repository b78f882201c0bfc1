"""Many customer journeys in one journal, for the call-list test and benchmark.

Each journey of `vanke-6plus2` is walked in-process by a driver that answers
everything (items done, sample values, the first choice) while the clock moves
forward a random number of days at each step, and stops at a chosen arrival.
Besides the journal, the generator writes down what it did — the site, the
customer, the step it stopped at, and the milestone dates as the rules of the
language say they come about — so that a test can work out the call list on
its own, without the engine's date code.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from engine.journal import Journal
from engine.runtime.dues import Reminder
from engine.runtime.pinning import Pinned, pin
from engine.runtime.prompts import (
    ChoiceQuestion,
    Command,
    FieldQuestion,
    Given,
    Header,
    InputQuestion,
    ItemAnswer,
    ItemQuestion,
    Question,
    Reply,
    View,
    WaitQuestion,
)
from engine.runtime.runner import Runner
from engine.runtime.values import parse, sample
from engine.source import load_file

ROOT = Path(__file__).resolve().parent.parent
SOPS = ROOT / "sops"
JOURNEY = "vanke-6plus2"
CST = timezone(timedelta(hours=8))
SITES = ("翠湖天地一期", "滨江花园")
# Arrivals (on the path the driver takes) at steps dated by a milestone:
# deposit_sms, signing, signing_revisit, handover, handover_revisit, move_in,
# three_month_plan, one_year_check, warranty_reminder.
DATED = (4, 5, 6, 12, 14, 15, 16, 21, 22)


@dataclass
class Plan:
    """One journey as generated."""

    site: str
    customer: str
    phone: str
    start: datetime
    stop_at: int  # the arrival (1-based) at which it pauses
    planned: dict[str, str]  # milestone dates given at the start
    gaps: list[int]  # days the clock moves at each arrival
    # Filled in while walking:
    run: int = 0
    stopped: str = ""  # the step it stopped at
    milestones: dict[str, str] = field(default_factory=dict)  # name -> YYYY-MM-DD


class AutoDriver:
    def __init__(self, plan: Plan, yaml_steps: dict[str, Any]) -> None:
        self.plan = plan
        self.now = plan.start
        self.arrivals = 0
        self.step = ""
        self.steps = yaml_steps
        self.milestones = dict(plan.planned)

    def clock(self) -> datetime:
        return self.now

    def show(self, view: View) -> None:
        if not isinstance(view, Header) or view.procedure != JOURNEY:
            return
        if self.step:
            self._left(self.step)
        self.arrivals += 1
        self.step = view.step_id
        if self.arrivals <= len(self.plan.gaps):
            self.now += timedelta(days=self.plan.gaps[self.arrivals - 1])

    def _left(self, step: str) -> None:
        """The language's rule: a step that marks a milestone records today,
        unless a date on or before today was given for it already."""
        name = self.steps[step].get("milestone")
        if name is None:
            return
        known = self.milestones.get(name)
        today = self.now.date().isoformat()
        if known is None or known > today:
            self.milestones[name] = today

    def ask(self, question: Question, reminders: Sequence[Reminder], now: datetime) -> Reply:
        if self.arrivals >= self.plan.stop_at:
            self.plan.stopped = self.step
            return Command("pause")
        if isinstance(question, InputQuestion):
            name = question.spec.name
            raw = {"customer": self.plan.customer, "phone": self.plan.phone}.get(name)
            if raw is None:
                raw = sample(question.spec, now)
            return Given(parse(question.spec, raw, now))
        if isinstance(question, FieldQuestion):
            return Given(parse(question.spec, sample(question.spec, now), now))
        if isinstance(question, ItemQuestion):
            return ItemAnswer("done")
        if isinstance(question, ChoiceQuestion | WaitQuestion):
            return Given(0 if isinstance(question, ChoiceQuestion) else True)
        raise AssertionError(f"unexpected question {question!r}")


def journey_steps() -> dict[str, Any]:
    """The journey's steps as written (sop's loader: PyYAML misreads `?}`)."""
    loaded = load_file(str(SOPS / f"{JOURNEY}.yaml"))
    assert loaded.document is not None
    steps: dict[str, Any] = loaded.document.data["steps"]
    return steps


def plans(n: int, seed: int, around: date) -> list[Plan]:
    """Journeys that began up to two years before `around`, some with a
    planned handover (a month-end now and then, for months arithmetic)."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        start = datetime.combine(around - timedelta(days=rnd.randint(0, 730)), datetime.min.time())
        start = start.replace(hour=10, tzinfo=CST)
        planned: dict[str, str] = {}
        if rnd.random() < 0.4:
            year = start.year + rnd.randint(1, 2)
            month = rnd.randint(1, 12)
            last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
            planned["handover"] = date(year, month, rnd.choice([1, 15, 28, last])).isoformat()
        if rnd.random() < 0.3:
            planned["warranty_end"] = date(start.year + 3, 1, 31).isoformat()
        out.append(
            Plan(
                site=SITES[i % len(SITES)],
                customer=f"客户{i:05d}",
                phone=f"139{i:08d}",
                start=start,
                # Mostly at touchpoints with a date, to fill the list.
                stop_at=rnd.choice(DATED) if rnd.random() < 0.7 else rnd.randint(2, 24),
                planned=planned,
                gaps=[rnd.choice([0, 0, 1, 3, 7, 20, 45]) for _ in range(30)],
            )
        )
    return out


def walk(journal: Journal, plans_: Sequence[Plan], pinned: Pinned | None = None) -> Pinned:
    pinned = pinned or pin(str(SOPS))
    steps = journey_steps()
    for plan in plans_:
        driver = AutoDriver(plan, steps)
        runner = Runner(journal, driver, clock=driver.clock, site=plan.site)
        outcome = runner.start(pinned, JOURNEY, {}, dict(plan.planned))
        plan.run = outcome.run
        plan.milestones = driver.milestones
    return pinned
