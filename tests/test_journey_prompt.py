"""A journey at the prompt, as staff meet it: a touchpoint reached before its
date waits, `m NAME DATE` gives a milestone its date, and a card is filled in
for the run's customer."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import Runner
from tests.runtime_support import FIXTURE, Sop


@pytest.fixture
def run(sop: Runner, tmp_path: Path) -> Sop:
    return Sop(sop, tmp_path / "journal.db")


def _start(run: Sop, answers: str) -> str:
    result = run(
        "run", "journey", "--rulebook", str(FIXTURE), "--set", "project=翠湖", input=answers
    )
    return result.stdout + result.stderr


def test_a_touchpoint_not_yet_due_waits_and_is_on_the_call_list(run: Sop) -> None:
    out = _start(run, "\nn\n")  # sign: done; thank (due tomorrow): not now
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert f"签约日后 1 天, 即 {tomorrow} (还有 1 天)" in out, out
    assert "旅程 #1 (签约后客户关怀) 已保存, 等这个触点到期" in out
    listed = [d for d in run.json("due", "--days", "1") if d["run"] is not None]  # not duties
    assert [(d["step_title"], d["date"], d["state"]) for d in listed] == [
        ("签约次日致电感谢", tomorrow, "upcoming")
    ]
    assert [d for d in run.json("due", "--days", "0") if d["run"] is not None] == []
    # Staff may still do it early: yes at the question goes on.
    resumed = run("resume", "1", input="y\n5\n").stdout
    assert "客户满意度 (1-5)" in resumed and "已完成" in resumed


def test_m_at_any_prompt_records_a_milestone_and_the_wait_is_worked_out_again(
    run: Sop,
) -> None:
    days_ago = (date.today() - timedelta(days=3)).isoformat()
    # At the wait question: a typo first, then the signing date three days back.
    out = _start(run, f"\nm 签 x\nm 签约 {days_ago}\n2\n")
    assert '✗ 签约日的日期 "x" 不对' in out, out
    assert f"已记录 签约日: {days_ago}" in out
    assert "客户满意度 (1-5)" in out and "客户不满意, 转入: 上报主管跟进" in out
    shown = run.json("show", "1")["journey"]
    assert {m["name"]: m["date"] for m in shown["milestones"]} == {"signed": days_ago}


def test_a_script_is_filled_in_for_the_runs_customer(run: Sop) -> None:
    _start(run, "\nn\n")
    card = run("render", "script", "--run", "1", "--rulebook", str(FIXTURE))
    assert card.returncode == 0, card.stderr
    assert "您好, 感谢您选择翠湖" in card.stdout
    missing = run("render", "script", "--run", "9", "--rulebook", str(FIXTURE))
    assert missing.returncode != 0 and "日志中没有运行 9" in missing.stderr


def test_run_can_start_a_journey_with_dates_already_known(run: Sop) -> None:
    signed = (date.today() - timedelta(days=2)).isoformat()
    bad = run("run", "journey", "--rulebook", str(FIXTURE), "--milestone", "sgned=2026-11-01")
    assert bad.returncode != 0 and '没有里程碑 "sgned"' in bad.stderr
    assert "签约日" in bad.stderr and run.json("runs") == []  # no run was left behind
    result = run(
        "run", "journey", "--rulebook", str(FIXTURE), "--milestone", f"签约日={signed}",
        input="",
    )  # fmt: skip
    out = result.stdout
    assert out.index("开始运行 #1") < out.index(f"已记录 签约日: {signed}"), out
    # The signing step keeps the date given, not today's.
    run("resume", "1", input="\n4\n")
    milestones = run.json("show", "1")["journey"]["milestones"]
    assert milestones == [{"name": "signed", "title": "签约日", "date": signed, "planned": False}]
