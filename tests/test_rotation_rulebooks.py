"""The bundled procedures that share state between runs (the sales rotation,
the joint-agency rotations, the door rota) and the ones kept by the calendar
(regional service quality, convenience services, care by stage): faithful to
their sources, taking turns across runs as the rules say, and falling due on
the days the sources give."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine.resources import bundled_rulebook
from engine.validate import load_rulebook
from tests.runtime_support import BUNDLED, sop_in_process, write_scenario

PEOPLE = ["陈晓", "王强", "赵敏"]


def _book():  # type: ignore[no-untyped-def]
    return load_rulebook(bundled_rulebook())


def _say_lines(pid: str) -> set[str]:
    proc = _book().procedures[pid]
    return {line.text.source for s in proc.steps.values() for line in s.say}


class Site:
    """One journal: the keeper's queue changes and scenario runs on it."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.journal = str(tmp_path / "j.sqlite3")
        self.n = 0

    def sop(self, *args: str) -> str:
        code, out = sop_in_process(*args, "--rulebook", str(BUNDLED), "--journal", self.journal)
        assert code == 0, out
        return out

    def join(self, queue: str, people: list[str] = PEOPLE) -> None:
        self.sop("queue", queue, "join", *people, "--operator", "张经理")

    def queue(self, queue: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.sop("queue", queue, "--format", "json"))
        return data

    def run(self, pid: str, steps: dict[str, Any], **inputs: Any) -> str:
        self.n += 1
        data = {"procedure": pid, "inputs": {"project": "翠湖天地", **inputs}, "steps": steps}
        path = write_scenario(self.tmp, f"{pid}-{self.n}", data)
        return self.sop("run", pid, "--answers", str(path), "--operator", "李娜", "--no-color")


# ---- P26 sales-rotation (001 篇5)

_RECEPTION = {
    "sales-reception:arrival": {},
    "sales-reception:greet": {},
    "sales-reception:sand_table": {},
    "sales-reception:needs": {},
    "sales-reception:present": {"choice": "客户不参观样板房"},
    "sales-reception:negotiate": {},
    "sales-reception:recommend": {},
    "sales-reception:intention": {"choice": "客户暂无购房意向"},
    "sales-reception:see_off": {},
    "sales-reception:follow_up": {},
}
_QUIET = {"booked": False, "registered": True, "three_or_more": False}


def _new_customer(done: str = "接待完毕") -> dict[str, Any]:
    return {
        "greet": {},
        "answer": {"choice": "没有联系过"},
        "by_order": {},
        "reception": {},
        **_RECEPTION,
        "reception_done": {"choice": done},
    }


def test_the_rotation_phrase_is_verbatim() -> None:
    assert "您好,欢迎光临!请问您是第一次来访吗?您是否与我们的同事电话联系过?" in _say_lines(
        "sales-rotation"
    )


def test_new_customers_go_round_the_order_across_runs(tmp_path: Path) -> None:
    """Rules 1–2, 9: each new customer is the next consultant's, counted, and
    the order moves on; the next run takes the next person."""
    site = Site(tmp_path)
    site.join("sales_rotation")
    first = site.run("sales-rotation", {**_new_customer(), "counted": {}}, **_QUIET)
    assert "由 陈晓 接待" in first and "已接待, 计有效接待一次" in first
    second = site.run("sales-rotation", {**_new_customer(), "counted": {}}, **_QUIET)
    assert "由 王强 接待" in second
    state = site.queue("sales_rotation")
    assert state["order"] == ["赵敏", "陈晓", "王强"] and state["next"] == "赵敏"
    assert state["today"]["counts"] == {"陈晓": 1, "王强": 1}


def test_researchers_go_to_the_last_and_do_not_count(tmp_path: Path) -> None:
    """Rule 4: a declared researcher is the last in the order's, not counted."""
    site = Site(tmp_path)
    site.join("sales_rotation")
    site.run("sales-rotation", {**_new_customer(), "counted": {}}, **_QUIET)
    out = site.run(
        "sales-rotation",
        {"greet": {}, "answer": {"choice": "同行市调人员, 明确说明意图"}, "researcher": {}},
    )
    assert "由 陈晓 接待" in out and "不计接待次数" in out
    state = site.queue("sales_rotation")
    assert state["today"]["counts"] == {"陈晓": 1} and state["next"] == "王强"


