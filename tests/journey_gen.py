"""Many customer journeys in one journal, for the call-list test and benchmark.

Each journey is a scenario (the keys of a file given to `sop run --answers`):
one of the bundled rulebook's journeys, a path through it with random
choices and inputs, a random `on:` date at most steps (now and then the last
day of a month, or 29 February), random milestone dates given at the start
or at a step (past and future, month ends, leap days), and `pause: true` at
a random step — or no pause, and the journey runs to its end. The scenarios
are walked in-process by sop's own scenario driver and runner, into one
journal (driving a process per journey would be slow).

Besides the scenario, the generator works out from the rulebook's YAML text
(PyYAML, not sop's loader or model) where each journey stops, when that step
was entered, and which milestone dates are known there — so that a test can
compute the call list on its own, without the engine's date code.
"""

from __future__ import annotations

import ast
import calendar
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from engine.journal import Journal
from engine.runtime.pinning import Pinned, pin
from engine.runtime.runner import Runner
from engine.runtime.scenario import ScenarioDriver, parse_scenario

ROOT = Path(__file__).resolve().parent.parent
SOPS = ROOT / "sops"
CST = timezone(timedelta(hours=8))
SITES = ("翠湖天地一期", "滨江花园")
# How often each journey is drawn: the long ones fill the list.
WEIGHTS = {
    "vanke-6plus2": 5,
    "opening-to-signing-care": 4,
    "pre-delivery-viewing": 2,
    "property-question-callback": 1,
}
# Journeys the generator leaves out, and why (every other journey is generated).
LEFT_OUT = {
    "sales-support-training": "a team's month of training, not a customer's journey",
}
GAPS = (0, 1, 1, 2, 3, 5, 7, 14, 30, 45, 90, 200)  # days the clock moves at a step


def read_yaml(path: Path) -> Any:
    """A rulebook file as PyYAML reads it. PyYAML (YAML 1.1) ends a plain
    scalar at a '?' inside {…} (`ask: 是否…?}`), sop's loader (YAML 1.2) does
    not; no question mark matters to dates, so each is read as '？'."""
    return yaml.safe_load(path.read_text(encoding="utf-8").replace("?", "？"))


@dataclass(frozen=True)
class Book:
    """What the call list needs from the rulebook, read from its YAML."""

    journeys: dict[str, dict[str, Any]]  # id -> the procedure as written
    roles: dict[str, str]  # id -> title
    forms: dict[str, dict[str, Any]]


@cache
def book(folder: Path = SOPS) -> Book:
    main = read_yaml(folder / "rulebook.yaml")
    journeys = {}
    for path in sorted(folder.glob("*.yaml")):
        doc = read_yaml(path)
        if isinstance(doc, dict) and doc.get("kind") == "journey":
            journeys[doc["id"]] = doc
    assert set(journeys) == set(WEIGHTS) | set(LEFT_OUT), sorted(journeys)
    journeys = {k: v for k, v in journeys.items() if k in WEIGHTS}
    roles = {rid: r["name"] for rid, r in main["roles"].items()}
    return Book(journeys, roles, main["forms"])


def holds(expr: str, values: dict[str, Any]) -> bool:
    """A `when:` of the few shapes the journeys use: a name, a comparison, not/and/or."""

    def ev(node: ast.AST) -> Any:
        if isinstance(node, ast.Name):
            return values[node.id]
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return not ev(node.operand)
        if isinstance(node, ast.BoolOp):
            parts = [bool(ev(v)) for v in node.values]
            return all(parts) if isinstance(node.op, ast.And) else any(parts)
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            left, right = ev(node.left), ev(node.comparators[0])
            ops = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "=="}
            op = ops[type(node.ops[0])]
            return {
                "<": left < right,
                "<=": left <= right,
                ">": left > right,
                ">=": left >= right,
                "==": left == right,
            }[op]
        raise AssertionError(f"when: {expr!r} is not a shape this generator knows")

    return bool(ev(ast.parse(expr, mode="eval").body))


@dataclass
class Visit:
    step: str
    on: datetime | None = None  # the clock jumps here on arrival
    milestones: dict[str, str] = field(default_factory=dict)  # given at the step
    choice: str | None = None


@dataclass(frozen=True)
class Stop:
    """Where a paused journey stands, as worked out from the scenario."""

    step: str
    entered: datetime  # when the run moved on to it
    milestones: dict[str, str]  # name -> YYYY-MM-DD known there


