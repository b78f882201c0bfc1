"""Journeys end to end: one customer through all eight stages, the call list
checked against an independent computation over many generated journeys, a
v1 journal brought up to date."""

from __future__ import annotations

import calendar
import json
import sqlite3
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from engine.journal import Journal
from engine.journal import schema as journal_schema
from tests import journey_gen
from tests.conftest import Runner
from tests.runtime_support import Sop

ROOT = Path(__file__).resolve().parent.parent
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


@pytest.fixture
def run(sop: Runner, tmp_path: Path) -> Sop:
    return Sop(sop, tmp_path / "journal.db")


def test_one_customer_walks_all_eight_stages_on_their_dates(run: Sop) -> None:
    import yaml

    result = run(
        "run", "vanke-6plus2", "--rulebook", str(ROOT / "sops"), "--answers", str(SCENARIO)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    journey = run.json("show", "1")["journey"]
    assert [s["stage"] for s in journey["stages"]] == STAGES
    assert journey["customer"] == "王建国 13912345678"
    scenario = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))
    worked_on: dict[str, str] = {}
    day = scenario["now"][:10]
    for step, answers in scenario["steps"].items():
        # PyYAML reads the key `on` as True (YAML 1.1); sop's own loader does not.
        day = str((answers or {}).get(True, day))[:10]
        worked_on[step] = day
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


# ---- the call list, worked out without the engine's date code


def _add_months(d: date, months: int) -> date:
    y, m = d.year + (d.month - 1 + months) // 12, (d.month - 1 + months) % 12 + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def _touchpoint(step: dict[str, Any], milestones: dict[str, str]) -> date | None:
    due = step.get("due")
    if due is None:
        name = step.get("milestone")
        return date.fromisoformat(milestones[name]) if name in milestones else None
    direction = "after" if "after" in due else "before"
    anchor = milestones.get(due[direction])
    if anchor is None:
        return None
    sign = 1 if direction == "after" else -1
    base = date.fromisoformat(anchor)
    if "days" in due:
        return base + timedelta(days=sign * due["days"])
    if "weeks" in due:
        return base + timedelta(weeks=sign * due["weeks"])
    if "months" in due:
        return _add_months(base, sign * due["months"])
    return _add_months(base, sign * 12 * due["years"])


def _expected(
    plans: list[journey_gen.Plan],
    at: date,
    days: int,
    site: str | None = None,
    role: str | None = None,
) -> list[tuple[Any, ...]]:
    steps = journey_gen.journey_steps()
    out = []
    for p in plans:
        step = steps[p.stopped]
        when = _touchpoint(step, p.milestones)
        if when is None or when > at + timedelta(days=days):
            continue
        if (site and p.site != site) or (role and step["role"] != role):
            continue
        state = "overdue" if when < at else "today" if when == at else "upcoming"
        customer = f"{p.customer} {p.phone}"
        out.append((p.run, p.stopped, when.isoformat(), state, p.site, customer))
    return sorted(out)


