"""Journeys end to end: one customer through all eight stages; the call list
checked against an independent computation over many generated journeys of
every journey in the bundled rulebook; milestones given, planned and
corrected by `sop milestone`; a half-finished journey as `sop show` tells
it; a v1 journal brought up to date; the list as CSV for Excel."""

from __future__ import annotations

import calendar
import json
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from engine.journal import Journal
from engine.journal import schema as journal_schema
from tests import journey_gen
from tests.conftest import Runner
from tests.journey_gen import Plan, Visit
from tests.runtime_support import BUNDLED, FIXTURE, Sop, write_scenario

ROOT = Path(__file__).resolve().parent.parent
QUIET = FIXTURE  # a rulebook with no scheduled duties
SCENARIO = ROOT / "examples" / "vanke-6plus2" / "scenario.yaml"
STAGES = [
    "温馨牵手",
    "喜结连理",
    "亲密接触",
    "恭迎乔迁",
    "嘘寒问暖",
    "承担责任",
    "一路同行",
    "四年之约",
]
# `sop due` as of a day other than today counts from that day's midnight, in
# the zone of the machine it runs on; the generated journeys keep China's time.
CHINA = {"TZ": "CST-8"}


@pytest.fixture
def run(sop: Runner, tmp_path: Path) -> Sop:
    return Sop(sop, tmp_path / "journal.db")


@contextmanager
def _scratch(tmp_path: Path) -> Iterator[Path]:
    """A fresh folder for a journal of many generated journeys: in memory
    (/dev/shm) where there is one, as the journal syncs each event to disk."""
    shm = Path("/dev/shm")
    where = shm if shm.is_dir() and os.access(shm, os.W_OK) else tmp_path
    with tempfile.TemporaryDirectory(dir=where, prefix="sop-journeys-") as folder:
        yield Path(folder)


def _days(run: Sop, *args: str, env: dict[str, str] | None = None) -> list[dict[str, Any]]:
    # The runs' deadlines come from the journal (each run's own pinned
    # rulebook); the bundled rulebook's routines, ten years of them, are not
    # what these tests are about, so a rulebook without scheduled duties is
    # named, unless a role is asked for: roles are looked up in the rulebook.
    quiet = () if "--role" in args else ("-R", str(QUIET))
    result = run("due", *args, "--format", "json", *quiet, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    items: list[dict[str, Any]] = json.loads(result.stdout)
    return [i for i in items if i["run"] is not None]


# ---- one customer, eight stages


def test_one_customer_walks_all_eight_stages_on_their_dates(run: Sop) -> None:
    result = run("run", "vanke-6plus2", "--rulebook", str(BUNDLED), "--answers", str(SCENARIO))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "已完成 (四年之约" in result.stdout and "(completed)" not in result.stdout, result.stdout
    shown = run.json("show", "1")
    assert (shown["run"]["status"], shown["run"]["outcome"]) == ("finished", "completed")
    journey = shown["journey"]
    assert [s["stage"] for s in journey["stages"]] == STAGES
    assert journey["customer"] == "王建国 13912345678"
    scenario = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))
    worked_on: dict[str, str] = {}
    day = scenario["now"][:10]
    for step, answers in scenario["steps"].items():
        # PyYAML reads the key `on` as True (YAML 1.1); sop's own loader does not.
        day = str((answers or {}).get(True, day))[:10]
        worked_on[step] = day
    shown_steps = [t["step"] for s in journey["stages"] for t in s["touchpoints"]]
    assert shown_steps == list(worked_on)  # the scenario's path takes every step
    for stage in journey["stages"]:
        for t in stage["touchpoints"]:
            assert t["state"] == "done", t
            assert t["done_at"][:10] == worked_on[t["step"]], t
    dates = {m["name"]: m["date"][:10] for m in journey["milestones"]}
    assert dates == {
        "deposit": "2026-03-14",
        "signed": "2026-04-02",
        "handover": "2027-06-30",
        "moved_in": "2027-07-15",
        "warranty_end": "2029-06-30",
    }
    assert not any(m["planned"] for m in journey["milestones"])
    # A finished journey is on nobody's list.
    assert _days(run, "--at", "2027-07-01", "--days", "3660") == []
    text = run("show", "1").stdout
    assert text.count("✓") == len(shown_steps) and "【四年之约】" in text