def test_a_confirmed_researcher_gives_the_consultant_a_make_up_turn(tmp_path: Path) -> None:
    """Rule 6: found out during the reception and confirmed together with the
    manager: not counted, and the consultant receives the next customer."""
    site = Site(tmp_path)
    site.join("sales_rotation")
    steps = {
        **_new_customer("在与客户接触过程中发现该客户是来做市调或其他与本项目无关的人员"),
        "confirm_purpose": {"choice": "已一同向销售经理证明客户来意"},
        "make_up": {},
    }
    assert "补接待一次" in site.run("sales-rotation", steps, **_QUIET)
    state = site.queue("sales_rotation")
    assert state["owed"] == ["陈晓"] and state["next"] == "陈晓"
    again = site.run("sales-rotation", {**_new_customer(), "counted": {}}, **_QUIET)
    assert "由 陈晓 接待" in again
    assert site.queue("sales_rotation")["owed"] == []


def test_a_registered_regular_whose_consultant_is_out_is_helped_uncounted(
    tmp_path: Path,
) -> None:
    """Rule 8: the last in the order assists, no new registration, not counted;
    rule 1: a first visit whose consultant is out goes by the order instead."""
    site = Site(tmp_path)
    site.join("sales_rotation")
    site.run("sales-rotation", {**_new_customer(), "counted": {}}, **_QUIET)
    steps = {
        "greet": {},
        "answer": {"choice": "与某位销售人员联系过 (来访或来电)"},
        "notify_consultant": {},
        "returning_assist": {},
        "assist_reception": {},
        **_RECEPTION,
        "assisted": {},
    }
    out = site.run(
        "sales-rotation",
        steps,
        original_consultant="赵敏",
        consultant_present=False,
        first_visit=False,
        registered=True,
        booked=False,
        three_or_more=False,
    )
    assert "由 陈晓 接待" in out and "已协助接待熟客" in out
    assert "来访客户登记表》上登记" not in out.split("协助接待熟客")[-1]
    assert site.queue("sales_rotation")["today"]["counts"] == {"陈晓": 1}


# ---- P56 rotation-desk-greeting (004 piece 8 环节2)


def test_the_door_rota_phrases_are_verbatim() -> None:
    lines = _say_lines("rotation-desk-greeting")
    for phrase in (
        "您好,欢迎光临{{ project }}。",
        "请问您是第一次过来吗?",
        "请问之前是哪个销售人员为您介绍的呢?",
        "为您介绍一下项目情况。",
    ):
        assert phrase in lines


def test_the_door_rota_gives_returning_customers_their_own_consultant(tmp_path: Path) -> None:
    """First visit → the consultant whose turn it is; returning → the original
    one; the same queue as 001 篇5's rotation, across runs."""
    site = Site(tmp_path)
    site.join("sales_rotation")
    tail = {"introduce": {}, "fill_in": {}}
    first = site.run(
        "rotation-desk-greeting", {"greet": {}, "by_turn": {}, **tail}, first_visit=True
    )
    assert "由 陈晓 接待" in first
    back = site.run(
        "rotation-desk-greeting",
        {"greet": {}, "ask_original": {}, "original": {}, **tail},
        first_visit=False,
        original_consultant="赵敏",
        consultant_present=True,
    )
    assert "由 赵敏 接待" in back
    assert site.queue("sales_rotation")["next"] == "王强"


# ---- P29 joint-agency-reception (002 策略一)


