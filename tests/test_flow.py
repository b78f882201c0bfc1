"""Run state that changes, branching on a called procedure's outcome and
deadline anchors (LANG2 §3, §8, §9): built, run, journaled, verified,
simulated and rendered, on tests/fixtures/rulebook_flow."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from engine.journal import Event, Journal
from engine.runtime.audit import verify_journal
from engine.runtime.pinning import Pinned, pin
from engine.runtime.runner import Outcome, Runner
from engine.runtime.scenario import ScenarioDriver, parse_scenario
from engine.runtime.simulate import simulate
from tests.conftest import ROOT

FLOW = ROOT / "tests" / "fixtures" / "rulebook_flow"


@pytest.fixture(scope="module")
def flow() -> Pinned:
    return pin(str(FLOW))


def run_scenario(
    pinned: Pinned, path: Path, data: Mapping[str, Any]
) -> tuple[Outcome, list[Event]]:
    """A scenario through the runner staff use, on a journal file of its own."""
    scenario = parse_scenario(dict(data), "test")
    driver = ScenarioDriver(scenario)
    with Journal(str(path)) as journal:
        runner = Runner(journal, driver, clock=driver.clock, operator="测试")
        outcome = runner.start(pinned, str(data["procedure"]), scenario.preset)
        driver.check_complete(outcome.outcome)
        return outcome, journal.events(outcome.run)


def kinds(events: list[Event]) -> list[tuple[str, Any]]:
    return [(e.kind, e.data.get("step") or e.data.get("procedure")) for e in events]


# ---------------------------------------------------------------- §8 outcomes


def test_outcomes_are_declared_once_and_ends_take_their_titles(flow: Pinned) -> None:
    callee = flow.rulebook.procedure("question-callback")
    assert callee.outcomes() == {"answered": "已答复", "escalated": "已升级"}
    assert callee.steps["escalate"].outcome == "已升级"  # what staff see, never the id


def test_a_first_edition_end_gets_a_derived_title() -> None:
    bundled = pin(str(ROOT / "tests" / "fixtures" / "rulebook_runtime"))
    shuttle = bundled.rulebook.procedure("shuttle")
    assert shuttle.outcomes() and all(shuttle.outcomes().values())


def test_the_caller_branches_on_the_callees_outcome(flow: Pinned, tmp_path: Path) -> None:
    data = {
        "procedure": "visit",
        "steps": {"question-callback:call_back": {"choice": "答复不了"}},
    }
    outcome, events = run_scenario(flow, tmp_path / "j.db", data)
    assert outcome.status == "finished"
    returned = next(e for e in events if e.kind == "call.returned")
    assert (returned.data["outcome"], returned.data["outcome_title"]) == ("escalated", "已升级")
    taken = [e.data["to"] for e in events if e.kind == "branch.taken"]
    assert taken[0] == "manager"
    assert verify_journal(str(tmp_path / "j.db")).ok


def test_the_other_outcome_takes_the_otherwise(flow: Pinned, tmp_path: Path) -> None:
    data = {
        "procedure": "visit",
        "steps": {"question-callback:call_back": {"choice": "已答复客户"}},
    }
    _, events = run_scenario(flow, tmp_path / "j.db", data)
    assert next(e.data["to"] for e in events if e.kind == "branch.taken") == "farewell"


def test_simulate_walks_the_caller_after_each_outcome(flow: Pinned) -> None:
    sim = simulate(flow, "visit")
    assert sim.ok, (sim.failures, sim.missing)
    assert {a.get("outcome") for a in sim.plan.assignments} == {"answered", "escalated"}
    assert all("outcome" not in s["inputs"] for s in sim.plan.scenarios)


def test_manual_and_graph_word_the_outcome_by_its_title(tmp_path: Path) -> None:
    from engine.render.view import ViewBuilder

    folder = tmp_path / "rb"
    shutil.copytree(FLOW, folder)
    visit = folder / "visit.yaml"
    visit.write_text(
        visit.read_text(encoding="utf-8").replace(", label: 回电答复不了}", "}"), encoding="utf-8"
    )
    pinned = pin(str(folder))
    view = ViewBuilder(pinned.rulebook).procedure(pinned.rulebook.procedure("visit"))
    words = [x.condition or x.label for s in view.steps for x in s.exits]
    assert "《疑问回电》的结果为已升级" in words
    assert not any("escalated" in w or "outcome" in w for w in words)


# ---------------------------------------------------------------- §3 run state


def _set_events(events: list[Event]) -> list[tuple[str, Any, str]]:
    sets = [e for e in events if e.kind == "value.set"]
    return [(e.data["name"], e.data["value"], e.data["by"]) for e in sets]


def test_a_loop_asks_again_on_every_arrival_and_set_counts_the_turns(
    flow: Pinned, tmp_path: Path
) -> None:
    data = {
        "procedure": "callback-retry",
        "steps": {
            "dial": [{"inputs": {"reached": False}}, {"inputs": {"reached": True}}],
            "survey": {"record": {"score": 5}},
        },
    }
    outcome, events = run_scenario(flow, tmp_path / "j.db", data)
    assert outcome.outcome == "done"
    asked = [e.data["value"] for e in events if e.kind == "input.answered"]
    assert asked == [False, True]  # asked at each arrival, not once per run
    assert _set_events(events) == [("attempts", 1, "step"), ("attempts", 2, "step")]
    assert [e.data["to"] for e in events if e.kind == "branch.taken"] == [
        "dial",
        "survey",
        "thanks",
    ]
    assert verify_journal(str(tmp_path / "j.db")).ok


def test_three_turns_without_an_answer_give_up(flow: Pinned, tmp_path: Path) -> None:
    data = {
        "procedure": "callback-retry",
        "inputs": {"reached": False},
        "steps": {"dial": [{}, {}, {}]},
    }
    outcome, events = run_scenario(flow, tmp_path / "j.db", data)
    assert outcome.outcome == "gave_up"
    assert [v for _, v, _ in _set_events(events)] == [1, 2, 3]


def test_a_recorded_field_steers_the_next_and_a_branch_sets(flow: Pinned, tmp_path: Path) -> None:
    data = {
        "procedure": "callback-retry",
        "steps": {"dial": {"inputs": {"reached": True}}, "survey": {"record": {"score": 2}}},
    }
    outcome, events = run_scenario(flow, tmp_path / "j.db", data)
    assert [e.data["to"] for e in events if e.kind == "branch.taken"][-1] == "manager_call"
    assert ("escalated", True, "branch") in _set_events(events)
    from engine.runtime.state import replay

    st = replay(outcome.run, flow.rulebook, events)
    assert st.frames[0].values["escalated"] is True
    assert st.recorded == {"visit_feedback.score": 2}


def test_a_correction_supersedes_the_recorded_value_guards_read(
    flow: Pinned, tmp_path: Path
) -> None:
    from engine.runtime.events import AnswerCorrected
    from engine.runtime.state import replay

    data = {
        "procedure": "callback-retry",
        "steps": {"dial": {"inputs": {"reached": True}}, "survey": {"record": {"score": 2}}},
    }
    outcome, events = run_scenario(flow, tmp_path / "j.db", data)
    recorded = next(i for i, e in enumerate(events) if e.kind == "field.recorded")
    st = replay(outcome.run, flow.rulebook, events[: recorded + 1])  # at the survey
    assert (st.top.step, st.recorded) == ("survey", {"visit_feedback.score": 2})
    fix = {
        "of": events[recorded].seq,
        "answer": "field",
        "name": "score",
        "label": "满意度评分",
        "form": "visit_feedback",
        "form_title": "客户回访记录表",
        "procedure": None,
        "depth": 0,
        "before": 2,
    }
    st.apply(AnswerCorrected(**fix, step="survey", value=5), "t")
    assert st.recorded["visit_feedback.score"] == 5
    st.apply(AnswerCorrected(**fix, step="elsewhere", value=1), "t")
    assert st.recorded["visit_feedback.score"] == 5  # not the latest recording: stands


def test_a_resumed_loop_asks_what_this_arrival_has_not(flow: Pinned, tmp_path: Path) -> None:
    data = {
        "procedure": "callback-retry",
        "steps": {"dial": [{"inputs": {"reached": False}}, {"pause": True}]},
    }
    outcome, events = run_scenario(flow, tmp_path / "j.db", data)
    assert outcome.status == "paused"
    from engine.runtime.state import replay

    st = replay(outcome.run, flow.rulebook, events)
    top = st.top
    assert (top.step, top.visits["dial"], top.answered) == ("dial", 2, set())
    assert top.values == {"reached": False, "attempts": 1}


def test_simulate_explores_states_and_walks_the_loop_twice(flow: Pinned) -> None:
    sim = simulate(flow, "callback-retry")
    assert sim.ok, (sim.failures, sim.missing, sim.plan.dead_ends)
    assert set(sim.outcomes) == {"done", "gave_up"}
    visits = [s["steps"]["dial"] for s in sim.plan.scenarios]
    assert any(isinstance(v, list) and len(v) >= 2 for v in visits)  # round the loop
    scores = {
        s["steps"]["survey"]["record"]["visit_feedback.score"]
        for s in sim.plan.scenarios
        if "survey" in s["steps"]
    }
    assert any(v < 4 for v in scores) and any(v >= 4 for v in scores)


def test_a_procedure_without_changing_values_keeps_the_static_plan(flow: Pinned) -> None:
    from engine.runtime.explore import is_dynamic

    rb = flow.rulebook
    assert is_dynamic(rb, rb.procedure("callback-retry"))
    assert not is_dynamic(rb, rb.procedure("question-callback"))


def test_the_manual_says_what_set_gives_and_names_fields_by_their_labels(flow: Pinned) -> None:
    from engine.render.view import ViewBuilder

    view = ViewBuilder(flow.rulebook).procedure(flow.rulebook.procedure("callback-retry"))
    steps = {s.id: s for s in view.steps}
    assert steps["dial"].sets == "已拨打次数 记为 〔已拨打次数〕 + 1"
    survey = steps["survey"].exits[0]
    assert (survey.condition, survey.sets) == ("满意度评分 < 4", "已转经理 记为 是")


# ---------------------------------------------------------------- §9 deadline anchors

QUESTION = {
    "procedure": "question-log",
    "now": "2026-12-02T09:00:00+08:00",
}


def _question(asked: str, promised: str | None, callback: dict[str, Any]) -> dict[str, Any]:
    return {
        **QUESTION,
        "steps": {
            "register": {"record": {"question": "车位价格", "asked_at": asked}},
            "promise": {"record": {"promised_at": promised or ""}},
            "callback": callback,
        },
    }


def test_a_milestone_takes_its_date_from_the_recorded_field(flow: Pinned, tmp_path: Path) -> None:
    data = _question("2026-12-02 08:30", None, {})
    outcome, events = run_scenario(flow, tmp_path / "j.db", data)
    assert outcome.outcome == "answered"  # done within the day: no timeout
    reached = [e.data for e in events if e.kind == "milestone.reached"]
    assert [(m["name"], m["date"]) for m in reached] == [("asked", "2026-12-02T08:30:00+08:00")]
    entered = next(e for e in events if e.kind == "step.entered" and e.data["step"] == "callback")
    (due,) = entered.data["dues"]
    assert (due["due"], due["timeout_title"]) == (
        "2026-12-03T08:30:00+08:00",
        "超时未答复, 上报经理",
    )


def test_the_earlier_date_counts_and_an_overdue_step_times_out_at_the_prompt(
    flow: Pinned, tmp_path: Path
) -> None:
    # Promised for 10:00, asked at 08:30: the callback is due at 10:00, and
    # staff reach it at 11:00.
    data = _question("2026-12-02 08:30", "2026-12-02 10:00", {"on": "2026-12-02T11:00:00+08:00"})
    data["steps"]["escalate"] = {}
    outcome, events = run_scenario(flow, tmp_path / "j.db", data)
    assert outcome.outcome == "escalated"
    (out,) = [e.data for e in events if e.kind == "step.timed_out"]
    assert (out["step"], out["to"], out["due"]) == (
        "callback",
        "escalate",
        "2026-12-02T10:00:00+08:00",
    )
    assert not [e for e in events if e.kind == "item.checked" and e.data["step"] == "callback"]
    assert verify_journal(str(tmp_path / "j.db")).ok


def test_a_run_resumed_after_its_deadline_times_out_first(flow: Pinned, tmp_path: Path) -> None:
    from datetime import datetime

    data = _question("2026-12-02 08:30", None, {"pause": True})
    db = tmp_path / "j.db"
    outcome, _ = run_scenario(flow, db, data)
    assert outcome.status == "paused"
    later = parse_scenario({"procedure": "question-log", "steps": {"escalate": {}}}, "later")
    driver = ScenarioDriver(later)
    with Journal(str(db)) as journal:
        runner = Runner(
            journal, driver, clock=lambda: datetime.fromisoformat("2026-12-04T09:00+08:00")
        )
        resumed = runner.resume(outcome.run)
        kinds = [e.kind for e in journal.events(outcome.run)]
    assert resumed.outcome == "escalated"
    at = kinds.index("run.resumed")
    assert kinds[at : at + 3] == ["run.resumed", "step.timed_out", "step.entered"]


def test_due_lists_where_an_overdue_run_goes(flow: Pinned, tmp_path: Path) -> None:
    from datetime import date

    from engine.runtime.calls import call_list

    data = _question("2026-12-02 08:30", None, {"pause": True})
    run_scenario(flow, tmp_path / "j.db", data)
    with Journal(str(tmp_path / "j.db")) as journal:
        listed = call_list(journal, on=date(2026, 12, 4))
    (item,) = listed.items
    assert (item.state, item.step, item.timeout) == ("overdue", "callback", "超时未答复, 上报经理")


def test_earliest_and_latest_pick_among_known_dates(flow: Pinned) -> None:
    from dataclasses import replace as _replace

    from engine.model import DueOf
    from engine.runtime.dues import touchpoint

    proc = flow.rulebook.procedure("question-log")
    step = proc.steps["callback"]
    asked, promised = "2026-12-02T08:30:00+08:00", "2026-12-05T10:00:00+08:00"
    assert str(touchpoint(proc, step, {"asked": asked}).when) == "2026-12-03 08:30:00+08:00"
    both = touchpoint(proc, step, {"asked": asked, "promised": promised})
    assert str(both.when) == "2026-12-03 08:30:00+08:00"
    assert both.text == "客户提问时间后 24 小时、约定回电时间 中的较早者"
    assert isinstance(step.due, DueOf)
    latest = _replace(step, due=_replace(step.due, pick="latest"))
    assert touchpoint(proc, latest, {"asked": asked}).when is None  # waits for every date
    assert str(touchpoint(proc, latest, {"asked": asked, "promised": promised}).when) == (
        "2026-12-05 10:00:00+08:00"
    )


def test_simulate_takes_the_timeout(flow: Pinned) -> None:
    sim = simulate(flow, "question-log")
    assert sim.ok, (sim.failures, sim.missing)
    assert any(e.kind == "timeout" for e in sim.taken)
    assert set(sim.outcomes) == {"answered", "escalated"}


def test_manuals_show_the_timeout_the_picked_date_and_the_milestone_field(flow: Pinned) -> None:
    from engine.render.graph import build_graph
    from engine.render.view import ViewBuilder

    view = ViewBuilder(flow.rulebook).procedure(flow.rulebook.procedure("question-log"))
    steps = {s.id: s for s in view.steps}
    callback = steps["callback"]
    assert callback.due == "客户提问时间后24小时、约定回电时间 中的较早者"
    (late,) = [x for x in callback.exits if x.kind == "timeout"]
    assert (late.target, late.target_title) == ("escalate", "超时未答复, 上报经理")
    assert steps["register"].milestone == "客户提问时间 (日期取自记录的提问时间)"
    edges = build_graph(view).edges
    assert any(e.kind == "timeout" and e.dst.endswith("escalate") for e in edges)


def test_notify_moves_a_paused_run_past_its_deadline(flow: Pinned, tmp_path: Path) -> None:
    from datetime import datetime

    from engine.notify.send import notify
    from engine.notify.settings import parse_settings

    db = tmp_path / "j.db"
    outcome, _ = run_scenario(flow, db, _question("2026-12-02 08:30", None, {"pause": True}))
    box = tmp_path / "outbox.jsonl"
    settings = parse_settings(
        {
            "channels": {"box": {"type": "outbox", "path": str(box)}},
            "people": {"*": {"manager": [{"channel": "box", "to": "李经理"}]}},
        },
        "notify.yaml",
    )
    later = datetime.fromisoformat("2026-12-04T09:00+08:00")
    with Journal(str(db)) as journal:
        report = notify(journal, settings, later)
        row = journal.run(outcome.run)
        kinds = [e.kind for e in journal.events(outcome.run)]
    assert [(m.run, m.to_title) for m in report.moved] == [(outcome.run, "超时未答复, 上报经理")]
    assert row is not None and (row.status, row.step) == ("paused", "escalate")
    assert kinds[-2:] == ["step.timed_out", "step.entered"]
    assert "notice.sending" not in kinds  # the step it is at now has no deadline yet
    assert verify_journal(str(db)).ok
    assert not box.exists()


def test_the_editor_index_knows_set_targets_and_timeout_steps() -> None:
    from engine.lsp.symbols import Target, build_index

    pinned = pin(str(FLOW))
    procs = {p.path: p for p in pinned.rulebook.procedures.values()}
    texts = {p: Path(p).read_text(encoding="utf-8") for p in procs}
    index = build_index(pinned.rulebook, procs, texts)
    retry = str(FLOW / "callback-retry.yaml")
    lines = texts[retry].split("\n")
    at = next(i for i, line in enumerate(lines, 1) if "set: {attempts" in line)
    col = lines[at - 1].index("attempts") + 1
    occ = index.at(retry, at, col)
    assert occ is not None and (occ.target.kind, occ.target.name) == ("input", "attempts")
    log = str(FLOW / "question-log.yaml")
    steps = [o for o in index.by_file[log] if o.target == Target("step", log, "escalate")]
    assert len(steps) == 2  # declared, and named by timeout:
