"""`sop run` driven by scenario files and pipes, through the installed CLI."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Runner
from tests.runtime_support import FIXTURE, VISIT_HAPPY, Sop, write_scenario


@pytest.fixture
def run(sop: Runner, tmp_path: Path) -> Sop:
    return Sop(sop, tmp_path / "journal.db")


def _kinds(events: list[dict[str, Any]]) -> list[str]:
    return [e["kind"] for e in events]


def test_a_scenario_walks_the_visit_to_its_end(run: Sop, tmp_path: Path) -> None:
    path = write_scenario(tmp_path, "happy", VISIT_HAPPY)
    result = run("run", "visit", "--rulebook", str(FIXTURE), "--answers", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "欢迎再次光临" in result.stdout and "您好,王先生" in result.stdout
    assert "已完成 (礼貌送客)" in result.stdout
    shown = run.json("show", "1")
    assert shown["run"]["status"] == "finished" and shown["run"]["operator"] == "张三"
    assert [d["reason"] for d in shown["deviations"]] == ["鞋套用完了"]
    notes = [e["data"]["text"] for e in shown["events"] if e["kind"] == "note.added"]
    assert notes == ["客户要了温水"]
    recorded = {
        e["data"]["field"]: e["data"]["value"]
        for e in shown["events"]
        if e["kind"] == "field.recorded"
    }
    assert recorded == {
        "customer_name": "王先生",
        "phone": "13800000000",
        "party_size": 2,
        "satisfied": True,
    }


def test_critical_items_keep_their_place(run: Sop, tmp_path: Path) -> None:
    """A critical item written last is asked last, marked, not moved ahead."""
    path = write_scenario(tmp_path, "happy", VISIT_HAPPY)
    result = run("run", "visit", "--rulebook", str(FIXTURE), "--answers", str(path))
    block = result.stdout.split("第 2 步 (至少还有 4 步) · 指引客户就座穿鞋套")[1]
    assert block.index("将客户引领至鞋套箱前") < block.index("确认地面无水渍")
    assert "关键" in block.split("将客户引领至鞋套箱前")[1].split("确认地面无水渍")[0]
    shown = run.json("show", "1")
    checked = [
        e["data"]
        for e in shown["events"]
        if e["kind"] == "item.checked" and e["data"]["step"] == "shoe_covers"
    ]
    assert [(c["text"], c["status"]) for c in checked] == [
        ("将客户引领至鞋套箱前的座椅,递上干净的鞋套", "skipped"),
        ("确认地面无水渍", "done"),
    ]


def test_a_call_returns_to_the_callers_next(run: Sop, tmp_path: Path) -> None:
    path = write_scenario(tmp_path, "happy", VISIT_HAPPY)
    assert run("run", "visit", "--rulebook", str(FIXTURE), "--answers", str(path)).returncode == 0
    events = run.json("show", "1")["events"]
    at = _kinds(events).index("call.started")
    assert events[at]["data"]["with"] == {"destination": "项目入口"}
    tail = [(e["kind"], e["data"].get("step")) for e in events[at:]]
    assert tail[:8] == [
        ("call.started", "ride"),
        ("step.entered", "board"),
        ("item.checked", "board"),
        ("branch.taken", "board"),
        ("step.entered", "arrive"),
        ("call.returned", None),
        ("branch.taken", "ride"),
        ("step.entered", "farewell"),
    ]
    text = run("show", "1").stdout
    assert "↳ 调用 看楼车服务流程" in text and "请上车" not in text  # the journal, not the script


def test_an_emergency_interrupts_and_the_visit_resumes_at_the_same_step(
    run: Sop, tmp_path: Path
) -> None:
    data = copy.deepcopy(VISIT_HAPPY)
    data["steps"]["during_visit"][0]["emergency"] = "fire"
    data["inputs"]["spreading"] = False
    data["steps"]["fire:report"] = {"record": {"location": "B栋二楼", "injured": 0}}
    path = write_scenario(tmp_path, "fire", data)
    result = run("run", "visit", "--rulebook", str(FIXTURE), "--answers", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "启动应急流程: 火情处理" in result.stdout
    assert "应急流程 火情处理 已结束 (已处理完毕)。继续 样板房服务流程: 参观中" in result.stdout
    visit = run.json("show", "1")["events"]
    kinds = _kinds(visit)
    cut, back = kinds.index("run.interrupted"), kinds.index("run.continued")
    assert visit[cut]["data"]["step"] == "during_visit" and visit[cut]["data"]["by"] == 2
    assert back == cut + 1  # nothing happened to the visit in between
    after = visit[back + 1]
    assert after["kind"] == "choice.made" and after["data"]["step"] == "during_visit"
    fire = run.json("show", "2")
    assert fire["run"]["parent"] == 1 and fire["run"]["outcome"] == "handled"
    report = run("report", "2").stdout
    assert "事故情况和处理报告" in report and "中断了    #1 样板房服务流程" in report
    notified = report.split("通知与报告")[1].split("偏差")[0]
    assert "拨打 119 报警" in notified and "通知现场主管" in notified
    assert "起火位置  B栋二楼" in report


@pytest.mark.parametrize(
    "change, message",
    [
        (
            lambda d: d["steps"]["during_visit"][0].update(choice="客户想拍照"),
            "场景不符合流程 (步骤 during_visit): 选项 '客户想拍照' 现在不可选",
        ),
        (
            lambda d: d["steps"]["register"]["record"].pop("customer_name"),
            "场景不符合流程 (步骤 register): 《样板间客户接待记录表》的字段 customer_name",
        ),
        (
            lambda d: d["steps"]["register"]["record"].update(party_size="两个"),
            "字段 party_size 的值 '两个': 请输入整数",
        ),
        (
            lambda d: d["steps"].update(watch_children={}),
            "场景不符合流程 (步骤 watch_children): 场景写了这一步, 但运行没有到达",
        ),
        (
            lambda d: d["steps"]["shoe_covers"].update(do=["done"]),
            "此步有 2 个检查项, do 给了 1 个答案",
        ),
        (lambda d: d["inputs"].pop("returning"), "场景不符合流程 (步骤 greet): 输入项 returning"),
        (lambda d: d.update(expect="cancelled"), "运行的结果是 completed, 场景期望 cancelled"),
    ],
)
def test_a_scenario_that_does_not_fit_names_the_step_and_the_reason(
    run: Sop, tmp_path: Path, change: Any, message: str
) -> None:
    data = copy.deepcopy(VISIT_HAPPY)
    change(data)
    path = write_scenario(tmp_path, "bad", data)
    result = run("run", "visit", "--rulebook", str(FIXTURE), "--answers", str(path))
    assert result.returncode == 1, result.stdout
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_pipe_is_read_one_answer_per_line_and_bad_answers_are_asked_again(run: Sop) -> None:
    answers = "也许\ny\n\n否\n\n\nn 客户很满意\n?\n"
    result = run("run", "visit", "--rulebook", str(FIXTURE), "--set", "surname=王", input=answers)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert '请回答 是 或 否 (y/n), 而不是 "也许"' in out
    assert "备注已记录" in out and "在任何提问处都可以输入" in out
    assert "(输入结束)" in out and "已暂停运行 #1" in out and "sop resume 1" in out
    runs = run.json("runs", "--status", "paused")
    assert [r["id"] for r in runs] == [1] and runs[0]["step_title"] == "指引客户就座穿鞋套"


def test_resume_asks_only_what_was_not_answered(run: Sop) -> None:
    first = run("run", "visit", "--rulebook", str(FIXTURE), input="是\n\n\n")
    assert "已暂停" in first.stdout
    before = run.json("show", "1")["events"]
    # The surname (optional) was left empty; greet is done; shoe covers asks children next.
    second = run("resume", "1", input="否\n\n\n是\n1\n王女士\n\n1\n是\n\n")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "继续运行 #1" in second.stdout and "客户是否二次以上来访" not in second.stdout
    assert "已完成 (礼貌送客)" in second.stdout
    after = run.json("show", "1")["events"]
    assert after[: len(before)] == before
    asked = [e["data"]["name"] for e in after if e["kind"] == "input.answered"]
    assert len(asked) == len(set(asked))
    assert run("resume", "1").returncode == 1  # finished runs cannot be resumed


def test_set_answers_inputs_in_advance_and_is_checked(run: Sop) -> None:
    result = run(
        "run",
        "visit",
        "--rulebook",
        str(FIXTURE),
        "--set",
        "returning=是",
        "--set",
        "surname=李",
        input="",
    )
    assert "您好,李先生,欢迎再次光临" in result.stdout
    assert "客户是否二次以上来访" not in result.stdout
    bad = run("run", "visit", "--rulebook", str(FIXTURE), "--set", "returning=也许")
    assert bad.returncode == 1 and "--set returning=也许" in bad.stderr
    unknown = run("run", "visit", "--rulebook", str(FIXTURE), "--set", "colour=红")
    assert unknown.returncode == 1 and '没有输入项 "colour"' in unknown.stderr
    missing = run("run", "vist", "--rulebook", str(FIXTURE))
    assert missing.returncode == 2 and '是不是 "visit"' in missing.stderr


def test_p_pauses_and_resume_continues_on_the_pinned_rulebook(run: Sop, tmp_path: Path) -> None:
    book = tmp_path / "book"
    shutil.copytree(FIXTURE, book)
    first = run("run", "visit", "--rulebook", str(book), input="否\n\n\np\n")
    assert first.returncode == 0 and "已暂停运行 #1" in first.stdout
    visit = book / "visit.yaml"
    visit.write_text(
        visit.read_text(encoding="utf-8").replace(
            "title: 指引客户就座穿鞋套", "title: 请客户穿鞋套"
        ),
        encoding="utf-8",
    )
    second = run("resume", "1", input="p\n")
    assert "规则手册在运行开始后已修改" in second.stdout
    assert "指引客户就座穿鞋套" in second.stdout and "请客户穿鞋套" not in second.stdout
    shown = run.json("show", "1")["events"]
    assert [e["data"]["rulebook_changed"] for e in shown if e["kind"] == "run.resumed"] == [True]
    third = run("run", "visit", "--rulebook", str(book), input="否\n\n\n")
    assert "请客户穿鞋套" in third.stdout  # a new run takes the new version


def test_due_lists_deadlines_across_runs(run: Sop, tmp_path: Path) -> None:
    data = copy.deepcopy(VISIT_HAPPY)
    data["now"] = "2026-01-05T10:00:00+08:00"
    data["steps"]["register"] = {"pause": True}
    data.pop("expect")
    for step in ("shuttle:board", "farewell"):
        data["steps"].pop(step)
    path = write_scenario(tmp_path, "late", data)
    result = run("run", "visit", "--rulebook", str(FIXTURE), "--answers", str(path))
    assert "已暂停运行 #1" in result.stdout, result.stdout + result.stderr
    due = run.json("due", "--rulebook", str(FIXTURE))
    assert [(d["run"], d["step_title"], d["kind"], d["state"]) for d in due] == [
        (1, "登记客户信息", "within", "overdue")
    ]
    assert due[0]["at"].startswith("2026-01-06T10:00")
    text = run("due", "--rulebook", str(FIXTURE)).stdout
    assert "#1" in text and "24h" in text and "已超时" in text
    resumed = run("resume", "1", input="")
    assert "登记客户信息 · 限时 24h" in resumed.stdout and "已超时" in resumed.stdout


def test_runs_show_report_and_verify_through_the_cli(run: Sop, tmp_path: Path) -> None:
    path = write_scenario(tmp_path, "happy", VISIT_HAPPY)
    for _ in range(2):
        assert (
            run("run", "visit", "--rulebook", str(FIXTURE), "--answers", str(path)).returncode == 0
        )
    listed = run("runs").stdout.splitlines()
    assert listed[0].split()[:2] == ["编号", "状态"]
    assert listed[1].startswith("#2") and "已完成" in listed[1] and "礼貌送客" in listed[1]
    assert "completed" not in listed[1]  # an outcome id is not for staff
    assert run.json("runs", "--procedure", "fire") == []
    assert run("runs", "--procedure", "fire").stdout.strip() == "没有符合条件的运行。"
    show = run("show", "1").stdout
    assert "执行人: 张三" in show and "跳过: 鞋套用完了" in show and "✎ 备注: 客户要了温水" in show
    report = run("report", "1").stdout
    assert "《样板间客户接待记录表》" in report and "客户姓名  王先生" in report
    md = run("report", "1", "--format", "md").stdout
    assert "| 客户姓名 | 王先生 |" in md
    table = run("report", "--form", "visitor_log", "--format", "md").stdout
    assert table.count("| #") == 2 and "共 2 行" in table
    verify = run("journal", "verify")
    assert verify.returncode == 0 and "哈希链完整" in verify.stdout
    assert run.json("journal", "verify")["ok"] is True


def test_reading_commands_on_a_missing_journal_say_so(run: Sop) -> None:
    for command in (["show", "1"], ["report", "1"], ["runs"], ["due"], ["journal", "verify"]):
        result = run(*command)
        assert result.returncode == 1 and "日志文件不存在" in result.stderr, command
        assert str(run.journal) in result.stderr
    assert not run.journal.exists()  # reading never creates a journal


def test_journey_deadlines_follow_milestones_and_routines_their_clock_time(
    run: Sop, tmp_path: Path
) -> None:
    journey = write_scenario(
        tmp_path,
        "journey",
        {
            "now": "2026-03-02T15:00:00+08:00",
            "steps": {"sign": {}, "thank": {"pause": True}},
        },
    )
    result = run("run", "journey", "--rulebook", str(FIXTURE), "--answers", str(journey))
    assert "已暂停运行 #1" in result.stdout, result.stdout + result.stderr
    night = run("run", "night", "--rulebook", str(FIXTURE), input="")
    assert "已暂停运行 #2" in night.stdout
    due = {d["run"]: d for d in run.json("due")}
    # A journey touchpoint falls on a day: signed on 03-02, due the day after.
    assert due[1]["kind"] == "due" and due[1]["date"] == "2026-03-03"
    assert due[1]["state"] == "overdue" and due[1]["step_title"] == "签约次日致电感谢"
    assert due[2]["kind"] == "at" and due[2]["at"][11:16] == "19:00"
    shown = run.json("show", "1")["events"]
    assert [e["data"]["name"] for e in shown if e["kind"] == "milestone.reached"] == ["signed"]
    # `ask` asks at the step itself, before its script is shown.
    resumed = run("resume", "1", input="2\n")
    out = resumed.stdout
    assert out.index("客户满意度 (1-5)") < out.index("感谢您选择翠湖")
    assert "客户不满意, 转入: 上报主管跟进" in out


def test_resuming_a_run_that_waits_for_an_emergency_resumes_the_emergency_first(
    run: Sop,
) -> None:
    first = run(
        "run", "visit", "--rulebook", str(FIXTURE), "--set", "returning=否", input="!\n1\ny\n"
    )
    assert "启动应急流程: 火情处理" in first.stdout and "已暂停运行 #2 (火情处理)" in first.stdout
    statuses = {r["id"]: r["status"] for r in run.json("runs")}
    assert statuses == {1: "waiting", 2: "paused"}
    second = run("resume", "1", input="y\n否\ny\nB栋\n0\ny\n")
    out = second.stdout
    assert "继续运行 #2: 火情处理, 当前步骤: 报警" in out
    assert "(样板房服务流程 正在等待此应急流程结束)" in out
    assert "应急流程 火情处理 已结束 (已处理完毕)。继续 样板房服务流程: 迎宾服务" in out
    assert out.count("站在样板房主入口处迎接客户") >= 1
    statuses = {r["id"]: r["status"] for r in run.json("runs")}
    assert statuses[2] == "finished" and statuses[1] in ("active", "paused")
    events = run.json("show", "1")["events"]
    assert [e["kind"] for e in events if e["kind"].startswith("run.")][:3] == [
        "run.started",
        "run.interrupted",
        "run.continued",
    ]