@dataclass
class Plan:
    """One journey as generated."""

    journey: str
    site: str
    inputs: dict[str, Any]
    now: datetime
    milestones: dict[str, str]  # given at the start
    visits: list[Visit]  # the path, as far as it goes
    pause: bool  # pauses at the last visit; else runs to the end
    run: int = 0  # filled in by walk()
    status: str = ""

    @property
    def doc(self) -> dict[str, Any]:
        return book().journeys[self.journey]

    @property
    def customer(self) -> str | None:
        """Who `sop due` names: the subject inputs, once asked (on the
        first step, before anything else — after a pause there, not yet)."""
        subject = self.doc.get("subject") or []
        names = [subject] if isinstance(subject, str) else list(subject)
        if not names or (self.pause and len(self.visits) == 1):
            return None
        return " ".join(str(self.inputs[n]) for n in names)

    def stop(self) -> Stop | None:
        """The language's rules, followed by hand: a step is entered when the
        one before it is left; `on:` moves the clock on arrival; milestone
        dates given at a step come before its first answer; leaving a step
        that marks a milestone records that day, unless a date on or before
        it was given already. None: the journey ran to its end."""
        clock = self.now
        known = dict(self.milestones)
        steps = self.doc["steps"]
        for i, visit in enumerate(self.visits):
            entered = clock
            if visit.on is not None:
                clock = visit.on
            known.update(visit.milestones)
            if self.pause and i == len(self.visits) - 1:
                return Stop(visit.step, entered, known)
            name = steps[visit.step].get("milestone")
            if name is not None:
                given = known.get(name)
                if given is None or given > clock.date().isoformat():
                    known[name] = clock.date().isoformat()
        return None

    def scenario(self) -> dict[str, Any]:
        steps: dict[str, Any] = {}
        forms = book().forms
        for i, visit in enumerate(self.visits):
            entry: dict[str, Any] = {}
            if visit.on is not None:
                entry["on"] = visit.on.isoformat()
            if visit.milestones:
                entry["milestones"] = dict(visit.milestones)
            if visit.choice is not None:
                entry["choice"] = visit.choice
            record = _record(self.doc["steps"][visit.step], forms)
            if record:
                entry["record"] = record
            if self.pause and i == len(self.visits) - 1:
                entry["pause"] = True
            steps[visit.step] = entry
        return {
            "procedure": self.journey,
            "site": self.site,
            "now": self.now.isoformat(),
            "inputs": dict(self.inputs),
            "milestones": dict(self.milestones),
            "steps": steps,
        }


_SAMPLE = {
    "text": "记录",
    "longtext": "已沟通",
    "signature": "张敏",
    "datetime": "2026-01-05 10:00",
    "date": "2026-01-05",
    "time": "10:00",
    "phone": "13800000000",
    "bool": True,
    "score": 4,
}


def _record(step: dict[str, Any], forms: dict[str, Any]) -> dict[str, Any]:
    """An answer for every field the step records (form.field keys)."""
    out: dict[str, Any] = {}
    for form_id, which in (step.get("record") or {}).items():
        fields = forms[form_id]["fields"]
        for name in fields if which == "all" else which:
            spec = fields[name]
            kind = spec["type"]
            if kind == "choice":
                value: Any = spec["options"][0]
            elif kind in ("int", "number"):
                value = spec.get("min", 1)
            else:
                value = _SAMPLE[kind]
            out[f"{form_id}.{name}"] = value
    return out


def month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _shift_months(d: date, months: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 + months, 12)
    return date(y, m + 1, 1)


def _next_leap_day(d: date) -> date:
    year = d.year if d <= date(d.year, 2, 28) else d.year + 1
    while not calendar.isleap(year):
        year += 1
    return date(year, 2, 29)


def _milestone_date(rnd: random.Random, today: date) -> str:
    """Past or future, now and then a month's last day or a leap day."""
    r = rnd.random()
    if r < 0.35:
        d = month_end(_shift_months(today, rnd.randint(-14, 30)))
    elif r < 0.45:
        d = date(rnd.choice((2024, 2028, 2032)), 2, 29)
    elif r < 0.5:
        d = date(today.year + rnd.randint(-1, 3), 1, 31)
    else:
        d = today + timedelta(days=rnd.randint(-400, 900))
    return d.isoformat()


def _on(rnd: random.Random, clock: datetime) -> datetime | None:
    """Where the clock jumps at a step, or None (it stays, as in one sitting)."""
    r = rnd.random()
    today = clock.date()
    if r < 0.25:
        return None
    if r < 0.45:
        d = month_end(today)
    elif r < 0.5 and (_next_leap_day(today) - today).days < 500:
        d = _next_leap_day(today)
    else:
        d = today + timedelta(days=rnd.choice(GAPS))
    if d == today:
        return None  # later the same day would need a later hour; keep it simple
    # Between 08:00 and 22:30: deadlines a day later or at 21:00 never
    # straddle midnight because of the few milliseconds a real run takes.
    return datetime.combine(d, time(rnd.randint(8, 22), rnd.choice((0, 30))), CST)


