"""A session that holds at every question (a web page: one request per
answer) records the same run as one that answers them all at once, and
`carry_on` journals nothing for taking a run up again."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from engine.journal import Journal
from engine.runtime import state as ev
from engine.runtime.dues import Reminder
from engine.runtime.events import EventKind
from engine.runtime.pinning import pin
from engine.runtime.prompts import (
    ChoiceQuestion,
    Command,
    EmergencyQuestion,
    FieldQuestion,
    Given,
    InputQuestion,
    ItemAnswer,
    ItemQuestion,
    Question,
    Reply,
    View,
)
from engine.runtime.runner import Runner
from engine.runtime.values import parse, sample
from tests.runtime_support import FIXTURE

INPUTS = {"returning": True, "surname": "王", "with_children": False, "sales_present": False}
FIELDS = {"customer_name": "王先生", "phone": "13800000000", "party_size": "2", "satisfied": "是"}
CHOICES = ["客户需要续杯", "客户参观结束"]


class Answers:
    """Answers every question the same way; with `budget`, holds after that many."""

    def __init__(self, budget: int | None = None, emergency_at: str | None = None) -> None:
        self.budget = budget
        self.choices = list(CHOICES)
        self.asked: list[Question] = []
        self.emergency_at = emergency_at

    def show(self, view: View) -> None:
        pass

    def ask(self, question: Question, reminders: Sequence[Reminder], now: datetime) -> Reply:
        if self.budget is not None:
            if self.budget == 0:
                return Command("hold")
            self.budget -= 1
        self.asked.append(question)
        if isinstance(question, ItemQuestion):
            return ItemAnswer("done")
        if isinstance(question, InputQuestion):
            return Given(INPUTS.get(question.spec.name, "翠湖"))
        if isinstance(question, FieldQuestion):
            raw = FIELDS.get(question.spec.name, sample(question.spec, now))
            return Given(parse(question.spec, raw, now))
        if isinstance(question, ChoiceQuestion):
            labels = [o.label for o in question.options]
            return Given(labels.index(self.choices.pop(0)))
        if isinstance(question, EmergencyQuestion):
            return Command("cancel")
        raise AssertionError(question)


def _kinds(journal: Journal, run: int) -> list[tuple[str, Any]]:
    return [(e.kind, e.data.get("step")) for e in journal.events(run)]


def test_holding_at_every_question_records_the_same_run(tmp_path: Path) -> None:
    pinned = pin(str(FIXTURE))
    with Journal(str(tmp_path / "whole.db")) as journal:
        whole = Runner(journal, Answers(), operator="张三").start(pinned, "visit", {})
        assert whole.status == "finished"
        expected = _kinds(journal, 1)

    with Journal(str(tmp_path / "held.db")) as journal:
        restored = {pinned.sha: pinned}
        first = Runner(journal, Answers(budget=0), operator="张三", restored=restored)
        outcome = first.start(pinned, "visit", {})
        assert outcome.status == "held" and outcome.run == 1
        choices = list(CHOICES)
        requests = 1
        while outcome.status == "held":
            # One answer per request, each request a new runner (a new process may serve it).
            driver = Answers(budget=1)
            driver.choices = choices
            outcome = Runner(journal, driver, operator="张三", restored=restored).carry_on(1)
            requests += 1
            assert requests < 100
        assert outcome.status == "finished" and outcome.outcome == "completed"
        assert _kinds(journal, 1) == expected
        kinds = {e.kind for e in journal.events(1)}
        assert EventKind.RUN_RESUMED not in kinds and EventKind.RUN_PAUSED not in kinds
        assert requests > 10


def test_a_held_emergency_returns_to_the_run_it_interrupted(tmp_path: Path) -> None:
    pinned = pin(str(FIXTURE))
    with Journal(str(tmp_path / "j.db")) as journal:
        outcome = Runner(journal, Answers(budget=2), operator="张三").start(pinned, "visit", {})
        assert outcome.status == "held"

        class Fire(Answers):
            def ask(
                self, question: Question, reminders: Sequence[Reminder], now: datetime
            ) -> Reply:
                if not self.asked:
                    self.asked.append(question)
                    return Command("emergency", procedure="fire")
                return Command("hold")

        outcome = Runner(journal, Fire(), operator="张三").carry_on(1)
        assert outcome.status == "held" and outcome.runs == (1, 2)
        assert journal.run(1) is not None and journal.run(1).status == ev.WAITING  # type: ignore[union-attr]
        # The emergency, answered to its end one request at a time; then the visit goes on.
        for _ in range(50):
            driver = Answers(budget=1)
            outcome = Runner(journal, driver, operator="张三").carry_on(1)
            if journal.run(2).status == ev.FINISHED:  # type: ignore[union-attr]
                break
            assert outcome.runs == (1, 2)  # still in the emergency
        visit = journal.run(1)
        assert visit is not None and visit.status == ev.ACTIVE
        assert outcome.status == "held" and outcome.runs == (1, 1)