def test_groups_go_by_importance_to_the_front_desk_the_seniors_or_the_manager(
    tmp_path: Path,
) -> None:
    """情况4: ordinary visits take the 小前台 rotation, important customers the
    熟手 rotation (its own queue), very important groups the manager."""
    site = Site(tmp_path)
    site.join("sales_rotation")
    site.join("senior_rotation", ["老周", "老吴"])
    tail = {"serve": {}, "see_off": {}}
    ordinary = site.run(
        "joint-agency-reception",
        {"arrive": {"choice": "一般参观"}, "group_front_desk": {}, **tail},
        new_hire=False,
    )
    assert "由 陈晓 接待" in ordinary and "目送客户上车离开" in ordinary
    for expected in ("老周", "老吴"):
        out = site.run(
            "joint-agency-reception",
            {
                "arrive": {"choice": "重要客户 (跟万科预约过, 并且现场销售主任重点交待过)"},
                "senior": {},
                **tail,
            },
        )
        assert f"由 {expected} 接待" in out
    boss = site.run(
        "joint-agency-reception",
        {"arrive": {"choice": "非常重要的参观团或是开发商"}, "manager": {}, **tail},
    )
    assert "经理亲自接待" in boss and "轮序「" not in boss
    assert site.queue("sales_rotation")["next"] == "王强"  # the seniors' turns are their own


def test_a_new_hire_receives_only_with_a_senior_alongside() -> None:
    proc = _book().procedures["joint-agency-reception"]
    assist = proc.steps["senior_assist"]
    assert any(i.person is not None and i.person.kind == "another" for i in assist.do)
    for sid in ("front_desk", "group_front_desk"):
        targets = [b.to.name for b in proc.steps[sid].exit.branches]  # type: ignore[union-attr]
        assert "senior_assist" in targets


# 002 策略一: what the source says of conduct (how staff behave throughout, what
# never happens), as standing rules: shown where they apply, never ticked.
JOINT_AGENCY_RULES = {
    "one_goes_up": "同时上去至少两个人询问客户",
    "rotation_at_weekends": "逢周末也以轮序为主",
    "no_group_waiting": "不再出现叫人接待让参观团等候的情况",
    "no_named_receiver": "不指定一定要熟手或某人接待",
    "warm_throughout": "始终保持良好精神面貌和周到的服务",
    "satisfaction_first": "一切以客户满意为主, 成交为次",
    "script_fluent": "口径熟练, 及时更新, 不留给客户一知半解",
}


def test_joint_agency_conduct_is_standing_not_ticked() -> None:
    proc = _book().procedures["joint-agency-reception"]
    rules = {r.id: r.text for r in proc.rules}
    for rid, phrase in JOINT_AGENCY_RULES.items():
        assert phrase in rules[rid], rid
    items = [i.text.source for s in proc.steps.values() for i in s.do]
    for phrase in JOINT_AGENCY_RULES.values():
        assert not any(phrase in item for item in items), phrase
    assert not any("不同时上去" in item or "不指定" in item for item in items)


# ---- schedules: P44 regional service quality, P51 convenience services

ON_THE_DAY: list[tuple[str, str, str | None]] = [
    # 002 篇六 §2.1.3–2.1.4: 日检查 and the day's meeting, 周对标, 月考核
    ("regional-daily-check", "2026-12-08", "当天: 全天"),
    ("regional-weekly-review", "2026-12-08", "当天: 12-07 起, 12-13 前完成"),
    ("regional-monthly-assessment", "2026-12-08", "当天: 12-01 起, 12-31 前完成"),
    # 004 piece 4: every customer once by the end of September; a series before September
    ("home-service-station", "2026-06-10", "当天: 01-01 起, 09-30 前完成"),
    ("home-service-station", "2026-12-08", None),
    ("elderly-activities", "2026-08-20", "当天: 01-01 起, 08-31 前完成"),
    ("elderly-activities", "2026-09-01", None),
    ("energy-station-check", "2026-12-08", "当天: 全天"),
    ("manager-onsite-service", "2026-12-08", "当天: 12-07 起, 12-13 前完成"),
]


@pytest.mark.parametrize(("pid", "day", "expected"), ON_THE_DAY)
def test_routines_fall_on_the_days_the_sources_give(
    pid: str, day: str, expected: str | None
) -> None:
    code, out = sop_in_process(
        "render", "checklist", pid, "--rulebook", str(BUNDLED), "--date", day
    )
    assert code == 0, out
    if expected is None:
        assert "(没有事项)" in out, out
    else:
        assert expected in out, out