def _inputs(rnd: random.Random, doc: dict[str, Any], i: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, spec in (doc.get("inputs") or {}).items():
        kind = spec["type"]
        if name == "customer":
            value: Any = f"客户{i:05d}"
        elif kind == "phone":
            value = f"139{i:08d}"
        elif kind == "bool":
            value = rnd.random() < 0.5
        elif kind == "int":
            value = rnd.randint(spec.get("min", 0), spec.get("max", 10))
        elif kind == "text":
            value = f"{rnd.randint(1, 9)} 栋 批次{i}"
        else:
            raise AssertionError(f"input type {kind} is new to the generator")
        out[name] = value
    return out


def _path(rnd: random.Random, doc: dict[str, Any], inputs: dict[str, Any]) -> list[Visit]:
    """The whole way through, choosing at random where the staff choose."""
    steps = doc["steps"]
    sid = doc["start"]
    out: list[Visit] = []
    while True:
        assert sid not in {v.step for v in out}, f"{doc['id']}: {sid} visited again"
        step = steps[sid]
        visit = Visit(sid)
        out.append(visit)
        if "end" in step:
            return out
        assert "call" not in step and not step.get("on"), f"{doc['id']}: {sid} is new"
        if step.get("choices"):
            pick = rnd.choice(step["choices"])
            assert "when" not in pick
            visit.choice, sid = pick["label"], pick["to"]
        elif isinstance(step["next"], str):
            sid = step["next"]
        else:
            sid = next(n["to"] for n in step["next"] if "when" not in n or holds(n["when"], inputs))


def _dated(step: dict[str, Any]) -> bool:
    return any(k in step for k in ("due", "milestone", "within", "at"))


def _monthly(step: dict[str, Any]) -> bool:
    return bool({"months", "years"} & set(step.get("due") or {}))


def plans(n: int, seed: int, around: date) -> list[Plan]:
    """`n` journeys that began up to three years before `around` (a few
    after it), on both sites."""
    rnd = random.Random(seed)
    names = list(WEIGHTS)
    out = []
    for i in range(n):
        journey = rnd.choices(names, [WEIGHTS[j] for j in names])[0]
        doc = book().journeys[journey]
        inputs = _inputs(rnd, doc, i)
        day = around - timedelta(days=rnd.randint(-60, 1100))
        clock = datetime.combine(day, time(rnd.randint(8, 11)), CST)
        start = clock
        given = {
            name: _milestone_date(rnd, day)
            for name in doc.get("milestones") or {}
            if rnd.random() < 0.25
        }
        path = _path(rnd, doc, inputs)
        for visit in path:
            visit.on = _on(rnd, clock)
            clock = visit.on or clock
            if rnd.random() < 0.12:
                name = rnd.choice(list(doc["milestones"]))
                visit.milestones[name] = _milestone_date(rnd, clock.date())
        # Mostly stop at a step with a date or deadline, to fill the list;
        # often at one counted in months or years (where month ends matter).
        dated = [k for k, v in enumerate(path) if _dated(doc["steps"][v.step])]
        monthly = [k for k, v in enumerate(path) if _monthly(doc["steps"][v.step])]
        r = rnd.random()
        pause = r >= 0.08
        if not pause:
            stop = len(path)  # to the end
        elif r < 0.35 and monthly:
            stop = rnd.choice(monthly) + 1
        elif r < 0.75 and dated:
            stop = rnd.choice(dated) + 1
        else:
            stop = rnd.randint(1, len(path))
        out.append(
            Plan(
                journey=journey,
                site=SITES[i % len(SITES)],
                inputs=inputs,
                now=start,
                milestones=given,
                visits=path[:stop],
                pause=pause,
            )
        )
    return out


def walk(journal: Journal, plans_: Sequence[Plan], pinned: Pinned | None = None) -> Pinned:
    """Each plan's scenario, through sop's scenario driver and runner."""
    pinned = pinned or pin(str(SOPS))
    for k, plan in enumerate(plans_):
        scenario = parse_scenario(plan.scenario(), f"<journey {k}>")
        driver = ScenarioDriver(scenario)
        runner = Runner(journal, driver, clock=driver.clock, site=plan.site)
        outcome = runner.start(pinned, plan.journey, {}, scenario.milestones)
        plan.run, plan.status = outcome.run, outcome.status
    return pinned