def _listed(run: Sop, *args: str) -> list[tuple[Any, ...]]:
    items = run.json("due", *args)
    return sorted(
        (i["run"], i["step"], i["date"], i["state"], i["site"], i["customer"]) for i in items
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_the_call_list_matches_an_independent_computation(run: Sop, seed: int) -> None:
    at = date(2026, 11, 23)
    plans = journey_gen.plans(60, seed, at)
    with Journal(str(run.journal)) as journal:
        journey_gen.walk(journal, plans)
    assert all(p.stopped for p in plans)
    for days in (0, 7, 400):
        expected = _expected(plans, at, days)
        assert _listed(run, "--at", at.isoformat(), "--days", str(days)) == expected
    listed = _expected(plans, at, 400)
    assert len(listed) > 25 and {i[3] for i in listed} >= {"overdue", "upcoming"}
    site = journey_gen.SITES[1]
    assert _listed(run, "--at", at.isoformat(), "--site", site, "--days", "60") == _expected(
        plans, at, 60, site=site
    )
    assert _listed(run, "--at", at.isoformat(), "--role", "call_centre", "--days", "60") == (
        _expected(plans, at, 60, role="call_centre")
    )
    assert _listed(run, "--at", at.isoformat(), "--role", "呼叫中心", "--days", "60") == (
        _expected(plans, at, 60, role="call_centre")
    )


def test_a_planned_date_given_later_dates_the_waiting_touchpoint(run: Sop) -> None:
    """A journey stopped at a touchpoint hanging on a milestone with no date
    is not on the list; given a (planned) date, it is, on the right day."""
    at = date(2026, 11, 23)
    plan = journey_gen.plans(1, 7, at)[0]
    plan.planned, plan.gaps, plan.stop_at = {}, [0] * 30, 22  # stops at warranty_reminder
    with Journal(str(run.journal)) as journal:
        journey_gen.walk(journal, [plan])
    assert plan.stopped == "warranty_reminder"
    assert run.json("due", "--at", at.isoformat(), "--days", "3650") == []
    given = run("milestone", str(plan.run), "保修期届满日", "2028-01-31")
    assert "已记录 保修期届满日: 2028-01-31" in given.stdout, given.stdout + given.stderr
    listed = run.json("due", "--at", at.isoformat(), "--days", "3650")
    assert [(i["step"], i["date"]) for i in listed] == [("warranty_reminder", "2027-12-31")]
    corrected = run("milestone", str(plan.run), "warranty_end", "2029-02-28")
    assert "更正, 原为 2028-01-31" in corrected.stdout
    assert [i["date"] for i in run.json("due", "--at", at.isoformat(), "--days", "3650")] == [
        "2029-01-28"
    ]


def test_milestone_mistakes_are_said_plainly(run: Sop) -> None:
    at = date(2026, 11, 23)
    plan = journey_gen.plans(1, 3, at)[0]
    plan.stop_at = 3
    with Journal(str(run.journal)) as journal:
        journey_gen.walk(journal, [plan])
    unknown = run("milestone", "1", "sined", "2026-11-01")
    assert unknown.returncode == 1 and '没有里程碑 "sined"' in unknown.stderr
    assert "signed (签约日)" in unknown.stderr
    for bad in ("2026-13-01", "8:30"):
        said = run("milestone", "1", "signed", bad)
        assert said.returncode == 1 and f"签约日 的日期 '{bad}'" in said.stderr, said.stderr
    missing = run("milestone", "99", "signed", "2026-11-01")
    assert missing.returncode == 1 and "日志中没有运行 99" in missing.stderr


def test_csv_opens_in_excel_and_speaks_english_when_asked(run: Sop, tmp_path: Path) -> None:
    at = date(2026, 11, 23)
    plans = journey_gen.plans(12, 5, at)
    with Journal(str(run.journal)) as journal:
        journey_gen.walk(journal, plans)
    out = tmp_path / "calls.csv"
    run("due", "--at", at.isoformat(), "--days", "400", "--format", "csv", "-o", str(out))
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf" + "日期,状态,天数,运行,客户".encode())
    rows = raw.decode("utf-8-sig").splitlines()
    assert len(rows) == 1 + len(_expected(plans, at, 400))
    english = run("due", "--at", at.isoformat(), "--format", "csv", "--lang", "en").stdout
    assert english.startswith("date,state,days,run,customer")


def test_a_v1_journal_is_brought_up_to_date_with_its_deadlines_indexed(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    for statement in journal_schema.MIGRATIONS[0]:
        assert isinstance(statement, str)
        db.execute(statement)
    db.execute("INSERT INTO snapshots VALUES ('sha', '{}')")
    due = {
        "kind": "due",
        "due": "2026-11-24",
        "procedure_title": "6+2 步法客户旅程",
        "title": "呼叫中心销售(签约)满意度回访",
        "text": "签约日后 7 天",
        "role": "call_centre",
    }
    db.execute(
        "INSERT INTO runs(procedure, title, kind, started_at, rulebook_sha, procedure_sha, "
        "status, updated_at, dues) VALUES ('vanke-6plus2', 't', 'journey', '2026-11-01', 'sha', "
        "'p', 'paused', '2026-11-17', ?)",
        (json.dumps([due], ensure_ascii=False),),
    )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with Journal(str(path)) as journal:
        rows = journal.dues("2026-11-30")
        assert [(r.run.id, r.due["title"]) for r in rows] == [(1, "呼叫中心销售(签约)满意度回访")]
        assert journal.dues("2026-11-23") == []