# ---- the call list, worked out without the engine's date code


def _plus_months(d: date, months: int) -> date:
    """Same day of the month, or the month's last day when it is shorter."""
    year, month = d.year, d.month
    step = 1 if months > 0 else -1
    for _ in range(abs(months)):
        month += step
        if month == 13:
            year, month = year + 1, 1
        elif month == 0:
            year, month = year - 1, 12
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _touchpoint(step: dict[str, Any], known: dict[str, str]) -> date | None:
    """The day a journey step falls due, from its `due` rule as written —
    or, for the step that marks a milestone, that milestone's date if given."""
    rule = step.get("due")
    if rule is None:
        name = step.get("milestone")
        return date.fromisoformat(known[name]) if name in known else None
    ((side, anchor),) = [(k, v) for k, v in rule.items() if k in ("after", "before")]
    ((unit, amount),) = [(k, v) for k, v in rule.items() if k not in ("after", "before")]
    if anchor not in known:
        return None
    base, n = date.fromisoformat(known[anchor]), amount if side == "after" else -amount
    if unit == "days":
        return base + timedelta(days=n)
    if unit == "weeks":
        return base + timedelta(days=7 * n)
    if unit == "months":
        return _plus_months(base, n)
    assert unit == "years", rule  # no journey counts in hours
    return _plus_months(base, 12 * n)


def _duration(text: str) -> timedelta:
    m = re.fullmatch(r"(\d+)\s*(min|h|d)", text)
    assert m, f"within: {text} is a shape this test does not know"
    return timedelta(**{{"min": "minutes", "h": "hours", "d": "days"}[m[2]]: int(m[1])})


def _deadlines(plan: Plan) -> list[tuple[str, date, datetime | None]]:
    """(kind, day, moment) of what the step a journey stopped at waits for."""
    stop = plan.stop()
    if stop is None:
        return []
    step = plan.doc["steps"][stop.step]
    out: list[tuple[str, date, datetime | None]] = []
    if "within" in step:
        moment = stop.entered + _duration(str(step["within"]))
        out.append(("within", moment.date(), moment))
    if "at" in step:
        hour, minute = (int(p) for p in str(step["at"]).split(":"))
        moment = stop.entered.replace(hour=hour, minute=minute, second=0, microsecond=0)
        out.append(("at", moment.date(), moment))
    day = _touchpoint(step, stop.milestones)
    if day is not None:
        out.append(("due", day, None))
    return out


def _expected(
    plans: list[Plan],
    at: date,
    days: int,
    site: str | None = None,
    role: str | None = None,
    overdue: bool = False,
) -> list[tuple[Any, ...]]:
    book = journey_gen.book()
    midnight = datetime.combine(at, time(), journey_gen.CST)
    out = []
    for p in plans:
        stop = p.stop()
        for kind, day, moment in _deadlines(p):
            assert stop is not None
            step = p.doc["steps"][stop.step]
            title = book.roles[step["role"]]
            if day > at + timedelta(days=days) or (site and p.site != site):
                continue
            if role and role != step["role"] and role not in title:
                continue
            late = day < at if moment is None else moment <= midnight
            state = "overdue" if late else "today" if day == at else "upcoming"
            if overdue and state != "overdue":
                continue
            out.append(
                (
                    p.run,
                    p.journey,
                    stop.step,
                    kind,
                    day.isoformat(),
                    moment.strftime("%H:%M") if moment else None,
                    state,
                    (day - at).days,
                    p.site,
                    p.customer,
                    step["role"],
                    title,
                    step.get("stage"),
                    step["title"],
                    p.doc["title"],
                )
            )
    return sorted(out, key=repr)