def test_the_weekly_onsite_service_goes_round_the_managers_week_by_week(tmp_path: Path) -> None:
    """004 piece 4: 每周1次, 每次半天, 由项目第一负责人、副经理、主任轮流: the queue
    gives each week the next one; a week done leaves `sop due`."""
    site = Site(tmp_path)
    site.join("onsite_service_rotation", ["张总", "李副经理", "王主任"])
    names = []
    for week in ("2026-12-06", "2026-12-13"):
        site.n += 1
        data = {
            "procedure": "manager-onsite-service",
            "inputs": {},
            "steps": {
                "duty": {},
                "serve": {
                    "record": {
                        "served_on": week,
                        "served_by": "值班",
                        "issues": "3号楼业主反映电梯异响, 已派单",
                    }
                },
            },
        }
        path = write_scenario(site.tmp, f"onsite-{site.n}", data)
        out = site.sop(
            "run", "manager-onsite-service", "--answers", str(path), "--for", week, "--no-color"
        )
        names.append(out)
    # a manager's on-site duty is not a reception: the queue says what its turn is
    assert "由 张总 现场服务" in names[0] and "由 李副经理 现场服务" in names[1]
    assert "接待" not in names[0].split("轮序「", 1)[1].split("\n", 1)[0]
    screen = site.sop("queue", "onsite_service_rotation")
    assert "今日现场服务" in screen and "接待" not in screen
    history = site.sop("queue", "onsite_service_rotation", "--history")
    assert "张总 现场服务 (运行 #" in history and "接待" not in history
    due = json.loads(site.sop("due", "--at", "2026-12-08", "--days", "7", "--format", "json"))
    weeks = [d["date"] for d in due if d["procedure"] == "manager-onsite-service"]
    assert weeks == [], weeks  # both weeks done: nothing owed, nothing coming
    other = [d["date"] for d in due if d["procedure"] == "regional-weekly-review"]
    assert other == ["2026-12-06", "2026-12-13"]


def test_the_daily_check_reminds_only_when_weather_or_holiday_calls_for_it() -> None:
    step = _book().procedures["regional-daily-check"].steps["reminders"]
    conditional = [i for i in step.do if i.when is not None]
    assert len(conditional) == 3
    assert any(
        "问题不过夜" in i.text.source
        for i in _book().procedures["regional-daily-check"].steps["meeting"].do
    )


def test_the_second_filter_cleaning_falls_two_months_after_the_first() -> None:
    from engine.model import Due

    due = _book().procedures["home-service-station"].steps["second_round"].due
    assert isinstance(due, Due)
    assert (due.anchor.name, due.direction, due.amount, due.unit) == (
        "first_round",
        "after",
        2,
        "months",
    )


# ---- P57 care-by-stage (004 piece 9 三–四)


def test_each_stage_does_its_own_work_and_after_sale_always_holds_an_activity(
    tmp_path: Path,
) -> None:
    site = Site(tmp_path)
    site.join("sales_rotation")  # only to open the journal
    activity = {
        "care-activity:requirement": {"record": {"requirement": "地产公司会传统性的关怀业主"}},
        "care-activity:node": {
            "record": {"node": "国家规定的节假日和其他节假日", "node_date": "2027-01-01"}
        },
        "care-activity:plan": {
            "record": {
                "suggestions": "元旦业主联欢",
                "plan": "元旦业主联欢会",
                "cost_estimate": 5000,
                "approval": "同意",
            }
        },
        "care-activity:execute": {
            "record": {"filed_at": "2026-12-10", "finance_notified_at": "2026-12-10"}
        },
    }
    after = site.run(
        "care-by-stage",
        {
            "stage": {"choice": "项目售后"},
            "after_sale": {},
            "community_care": {},
            **activity,
            "finish": {},
        },
    )
    assert "客户关怀活动操作" in after and "本阶段的客户关系维护工作已开展" in after
    before = site.run(
        "care-by-stage",
        {
            "stage": {"choice": "项目售前"},
            "pre_sale": {
                "record": {
                    "project": "翠湖天地一期",
                    "owners": "补充一期业主的家庭结构和联系方式",
                    "matched_groups": "一期改善型业主",
                    "updated_on": "2026-12-02",
                }
            },
            "finish": {},
        },
    )
    assert "已开发项目业主信息表" in before and "客户关怀活动操作" not in before
