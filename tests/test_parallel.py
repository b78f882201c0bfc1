"""A step's `parallel:` at run time: branches walked beside the run, which
is finished only when they join (docs/language.md, 同时进行的分支)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.runtime import lanes
from engine.runtime.state import Lane, RunState
from tests.conftest import CASES, Runner
from tests.runtime_support import Sop, write_scenario

OK = CASES / "ok"


@pytest.fixture
def run(sop: Runner, tmp_path: Path) -> Sop:
    return Sop(sop, tmp_path / "journal.db")


def _events(run: Sop, kind: str) -> list[dict[str, Any]]:
    return [e["data"] for e in run.json("show", "1")["events"] if e["kind"] == kind]


def test_join_any_cancels_the_other_branches(run: Sop, tmp_path: Path) -> None:
    scenario = {"procedure": "parallel", "steps": {"fetch_drink": {"branch": True}}}
    path = write_scenario(tmp_path, "any", scenario)
    result = run("run", "parallel", "--rulebook", str(OK), "--answers", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "⇇ 分支已取消: 取饮品" in result.stdout
    ended = _events(run, "lane.ended")
    said = {(e["title"], e.get("cancelled", False)) for e in ended}
    assert said >= {("取楼书", False), ("取饮品", True)}
    walked = [e["step"] for e in _events(run, "step.entered")]
    assert walked[-2:] == ["fetch_drink", "fetch_brochure"] and "farewell" in walked


def test_a_switch_to_a_branch_that_ended_is_damage() -> None:
    from engine.runtime.events import LaneSwitched

    state = RunState(1, None)  # type: ignore[arg-type]  # lanes only
    state.lanes = [Lane(0), Lane(1, open=False)]
    with pytest.raises(ValueError, match="has ended"):
        state.apply(LaneSwitched(lane=1, title="x"), "")


def _state(*specs: tuple[int, int, int, str]) -> RunState:
    state = RunState(1, None)  # type: ignore[arg-type]  # lanes only
    state.lanes = [Lane(0)] + [Lane(i, fork=f, parent=p, join=j) for i, f, p, j in specs]
    return state


def test_which_lane_comes_next_and_which_a_join_any_cancels() -> None:
    # lanes 1, 2 from the run's line (join any); 3 started inside lane 1
    state = _state((1, 1, 0, "any"), (2, 1, 0, "any"), (3, 3, 1, "all"))
    assert lanes.cancelled_by(state, 2) == [1, 3]  # the sibling and what it started
    assert lanes.cancelled_by(state, 3) == []  # join: all
    assert lanes.cancelled_by(state, 0) == [1, 2, 3]  # the run's line ends: any-lanes go
    assert lanes.turn_to(state, 1, set()) is state.lanes[2]  # the next sibling
    assert lanes.turn_to(state, 3, set()) is state.lanes[1]  # back to its parent
    assert lanes.turn_to(state, 2, {1, 3}) is state.lanes[0]
    assert not lanes.finished(state, {0})
    assert lanes.finished(state, {0, 1, 2, 3})
    state.lane = 3
    assert lanes.next_open(state) is state.lanes[0]  # b: round the run
