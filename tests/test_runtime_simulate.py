"""`sop simulate`: every bundled procedure, every transition, through the runner."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from engine.runtime.pinning import Pinned, pin
from engine.runtime.simulate import Planner, simulate
from tests.conftest import Runner
from tests.runtime_support import BUNDLED, FIXTURE, Sop, write_scenario


@pytest.fixture(scope="module")
def bundled() -> Pinned:
    return pin(str(BUNDLED))


def _bundled_ids() -> list[str]:
    return sorted(p.stem for p in BUNDLED.glob("*.yaml") if p.stem != "rulebook")


@pytest.mark.parametrize("pid", _bundled_ids())
def test_every_bundled_procedure_takes_every_transition(bundled: Pinned, pid: str) -> None:
    sim = simulate(bundled, pid)
    assert not sim.failures, sim.failures
    assert not sim.plan.dead_ends, sim.plan.dead_ends
    assert sim.taken >= sim.wanted, sim.missing
    assert sim.plan.scenarios and all(o is not None for o in sim.outcomes)


def test_the_fixture_through_the_cli_and_saved_scenarios_replay(
    sop: Runner, tmp_path: Path
) -> None:
    result = sop("simulate", "visit", "--rulebook", str(FIXTURE), "--save", str(tmp_path / "s"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "覆盖 11/11 条转移 (100%)" in result.stdout
    saved = sorted((tmp_path / "s").glob("visit-*.yaml"))
    assert saved
    run = Sop(sop, tmp_path / "j.db")
    for path in saved:
        replay = run("run", "visit", "--rulebook", str(FIXTURE), "--answers", str(path))
        assert replay.returncode == 0 and "已完成" in replay.stdout, replay.stderr
    every = json.loads(
        sop("simulate", "--all", "--rulebook", str(FIXTURE), "--format", "json").stdout
    )
    assert {s["procedure"]: s["ok"] for s in every} == {
        "fire": True,
        "journey": True,
        "night": True,
        "power": True,
        "shuttle": True,
        "visit": True,
    }


def test_a_choice_step_with_every_choice_hidden_is_a_dead_end(sop: Runner, tmp_path: Path) -> None:
    book = tmp_path / "book"
    shutil.copytree(FIXTURE, book)
    visit = book / "visit.yaml"
    text = visit.read_text(encoding="utf-8")
    text = text.replace(
        "- {label: 客户参观结束, to: register}",
        "- {label: 客户参观结束, to: register, when: sales_present}",
    )
    text = text.replace(
        "- {label: 客户需要续杯, to: refill}",
        "- {label: 客户需要续杯, to: refill, when: sales_present}",
    )
    visit.write_text(text, encoding="utf-8")
    assert sop("validate", str(book)).returncode == 0
    result = sop("simulate", "visit", "--rulebook", str(book))
    assert result.returncode == 1
    assert "with_children=否, sales_present=否 时, 运行会困在 「参观中」(during_visit), 无法" in (
        result.stdout
    )
    assert "运行会困在 「参观中」(during_visit), 「照看儿童」(watch_children)" in result.stdout


def test_a_transition_no_input_can_take_is_reported(sop: Runner, tmp_path: Path) -> None:
    book = tmp_path / "book"
    shutil.copytree(FIXTURE, book)
    shuttle = book / "shuttle.yaml"
    text = shuttle.read_text(encoding="utf-8").replace(
        "    next: arrive\n",
        "    next:\n      - {to: arrive, when: destination == '从不'}\n      - {to: arrive}\n",
    )
    shuttle.write_text(text, encoding="utf-8")
    result = sop("simulate", "shuttle", "--rulebook", str(book))
    assert result.returncode == 0, result.stdout  # '从不' is a constant: it gets tried
    # A guard no value can satisfy is the validator's to report, before any walk.
    never = text.replace("destination == '从不'", "destination == '从不' and destination != '从不'")
    shuttle.write_text(never, encoding="utf-8")
    result = sop("simulate", "shuttle", "--rulebook", str(book))
    assert result.returncode == 1 and "guard-never-true" in result.stderr + result.stdout
    # One the validator cannot judge (a filter's result) and no tried value takes.
    hidden = text.replace("destination == '从不'", "destination | length > 100")
    shuttle.write_text(hidden, encoding="utf-8")
    result = sop("simulate", "shuttle", "--rulebook", str(book))
    assert result.returncode == 1 and "没有走到的转移: board → arrive" in result.stdout, (
        result.stdout + result.stderr
    )


def _qualified(plan_scenario: dict[str, Any], pid: str) -> dict[str, Any]:
    return {f"{pid}:{k}" if ":" not in k else k: v for k, v in plan_scenario["steps"].items()}


def test_an_emergency_interrupts_a_bundled_show_flat_visit(
    sop: Runner, tmp_path: Path, bundled: Pinned
) -> None:
    """The bundled show-flat visit, interrupted by the bundled fire procedure
    at a step in the middle, continues at that same step afterwards."""
    planner = Planner(bundled.rulebook)
    visit = copy.deepcopy(planner.plan(bundled.rulebook.procedure("show-flat")).scenarios[0])
    fire = planner.plan(bundled.rulebook.procedure("fire")).scenarios[0]
    keys = list(visit["steps"])
    middle = keys[len(keys) // 2]
    entry = visit["steps"][middle]
    first = entry[0] if isinstance(entry, list) else entry
    first["emergency"] = "fire"
    visit["steps"].update(_qualified(fire, "fire"))
    visit["inputs"] = {**fire["inputs"], **visit["inputs"]}
    path = write_scenario(tmp_path, "show-flat-fire", visit)
    run = Sop(sop, tmp_path / "j.db")
    result = run("run", "show-flat", "--rulebook", str(BUNDLED), "--answers", str(path))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    events = run.json("show", "1")["events"]
    kinds = [e["kind"] for e in events]
    cut = kinds.index("run.interrupted")
    assert kinds[cut + 1] == "run.continued"
    entered = [e["data"]["step"] for e in events[:cut] if e["kind"] == "step.entered"]
    assert events[cut]["data"]["step"] == entered[-1] == middle.split(":")[-1]
    later = [e for e in events[cut + 2 :] if "step" in e["data"]]
    assert later[0]["data"]["step"] == middle.split(":")[-1]
    fire_run = run.json("show", "2")["run"]
    assert fire_run["procedure"] == "fire" and fire_run["parent"] == 1
    assert fire_run["status"] == "finished"
    report = run("report", "2").stdout
    assert "事故情况和处理报告" in report and "拨打火警电话" in report


def test_each_conditional_record_is_filled_in_once_and_left_once(bundled: Pinned) -> None:
    """Situations 19, 21 and 23 record only when their condition holds: the
    journal shows each form filled in one scenario and left in another."""
    sim = simulate(bundled, "site-situations")
    wanted = {(s, "situation_record", side) for s in ("gift_offered", "difficult_customer",
              "complaint") for side in (True, False)}  # fmt: skip
    assert sim.records_wanted == wanted
    assert sim.records_seen >= wanted and sim.ok


def test_an_unreachable_side_of_a_conditional_record_is_reported(
    sop: Runner, tmp_path: Path
) -> None:
    book = tmp_path / "book"
    shutil.copytree(BUNDLED, book)
    table = book / "site-situations.yaml"
    text = table.read_text(encoding="utf-8")
    hidden = "{fields: all, when: complaint_noted or surname | length < 100}"
    table.write_text(text.replace("{fields: all, when: complaint_noted}", hidden), "utf-8")
    result = sop("simulate", "site-situations", "--rulebook", str(book), "--lang", "en")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "conditional records: filled in 3/3, left 2/3" in result.stdout
    assert "never seen: 《案场服务情况记录》 at 「客户向我们投诉时怎么办?」 left" in result.stdout


def test_simulate_in_english_says_yes_and_no(sop: Runner) -> None:
    result = sop("simulate", "site-situations", "--rulebook", str(BUNDLED), "--lang", "en")
    assert result.returncode == 0, result.stdout
    assert "accepted=yes" in result.stdout and "accepted=no" in result.stdout
    assert "=是" not in result.stdout and "=否" not in result.stdout
