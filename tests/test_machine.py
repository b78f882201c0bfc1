"""The procedure's state machine (engine.runtime.machine): it decides a live
move by the guards in order, and it is the only way a run's frame moves, so
a journal that moves a run in a way its procedure does not allow is damage."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from engine.errors import JournalError
from engine.expressions import truth
from engine.journal import Journal
from engine.model import Expr
from engine.runtime import machine
from engine.runtime.pinning import restore
from engine.runtime.state import Frame, replay
from engine.validate import load_rulebook
from tests.conftest import Runner
from tests.runtime_support import FIXTURE, VISIT_HAPPY, Sop, write_scenario


def _visit() -> Any:
    return load_rulebook(str(FIXTURE)).procedure("visit")


def _judge(values: dict[str, Any]) -> Any:
    return lambda expr: truth(expr.source, values)


def test_the_first_branch_whose_guard_holds_is_taken() -> None:
    visit = _visit()
    away = machine.decide(visit, "shoe_covers", machine.ADVANCE, _judge({"sales_present": False}))
    here = machine.decide(visit, "shoe_covers", machine.ADVANCE, _judge({"sales_present": True}))
    assert away == ("explain", 0) and here == ("during_visit", 1)


def test_a_choice_is_taken_only_while_its_guard_holds() -> None:
    visit = _visit()
    watch = machine.choice_trigger(2)
    assert machine.decide(visit, "during_visit", watch, _judge({"with_children": False})) is None
    chosen = machine.decide(visit, "during_visit", watch, _judge({"with_children": True}))
    assert chosen == ("watch_children", 2)
    # No such way out: nothing moves (an end step, a trigger no step has).
    assert machine.decide(visit, "farewell", machine.ADVANCE, _judge({})) is None
    assert machine.decide(visit, "greet", machine.choice_trigger(9), _judge({})) is None


def test_a_guard_that_needs_an_answer_asks_and_moves_nothing() -> None:
    class Asked(Exception):
        pass

    def judge(expr: Expr) -> bool:
        raise Asked(expr.source)

    with pytest.raises(Asked):
        machine.decide(_visit(), "shoe_covers", machine.ADVANCE, judge)


def test_a_frame_moves_only_along_its_procedures_transitions() -> None:
    visit = _visit()
    frame = Frame(visit, {})
    with pytest.raises(machine.NotAMove):
        machine.arrive(visit, frame, "register")  # a run starts at its start
    machine.arrive(visit, frame, "greet")
    machine.follow(visit, frame, machine.ADVANCE, 0, "shoe_covers")
    assert frame.step == "shoe_covers"
    with pytest.raises(machine.NotAMove):
        machine.arrive(visit, frame, "farewell")  # entered without a move
    with pytest.raises(machine.NotAMove):
        machine.follow(visit, frame, machine.ADVANCE, 0, "farewell")  # leads to explain
    frame.step = "shoe_covers"
    with pytest.raises(machine.NotAMove):
        machine.follow(visit, frame, machine.choice_trigger(0), 0, "register")  # no choices


@pytest.fixture
def walked(sop: Runner, tmp_path: Path) -> Sop:
    run = Sop(sop, tmp_path / "journal.db")
    path = write_scenario(tmp_path, "happy", VISIT_HAPPY)
    result = run("run", "visit", "--rulebook", str(FIXTURE), "--answers", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    return run


def test_a_recorded_walk_replays_through_the_machine(walked: Sop) -> None:
    journal = Journal(str(walked.journal), write=False)
    row = journal.run(1)
    assert row is not None
    pinned = restore(journal.snapshot(row.rulebook_sha), row.rulebook_sha)
    events = journal.events(1)
    assert replay(1, pinned.rulebook, events).outcome == "completed"
    # The branch taken at shoe_covers, forged to skip the explanation.
    forged = [
        dataclasses.replace(e, data={**e.data, "to": "during_visit"})
        if e.kind == "branch.taken" and e.data["step"] == "shoe_covers"
        else e
        for e in events
    ]
    with pytest.raises(JournalError, match=r"branch\.taken"):
        replay(1, pinned.rulebook, forged)
    # A step entered that no move led to (the move left out).
    unmoved = [e for e in events if not (e.kind == "branch.taken" and e.data["step"] == "greet")]
    with pytest.raises(JournalError, match=r"step\.entered"):
        replay(1, pinned.rulebook, unmoved)


def _rechain(path: Path, change: Any) -> None:
    """Change events and compute the whole chain again, as someone with the
    file and sop's source could: only the replay can tell."""
    from engine.journal.events import chain_hash

    db = sqlite3.connect(path)
    guards = [s for (s,) in db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger'")]
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        db.execute(f"DROP TRIGGER {name}")
    rows = db.execute("SELECT seq, run, at, kind, actor, data FROM events ORDER BY seq")
    prev = "0" * 64
    for seq, run, at, kind, actor, data in rows.fetchall():
        data = change(kind, data)
        digest = chain_hash(prev, seq, run, at, kind, actor, data)
        db.execute(
            "UPDATE events SET data = ?, prev = ?, hash = ? WHERE seq = ?",
            (data, prev, digest, seq),
        )
        prev = digest
    for sql in guards:
        db.execute(sql)
    db.commit()
    db.close()


def test_verify_names_a_move_the_procedure_does_not_have(walked: Sop) -> None:
    def jump(kind: str, data: str) -> str:
        # The explanation skipped: shoe_covers "goes" straight to during_visit.
        if kind == "branch.taken" and '"step":"shoe_covers"' in data:
            return data.replace('"to":"explain"', '"to":"during_visit"')
        if kind == "step.entered" and '"step":"explain"' in data:
            return data.replace('"step":"explain"', '"step":"during_visit"')
        return data

    _rechain(walked.journal, jump)
    result = walked("journal", "verify")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "branch.taken" in result.stdout and "shoe_covers" in result.stdout