def _listed(run: Sop, at: date, *args: str) -> list[tuple[Any, ...]]:
    items = _days(run, "--at", at.isoformat(), *args, env=CHINA)
    return sorted(
        (
            (
                i["run"],
                i["procedure"],
                i["step"],
                i["kind"],
                i["date"],
                i["at"][11:16] if i["kind"] != "due" else None,
                i["state"],
                i["days"],
                i["site"],
                i["customer"],
                i["role"],
                i["role_title"],
                i["stage"],
                i["step_title"],
                i["procedure_title"],
            )
            for i in items
        ),
        key=repr,
    )


def _not_today(d: date) -> date:
    """`sop due --at` today counts from this minute, not midnight."""
    return d + timedelta(days=1) if d == date.today() else d


AROUND = date(2026, 11, 20)  # the generated journeys begin up to three years before


@settings(
    max_examples=2,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: seconds an example
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(seed=3, offset=0, ahead=7)
@example(seed=2, offset=-400, ahead=60)
@given(
    seed=st.integers(0, 2**32 - 1),
    offset=st.integers(-1100, 400),
    ahead=st.sampled_from((0, 1, 7, 30, 90, 400, 3660)),
)
def test_the_call_list_matches_an_independent_computation(
    sop: Runner, tmp_path: Path, seed: int, offset: int, ahead: int
) -> None:
    """60 journeys on two sites; the list as of one day and a horizon drawn by
    hypothesis, then by site, by role (id, title, part of a title), overdue."""
    plans = journey_gen.plans(60, seed, AROUND)
    with _scratch(tmp_path) as folder:
        run = Sop(sop, folder / "journal.db")
        with Journal(str(run.journal)) as journal:
            journey_gen.walk(journal, plans)
            # Where each journey stopped and the dates it knows there, as the
            # generator worked them out from the scenario by the language's rules.
            for p in plans:
                stop = p.stop()
                assert p.status == ("finished" if stop is None else "paused"), p.scenario()
                row = journal.run(p.run)
                assert row is not None and (stop is None or row.step == stop.step)
                known = {}
                for e in journal.events(p.run):
                    if e.kind == "milestone.reached":
                        known[e.data["name"]] = (e.data.get("date") or e.at)[:10]
                assert stop is None or known == stop.milestones, (p.run, p.scenario())
        day = _not_today(AROUND + timedelta(days=offset))
        for on, days in ((day, ahead), (_not_today(AROUND), 3660)):
            assert _listed(run, on, "--days", str(days)) == _expected(plans, on, days), (on, days)
        site = journey_gen.SITES[seed % 2]
        assert _listed(run, day, "--site", site, "--days", str(ahead)) == _expected(
            plans, day, ahead, site=site
        )
        for role in ("call_centre", "呼叫中心 (集团呼叫中心)", "置业"):
            assert _listed(run, day, "--role", role, "--days", "365") == _expected(
                plans, day, 365, role=role
            ), role
        assert _listed(run, day, "--overdue", "--site", site, "--role", "sales_consultant") == (
            _expected(plans, day, 7, site=site, role="sales_consultant", overdue=True)
        )


def test_the_generated_journeys_reach_what_the_list_must_get_right() -> None:
    """What the seeds above cover, worked out without running them: every
    journey and both sites, each kind of deadline and state, month ends."""
    plans = [p for seed in (3, 2) for p in journey_gen.plans(60, seed, AROUND)]
    wide = _expected(plans, AROUND, 3660)
    assert len(wide) >= 50, len(wide)
    assert {p.journey for p in plans} == set(journey_gen.WEIGHTS)
    assert {i[8] for i in wide} == set(journey_gen.SITES)
    assert {i[3] for i in wide} == {"due", "within", "at"}
    assert {i[6] for i in wide} >= {"overdue", "upcoming"}
    assert len({i[10] for i in wide}) >= 5  # roles
    assert any(p.stop() is None for p in plans)  # journeys that ran to their end
    assert any(p.customer is None for p in plans)  # paused before the customer was asked
    # Counted in months from a month's end, or in years from a leap day, and
    # landing in a shorter month: 31 January + 1 month, 29 February + 1 year.
    clamped = []
    for p in plans:
        stop = p.stop()
        rule = p.doc["steps"][stop.step].get("due") if stop else None
        if stop is None or not rule or not {"months", "years"} & set(rule):
            continue
        anchor = stop.milestones.get(rule.get("after") or rule.get("before"))
        when = _touchpoint(p.doc["steps"][stop.step], stop.milestones)
        if anchor and when and when.day < int(anchor[8:]):
            clamped.append((anchor, when.isoformat()))
    assert any(when[5:7] == "02" for _, when in clamped), clamped
    assert any(anchor[5:] == "02-29" for anchor, _ in clamped), clamped


def test_month_arithmetic_clamps_to_the_months_last_day() -> None:
    """The test's own arithmetic, on the cases the generated dates aim at."""
    assert _plus_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert _plus_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert _plus_months(date(2028, 3, 31), -1) == date(2028, 2, 29)
    assert _plus_months(date(2027, 11, 30), 3) == date(2028, 2, 29)
    assert _plus_months(date(2028, 2, 29), 12) == date(2029, 2, 28)
    assert _plus_months(date(2028, 2, 29), 48) == date(2032, 2, 29)
    assert _plus_months(date(2027, 5, 31), -3) == date(2027, 2, 28)


# ---- journeys written as scenario files, with dates around today

VANKE_PATH = [
    "viewing", "sales_supervision", "deposit", "deposit_sms", "signing", "signing_revisit",
    "progress_letter", "site_open_day", "group_purchase", "decoration_talk_offer", "handover",
    "first_contact", "handover_revisit", "move_in", "three_month_plan", "owner_forum",
    "care_activity", "responsibility", "one_year_check", "warranty_reminder", "loyalty_fund",
    "community_culture", "four_year_visit",
]  # fmt: skip


def _local(d: date, hour: int = 10) -> datetime:
    """A moment of day `d` in this machine's zone, which `sop show` counts days in."""
    return datetime.combine(d, time(hour)).astimezone()


def _vanke(
    tmp_path: Path,
    run: Sop,
    stop: str,
    on: dict[str, date],
    customer: str = "王建国",
) -> None:
    """A 6+2 journey (no decoration talk, not a home-visit household) started
    through the CLI and paused at `stop`; `on` dates the steps worked on."""
    visits = [Visit(s, _local(on[s]) if s in on else None) for s in VANKE_PATH]
    visits[VANKE_PATH.index("decoration_talk_offer")].choice = "本项目不组织"
    plan = Plan(
        journey="vanke-6plus2",
        site="滨江花园",
        inputs={"customer": customer, "phone": "13900000001", "three_day_refund": False,
                "in_visit_sample": False, "inspection_tips": False},
        now=_local(min(on.values()), 9),
        milestones={},
        visits=visits[: VANKE_PATH.index(stop) + 1],
        pause=True,
    )  # fmt: skip
    path = write_scenario(tmp_path, f"journey-{customer}", plan.scenario())
    result = run("run", "vanke-6plus2", "--rulebook", str(BUNDLED), "--answers", str(path))
    assert "已暂停运行" in result.stdout, result.stdout + result.stderr


def test_sop_milestone_by_id_and_title_planned_and_corrected(run: Sop, tmp_path: Path) -> None:
    today = date.today()
    start = today - timedelta(days=700)
    on = {"deposit": start + timedelta(days=5), "signing": start + timedelta(days=20),
          "handover": start + timedelta(days=300), "move_in": start + timedelta(days=310),
          "warranty_reminder": today - timedelta(days=1)}  # fmt: skip
    on["viewing"] = start
    _vanke(tmp_path, run, "warranty_reminder", on)
    # The warranty's end has no date: the reminder before it is on no list.
    assert _days(run, "--days", "3660") == []
    shown = run.json("show", "1")["journey"]
    reminder = [t for s in shown["stages"] for t in s["touchpoints"] if t["state"] == "waiting"]
    assert [(t["step"], t["due"], t["rule"]) for t in reminder] == [
        ("warranty_reminder", None, "保修期届满日前 1 个月")
    ]
    # A planned date, by id: a month-end, so the month before ends earlier.
    end = date(today.year + 2, 3, 31)
    before = date(end.year, 2, 29 if calendar.isleap(end.year) else 28)
    given = run("milestone", "1", "warranty_end", end.isoformat())
    assert given.returncode == 0, given.stderr
    assert f"已记录 保修期届满日: {end} (计划日期)" in given.stdout, given.stdout
    assert f"当前触点「保修期届满前客户温馨提示」到期: {before}" in given.stdout
    listed = _days(run, "--days", str((before - today).days))
    assert [(i["run"], i["step"], i["date"], i["state"]) for i in listed] == [
        (1, "warranty_reminder", before.isoformat(), "upcoming")
    ]
    assert _days(run, "--days", str((before - today).days - 1)) == []
    # Corrected by title, to a date already past: the reminder is overdue.
    past = today - timedelta(days=10)
    corrected = run("milestone", "1", "保修期届满日", past.isoformat())
    assert f"已记录 保修期届满日: {past}\n" in corrected.stdout, corrected.stdout
    assert f"更正, 原为 {end}" in corrected.stdout
    month_before = _plus_months(past, -1)
    listed = _days(run)
    assert [(i["date"], i["state"], i["days"]) for i in listed] == [
        (month_before.isoformat(), "overdue", (month_before - today).days)
    ]
    milestones = {m["name"]: m for m in run.json("show", "1")["journey"]["milestones"]}
    assert milestones["warranty_end"] == {
        "name": "warranty_end",
        "title": "保修期届满日",
        "date": past.isoformat(),
        "planned": False,
    }
    # A title's beginning will do, when only one title begins so.
    again = run("milestone", "1", "保修", end.isoformat())
    assert again.returncode == 0 and "(计划日期)" in again.stdout, again.stderr


def test_sop_milestone_says_plainly_what_is_wrong(run: Sop, tmp_path: Path) -> None:
    today = date.today()
    _vanke(tmp_path, run, "signing", {"viewing": today - timedelta(days=3)})
    unknown = run("milestone", "1", "sined", "2026-11-01")
    assert unknown.returncode == 1, unknown.stdout
    assert '没有里程碑 "sined"。是不是 "signed"?' in unknown.stderr, unknown.stderr
    assert "可用的里程碑: 落定日, 签约日" in unknown.stderr and "Traceback" not in unknown.stderr
    for bad in ("2026-13-01", "8:30", "2026-02-30"):
        said = run("milestone", "1", "签约日", bad)
        assert said.returncode == 1, said.stdout
        assert f'签约日的日期 "{bad}" 不对' in said.stderr and "Traceback" not in said.stderr
    missing = run("milestone", "99", "signed", "2026-11-01")
    assert missing.returncode == 1 and "日志中没有运行 99" in missing.stderr
    # A journey that has ended takes no more dates.
    done = write_scenario(
        tmp_path,
        "replied",
        {"inputs": {"customer": "李女士", "phone": "13800000002"},
         "steps": {"record_question": {"record": {"question": "物业费", "received_by": "李"}},
                   "call_back": {"record": {"reply": "2.8 元"}}, "closed": {}},
         "expect": "replied"},
    )  # fmt: skip
    finished = run(
        "run", "property-question-callback", "--rulebook", str(BUNDLED), "--answers", str(done)
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    refused = run("milestone", "2", "replied", today.isoformat())
    assert refused.returncode == 1 and "已结束, 不能再记录里程碑" in refused.stderr
    # None of these mistakes left a trace in the journal.
    events = run.json("show", "1")["events"]
    assert not any(e["kind"] == "milestone.reached" and e["data"]["name"] == "signed"
                   for e in events)  # fmt: skip


def test_show_tells_a_half_finished_journey_by_todays_date(run: Sop, tmp_path: Path) -> None:
    today = date.today()
    ago = {n: today - timedelta(days=n) for n in range(0, 400)}
    # 1: handed over ten days ago; the revisit a week after is three days late.
    _vanke(tmp_path, run, "handover_revisit", {"viewing": ago[300], "deposit": ago[290],
           "deposit_sms": ago[289], "signing": ago[280], "signing_revisit": ago[273],
           "decoration_talk_offer": ago[40], "handover": ago[10], "first_contact": ago[9],
           "handover_revisit": ago[0]}, customer="甲")  # fmt: skip
    # 2: signed today; the revisit is a week ahead.
    _vanke(tmp_path, run, "signing_revisit", {"viewing": ago[30], "deposit": ago[20],
           "signing": ago[0]}, customer="乙")  # fmt: skip
    # 3: moved in a year and a half ago; the warranty's end has no date yet.
    _vanke(tmp_path, run, "warranty_reminder", {"viewing": ago[399], "handover": ago[380],
           "move_in": ago[370], "one_year_check": ago[5]}, customer="丙")  # fmt: skip
    # 4: the deposit yesterday; the text message the day after is due today.
    _vanke(tmp_path, run, "deposit_sms", {"viewing": ago[2], "deposit": ago[1]}, customer="丁")

    def states(n: int) -> dict[str, tuple[str, str | None]]:
        journey = run.json("show", str(n))["journey"]
        return {t["step"]: (t["state"], t["due"]) for s in journey["stages"]
                for t in s["touchpoints"]}  # fmt: skip

    first = states(1)
    assert first["handover_revisit"] == ("overdue", ago[3].isoformat())
    assert first["decoration_talk"] == ("passed", None)  # the talk the project did not hold
    assert first["home_visit"][0] == "ahead" and first["move_in"] == ("ahead", None)
    assert first["three_month_plan"] == ("ahead", None)  # moved_in has no date yet
    assert {first[s][0] for s in VANKE_PATH[: VANKE_PATH.index("handover_revisit")]} == {"done"}
    assert first["signing_revisit"] == ("done", ago[273].isoformat())
    journey = run.json("show", "1")["journey"]
    done_at = {t["step"]: t["done_at"] for s in journey["stages"] for t in s["touchpoints"]}
    assert done_at["handover"][:10] == ago[10].isoformat() and done_at["move_in"] is None
    assert states(2)["signing_revisit"] == ("waiting", (today + timedelta(days=7)).isoformat())
    third = states(3)
    assert third["warranty_reminder"] == ("waiting", None)
    assert third["one_year_check"] == ("done", _plus_months(ago[370], 12).isoformat())
    assert third["four_year_visit"] == ("ahead", _plus_months(ago[370], 48).isoformat())
    assert states(4)["deposit_sms"] == ("due", today.isoformat())
    # The same states, as printed.
    text = run("show", "1").stdout
    assert "  ! 交付满意度回访 · 呼叫中心" in text and "  · 交付前装修讲座" in text, text
    assert "  ✓ 看楼 —— 阳光购楼、提醒风险" in text and "  ○ 装修指引, 恭喜乔迁" in text
    assert "  ◌ 保修期届满前客户温馨提示" in run("show", "3").stdout
    assert "  ● 落定发送后续服务短信" in run("show", "4").stdout
    listed = {(i["customer"][:1], i["step"], i["state"]) for i in _days(run, "--days", "7")}
    assert listed == {
        ("甲", "handover_revisit", "overdue"),
        ("乙", "signing_revisit", "upcoming"),
        ("丁", "deposit_sms", "today"),
    }


# ---- a journal from before journeys


def test_a_v1_journal_is_brought_up_to_date_with_its_deadlines_indexed(
    sop: Runner, tmp_path: Path
) -> None:
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    for statement in journal_schema._V1:
        db.execute(statement)
    db.execute("INSERT INTO snapshots VALUES ('sha', '{}')")
    revisit = {
        "kind": "due",
        "due": "2026-11-24",
        "procedure": "vanke-6plus2",
        "procedure_title": "6+2 步法客户旅程",
        "step": "signing_revisit",
        "title": "呼叫中心销售(签约)满意度回访",
        "stage": "喜结连理",
        "text": "签约日后 7 天",
        "text_en": "7 days after 签约日",
        "role": "call_centre",
        "role_title": "呼叫中心 (集团呼叫中心)",
    }
    tonight = {**revisit, "kind": "at", "due": "2026-11-23T21:00:00+08:00", "text": "21:00"}
    tonight.pop("text_en")
    for status, dues in (("paused", [tonight, revisit]), ("finished", [revisit])):
        db.execute(
            "INSERT INTO runs(procedure, title, kind, site, started_at, rulebook_sha, "
            "procedure_sha, status, updated_at, dues) VALUES ('vanke-6plus2', '6+2 步法客户旅程', "
            "'journey', '滨江花园', '2026-11-01T10:00:00+08:00', 'sha', 'p', ?, "
            "'2026-11-17T10:00:00+08:00', ?)",
            (status, json.dumps(dues, ensure_ascii=False, sort_keys=True)),  # as sop wrote it
        )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with Journal(str(path)) as journal:
        rows = journal.dues("2026-11-30")
        assert [(r.run.id, r.due["kind"], r.due["due"]) for r in rows] == [
            (1, "at", "2026-11-23T21:00:00+08:00"),
            (1, "due", "2026-11-24"),
        ]  # the finished run's deadline is not carried over
        assert [r.due["kind"] for r in journal.dues("2026-11-23")] == ["at"]
        assert journal.dues("2026-11-22") == []
        assert journal.dues("2026-11-30", site="翠湖天地一期") == []
        assert journal.run(1) is not None and journal.run(1).subject is None  # type: ignore[union-attr]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == journal_schema.VERSION
    listed = _days(Sop(sop, path), "--at", "2026-11-23", "--days", "1", env=CHINA)
    assert [(i["kind"], i["state"], i["date"], i["customer"]) for i in listed] == [
        ("at", "today", "2026-11-23", None),
        ("due", "upcoming", "2026-11-24", None),
    ]


# ---- the list for a spreadsheet


def test_csv_opens_in_excel_and_speaks_english_when_asked(run: Sop, tmp_path: Path) -> None:
    at = _not_today(AROUND)
    plans = journey_gen.plans(15, 5, at)
    with Journal(str(run.journal)) as journal:
        journey_gen.walk(journal, plans)
    out = tmp_path / "calls.csv"
    # A rulebook without schedules: the list holds the journeys' deadlines only.
    quiet = str(ROOT / "tests" / "fixtures" / "rulebook_runtime")
    written = run(
        "due", "--at", at.isoformat(), "--days", "400", "--format", "csv", "-o", str(out),
        "--rulebook", quiet, env=CHINA,
    )  # fmt: skip
    assert written.returncode == 0 and written.stdout == "", written.stderr
    raw = out.read_bytes()
    header = "日期,状态,天数,运行,客户,案场,流程,阶段,触点,岗位,依据\r\n"
    assert raw.startswith(b"\xef\xbb\xbf" + header.encode())
    rows = raw.decode("utf-8-sig").splitlines()
    expected = _expected(plans, at, 400)
    assert len(expected) > 3 and len(rows) == 1 + len(expected)
    assert {r.split(",")[1] for r in rows[1:]} <= {"已超时", "今天", "将到期"}
    english = run("due", "--at", at.isoformat(), "--format", "csv", "--lang", "en", env=CHINA)
    assert english.stdout.startswith(
        "date,state,days,run,customer,site,procedure,stage,touchpoint,role,rule\n"
    )
    assert not english.stdout.startswith("\ufeff")  # the BOM is for files Excel opens
