"""A step's `parallel:` at run time: branches walked beside the run, which
is finished only when they join (docs/language.md, 同时进行的分支)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.runtime import lanes
from engine.runtime.state import Lane, RunState
from tests.conftest import CASES, Runner
from tests.runtime_support import BUNDLED, Sop, write_scenario

OK = CASES / "ok"

LOBBY: dict[str, Any] = {
    "procedure": "lobby",
    "now": "2026-11-23T10:00:00+08:00",
    "inputs": {
        "project": "翠湖天地",
        "carrying": "没有",
        "sales_present": True,
        "busy": False,
        "returning": False,
        "summer": False,
        "drink_menu": False,
        "customer": "王先生",
        "phone": "13800000000",
    },
    "steps": {
        "attend": [{"choice": "客户对物业提出疑问"}, {"choice": "客户看房结束，离开销售中心"}],
        "property_question": {"choice": "有不能回答的问题"},
        "property-question-callback:record_question": {
            "record": {
                "asked_at": "2026-11-23 10:05",
                "customer_name": "王先生",
                "phone": "13800000000",
                "question": "物业费怎样收取",
                "received_by": "李娜",
            }
        },
        # Recorded on the spot; b back to the visit, which ends; then paused.
        "property-question-callback:call_back": {"branch": True, "pause": True},
    },
}


@pytest.fixture
def run(sop: Runner, tmp_path: Path) -> Sop:
    return Sop(sop, tmp_path / "journal.db")


def _events(run: Sop, kind: str) -> list[dict[str, Any]]:
    return [e["data"] for e in run.json("show", "1")["events"] if e["kind"] == kind]


def test_the_lobby_callback_runs_beside_the_visit_and_keeps_the_run_open(
    run: Sop, tmp_path: Path
) -> None:
    """000 §3.4.1.6E: the 24 h callback starts there and then, the visit goes
    on and ends, and the run stays open (and due) until the callback is made."""
    path = write_scenario(tmp_path, "lobby", LOBBY)
    first = run("run", "lobby", "--rulebook", str(BUNDLED), "--answers", str(path))
    assert "已暂停运行 #1" in first.stdout, first.stdout + first.stderr
    assert "⇉ 同时进行的分支: 客户物业疑问 24 小时内致电回复" in first.stdout
    assert "同时进行的分支完成后" in first.stdout
    started = _events(run, "lane.started")
    assert [(s["step"], s.get("to"), s.get("call")) for s in started] == [
        ("greet", "serve_drink", None),
        ("property_callback", None, "property-question-callback"),
    ]
    ended = _events(run, "lane.ended")
    assert [(e["lane"], e.get("outcome")) for e in ended] == [(1, "drink_served"), (0, "departed")]
    due = [d for d in run.json("due", "--at", "2026-11-23") if d["run"] == 1]  # not routines
    assert [(d["step_title"], d["kind"]) for d in due] == [("24小时内致电回复客户", "within")]
    assert due[0]["at"].startswith("2026-11-24T10:0")
    assert run.json("runs")[0]["status"] == "paused"
    second = run("resume", "1", input="y\ny\n2026-11-23 15:00\n已答复\ny\n")
    assert "已完成 (礼貌送客)" in second.stdout, second.stdout + second.stderr
    assert [d for d in run.json("due", "--at", "2026-11-23") if d["run"] == 1] == []
    finished = _events(run, "run.finished")
    assert [f["outcome"] for f in finished] == ["departed"]  # the visit's own outcome


def test_the_lobby_waits_for_the_sales_contact_before_asking_whether_sales_can_come(
    run: Sop, tmp_path: Path
) -> None:
    """000 §3.4.1.5: the greeter explains while another staff member contacts
    sales; whether sales can come (C) waits for the contact (`at: sales_arrival`)."""
    scenario = {
        **LOBBY,
        "inputs": {**LOBBY["inputs"], "sales_present": False, "sales_can_come": True},
        "steps": {
            "contact_sales_now": {"branch": True},  # b: back to the explanation first
            "explain_project": {"choice": "讲解完毕"},
            "attend": {"choice": "客户看房结束，离开销售中心"},
        },
    }
    path = write_scenario(tmp_path, "lobby-join", scenario)
    result = run("run", "lobby", "--rulebook", str(BUNDLED), "--answers", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    wait = "⤵ 「销售人员能否赶往现场」要等分支完成后再继续: 即刻联系销售人员"
    joined = "⤵ 分支已汇合, 继续「销售人员能否赶往现场」"
    assert wait in out and joined in out
    assert out.index(wait) < out.index("已联系销售人员") < out.index(joined)
    checked = [e["step"] for e in _events(run, "item.checked")]
    assert checked.index("explain_project") < checked.index("contact_sales_now")
    assert checked.index("contact_sales_now") < checked.index("sales_arrival")
    switched = [e["lane"] for e in _events(run, "lane.switched")]
    assert switched[-2:] == [2, 0]  # to the contact at the join, back once it ended
    assert [f["outcome"] for f in _events(run, "run.finished")] == ["departed"]


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


def test_simulate_walks_the_lobby_join_and_counts_it() -> None:
    """The scenarios turn away from the contact branch (b), so the visit's
    line reaches sales_arrival first and waits; the journal shows the join."""
    from engine.runtime.pinning import pin
    from engine.runtime.simulate import Edge, simulate, summary_text

    pinned = pin(str(BUNDLED))
    sim = simulate(pinned, "lobby")
    join = Edge("lobby", "sales_absent", "join", 0, "sales_arrival")
    assert join in sim.wanted and join in sim.taken, summary_text(sim, pinned)
    assert sim.ok, summary_text(sim, pinned)


def test_the_web_runner_turns_to_the_branches_the_line_waits_for(tmp_path: Path) -> None:
    """sop serve walks the same runner: once the line waits at `at`, the page
    says so and asks the branch's question (no crash, nothing asked twice)."""
    pytest.importorskip("starlette")
    pytest.importorskip("httpx")
    from starlette.testclient import TestClient

    from engine.serve.app import Settings, create_app
    from tests.web_support import answer_of, ask_form, forms, tool_form

    app = create_app(Settings(journal=str(tmp_path / "j.db"), rulebook=str(OK)))
    client = TestClient(app, raise_server_exceptions=True)
    page = client.get("/").text
    form = next(f for f in forms(page) if f.fields.get("procedure") == "parallel-join")
    url = client.post("/start", data=form.fields, follow_redirects=False).headers["location"]
    page = client.get(url).text
    ask = ask_form(page)
    assert ask is not None and "迎接客户" in page
    page = client.post(ask.action, data=answer_of(ask)).text  # the fork: the first branch
    assert "⇆ 转到分支 1: 联系销售人员" in page
    for _ in range(2):  # away from both branches, back to the visit's own line
        turn = tool_form(page, "lane")
        page = client.post(turn.action, data=turn.fields).text
    assert "讲解项目" in page
    seen = [page]
    for _ in range(10):
        ask = ask_form(page)
        if ask is None:
            break
        page = client.post(ask.action, data=answer_of(ask)).text
        seen.append(page)
    said = "".join(seen)
    assert "「交给销售人员」要等分支完成后再继续: 联系销售人员、取楼书" in said
    assert "⤵ 分支已汇合, 继续「交给销售人员」" in said
    assert "已完成" in page
