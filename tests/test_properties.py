"""Properties: generated valid rulebooks validate; a single mutation of one is
rejected with a location that points at the mutated text."""

from __future__ import annotations

from copy import deepcopy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.problems import Severity
from engine.validate import validate_paths

RULEBOOK = {
    "title": "生成的规则手册",
    "organisation": {"name": "xx物业公司"},
    "roles": {"host": {"name": "客服"}, "guard": {"name": "护卫员"}},
    "forms": {"log": {"title": "记录表", "fields": {"name": {"label": "姓名", "type": "text"}}}},
    "inputs": {"project": {"type": "text", "default": "XXXX"}},
    "queues": {"rotation": {"title": "接待轮序", "role": "host", "keeper": "guard"}},
    "site": {
        "hours": {"open": "08:30", "close": "19:00"},
        "closed": ["mon"],
        "holidays": {"国庆节": ["2026-10-01", "2027-10-01"]},
    },
}

WEEKDAYS_OPEN = ["tue", "wed", "thu", "fri", "sat", "sun"]  # the site is closed on Mondays


@st.composite
def schedule_entries(draw: st.DrawFn) -> dict[str, Any]:
    """One schedule entry that falls due within any year (so simulate can run it)."""
    shape = draw(st.sampled_from(["day", "hourly", "week", "month", "year", "holiday", "2w"]))
    if shape == "day":
        return {"every": "day", "at": draw(st.sampled_from(["opening", "closing", "10:00"]))}
    if shape == "hourly":
        return {
            "every": draw(st.sampled_from(["30min", "1h", "2h"])),
            "from": draw(st.sampled_from(["opening", "09:00"])),
            "to": draw(st.sampled_from(["closing", "18:00"])),
        }
    if shape == "week":
        days = draw(st.lists(st.sampled_from(WEEKDAYS_OPEN), min_size=1, max_size=3, unique=True))
        return {"every": "week", "on": days}
    if shape == "month":
        day = draw(st.one_of(st.integers(min_value=1, max_value=28), st.just("last")))
        return {"every": "month", draw(st.sampled_from(["on", "by"])): day}
    if shape == "year":
        month, day = draw(st.integers(1, 12)), draw(st.integers(1, 28))
        return {"every": "year", "by": f"{month:02d}-{day:02d}"}
    if shape == "holiday":
        return {"on": "国庆节"}
    return {"every": "2w", "starting": "2027-01-05"}


ESCALATED_TO = {"supervisor": {"name": "主管"}, "centre": {"name": "客服中心"}}


@st.composite
def escalations(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A chain: roles that do not act in the procedure, each told later."""
    roles = draw(
        st.lists(st.sampled_from(sorted(ESCALATED_TO)), min_size=1, max_size=2, unique=True)
    )
    afters = sorted(draw(st.lists(st.integers(1, 72), min_size=2, max_size=2, unique=True)))
    chain: list[dict[str, Any]] = []
    for n, role in enumerate(roles):
        level: dict[str, Any] = {"tell": role}
        if n or draw(st.booleans()):
            level["after"] = f"{afters[n]}h"
        chain.append(level)
    return chain


def escalates(proc: dict[str, Any]) -> bool:
    return "escalate" in proc or any("escalate" in s for s in proc.get("steps", {}).values())


@st.composite
def procedures(draw: st.DrawFn) -> dict[str, Any]:
    """A procedure whose steps form a DAG (every step reaches the last one,
    every step is reached from the first), with guards over declared inputs."""
    n = draw(st.integers(min_value=1, max_value=12))
    inputs = {
        "returning": {"type": "bool", "ask": "二次来访?"},
        "party": {"type": "int", "ask": "人数", "default": 1},
        "receiver": {"type": "text", "ask": "接待人"},
    }
    steps: dict[str, Any] = {}
    branches: dict[str, Any] = {}  # steps only a `parallel:` branch walks
    for i in range(n):
        step: dict[str, Any] = {
            "title": f"第{i}步",
            # either post (role: [a, b]) as well as one
            "role": draw(st.sampled_from(["host", "guard", ["host", "guard"]])),
        }
        step["say"] = [
            {"text": "欢迎光临{{ project }}", "when": "not returning"},
            {"text": "欢迎再次光临", "when": "returning and party > 0"},
        ]
        if i == 0:
            step["say"].append("我是{{ receiver }}")
        if draw(st.booleans()):
            take = draw(st.sampled_from(["next", "last", "named"]))
            turn: dict[str, Any] = {"queue": "rotation", "take": take, "as": "receiver"}
            if take == "named":
                turn["name"] = "{{ receiver }}"
            turn["counts"] = draw(st.booleans())
            step["turn"] = turn
        if draw(st.booleans()):
            step["do"] = [draw(st.sampled_from(["撑伞", "开门", "问候"])) for _ in range(3)]
            person = draw(st.sampled_from([None, "another", "all", "{{ receiver }}"]))
            if person is not None:
                step["do"][0] = {"text": step["do"][0], "person": person}
        if draw(st.booleans()):
            step["person"] = draw(st.sampled_from(["another", "all", "{{ receiver }}"]))
        if draw(st.integers(0, 3)) == 0:
            step["within"] = f"{draw(st.integers(1, 90))}min"
            if draw(st.booleans()):
                step["escalate"] = draw(escalations())
        if i == n - 1:
            step["end"] = "completed"
            step["record"] = {"log": ["name"]}
        else:
            later = [f"s{j}" for j in range(i + 1, n)]
            shape = draw(st.sampled_from(["next", "branches", "choices"]))
            if shape == "next" or len(later) == 1:
                step["next"] = f"s{i + 1}"
                if draw(st.integers(0, 2)) == 0:
                    # a parallel branch beside the run: a step of its own, or the callee
                    lane = draw(st.sampled_from(["to", "call"]))
                    step["parallel"] = {
                        "branches": [{"to": f"b{i}"} if lane == "to" else {"call": "gen-helper"}],
                        "join": draw(st.sampled_from(["all", "any"])),
                    }
                    # joined mid-run where the line waits (its next, or the last
                    # step: both reached by next), else at the run's end
                    at = draw(st.sampled_from([None, f"s{i + 1}", f"s{n - 1}"]))
                    if at is not None:
                        step["parallel"]["at"] = at
                    if lane == "to":
                        branches[f"b{i}"] = {
                            "title": f"分支{i}",
                            "role": draw(st.sampled_from(["host", "guard"])),
                            "do": ["巡查"],
                            "end": "branch_done",
                        }
            elif shape == "branches":
                other = draw(st.sampled_from(later))
                step["next"] = [{"to": other, "when": "returning"}, {"to": f"s{i + 1}"}]
            else:
                other = draw(st.sampled_from(later))
                step["choices"] = [
                    {"label": "继续", "to": f"s{i + 1}"},
                    {"label": "跳过", "to": other},
                ]
        steps[f"s{i}"] = step
    steps.update(branches)
    proc: dict[str, Any] = {
        "id": "gen",
        "title": "生成的流程",
        "kind": "service",
        "roles": ["host", "guard"],
        "inputs": inputs,
        "start": "s0",
        "steps": steps,
    }
    if any("within" in s and "escalate" not in s for s in steps.values()) and draw(st.booleans()):
        proc["escalate"] = draw(escalations())
    if draw(st.booleans()):
        proc["schedule"] = draw(st.lists(schedule_entries(), min_size=1, max_size=3))
    if draw(st.booleans()):  # standing rules and words never to say (never in a say line)
        at = draw(st.lists(st.sampled_from(sorted(steps)), unique=True, max_size=3))
        rule: dict[str, Any] = {"id": "no_sitting", "text": "不得让客户坐在家具上"}
        if at:
            rule["steps"] = at
        if draw(st.booleans()):
            rule["role"] = steps["s0"]["role"]
        proc["rules"] = [rule, {"id": "stand", "text": "保持标准站姿"}]
        proc["never_say"] = [
            "我不知道",
            {
                "text": "不清楚",
                "instead": "请稍等, 我帮您确认一下",
                **({"steps": at} if at else {}),
            },
        ]
    return proc


@st.composite
def tables(draw: st.DrawFn) -> dict[str, Any]:
    """A rule table: entries found by number, or (decision) picked by the
    first `when` over an input, the otherwise last."""
    n = draw(st.integers(min_value=1, max_value=8))
    decides = n > 1 and draw(st.booleans())  # a decision needs a when before the otherwise
    numbers = draw(st.lists(st.integers(1, 99), min_size=n, max_size=n, unique=True))
    entries: list[dict[str, Any]] = []
    for i, number in enumerate(numbers):
        entry: dict[str, Any] = {
            "id": f"e{i}",
            "number": number,
            "title": f"情形{number}怎么办",
            "role": draw(st.sampled_from(["host", "guard", ["host", "guard"]])),
            "do": [draw(st.sampled_from(["劝阻", "报告", "引导"]))],
        }
        if draw(st.booleans()):
            entry["say"] = ["您好,请{{ project }}这边走"]
        if draw(st.booleans()):
            entry["never_say"] = [{"text": "不准", "instead": "请您"}]
        if draw(st.booleans()):
            # filled every time, or only when staff say it is needed (a conditional record)
            entry["record"] = draw(
                st.sampled_from([{"log": ["name"]}, {"log": {"fields": ["name"], "when": "noted"}}])
            )
        if decides:
            if i == n - 1:
                entry["otherwise"] = True
            else:
                entry["when"] = f"party == {i + 1}"
        entries.append(entry)
    return {
        "id": "gen",
        "title": "生成的规则表",
        "kind": "table",
        "roles": ["host", "guard"],
        "inputs": {
            "party": {"type": "int", "ask": "人数", "min": 1, "max": 20},
            "noted": {"type": "bool", "ask": "是否需要记录?"},
        },
        "entries": entries,
        "rules": [{"id": "polite", "text": "始终保持礼貌", "steps": ["e0"]}],
    }


class _PlainDumper(yaml.SafeDumper):
    """Writes a list shared by two keys twice: a rulebook has no anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_PlainDumper, allow_unicode=True, sort_keys=False)


def write(folder: Path, proc: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rulebook = dict(RULEBOOK)
    if escalates(proc):  # the roles told are declared only when some chain tells them
        rulebook["roles"] = {**RULEBOOK["roles"], **ESCALATED_TO}  # type: ignore[dict-item]
    (folder / "rulebook.yaml").write_text(_dump(rulebook), encoding="utf-8")
    path = folder / "gen.yaml"
    path.write_text(_dump(proc), encoding="utf-8")
    if any("call" in lane for s in proc.get("steps", {}).values() for lane in lanes_of(s)):
        (folder / "gen-helper.yaml").write_text(_dump(HELPER), encoding="utf-8")
    return path


# What a generated `parallel:` branch calls.
HELPER = {
    "id": "gen-helper",
    "title": "同时进行的工作",
    "kind": "service",
    "roles": ["guard"],
    "start": "h0",
    "steps": {"h0": {"title": "同时巡查", "role": "guard", "do": ["巡查"], "end": "helped"}},
}


def lanes_of(step: dict[str, Any]) -> list[dict[str, Any]]:
    lanes: list[dict[str, Any]] = step.get("parallel", {}).get("branches", [])
    return lanes


def uses_both_roles(proc: dict[str, Any]) -> bool:
    used: set[str] = set()
    for s in proc["steps"].values():
        # a called helper's posts are its own: the procedure still declares both
        used |= set(s["role"]) if isinstance(s["role"], list) else {s["role"]}
    return used == {"host", "guard"}


SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(procedures())
def test_generated_valid_rulebooks_validate(tmp_path_factory: Any, proc: dict[str, Any]) -> None:
    folder = tmp_path_factory.mktemp("ok")
    write(folder, proc)
    result = validate_paths([str(folder)])
    errors = [p for p in result.problems if p.severity is Severity.ERROR]
    assert not errors, errors
    warnings = {p.rule for p in result.problems}
    unused = {p.args.get("name") for p in result.problems if p.rule == "unused-role"}
    assert warnings <= {"unused-role"} and (warnings == set()) == (
        uses_both_roles(proc) and not (escalates(proc) and unused)
    ), result.problems
    # A role only escalated to is unused when no chain names it (both may not be drawn).
    assert unused <= {"host", "guard", *ESCALATED_TO}


MUTATIONS = (
    "dangling", "no-end", "undeclared", "escalate-later-first", "unknown-day", "schedule-conflict",
    "queue", "as-not-text", "forbidden-phrase", "rule-step", "parallel-cycle", "parallel-join",
)  # fmt: skip


@SETTINGS
@given(procedures(), st.sampled_from(MUTATIONS), st.data())
def test_a_single_mutation_is_rejected_with_its_location(
    tmp_path_factory: Any, proc: dict[str, Any], mutation: str, data: st.DataObject
) -> None:
    steps = proc["steps"]
    # a step of the run (a branch's b<i> has no say line to mutate)
    sid = data.draw(st.sampled_from(sorted(k for k in steps if k.startswith("s"))))
    step = steps[sid]
    if mutation == "dangling":
        for key in ("next", "choices", "end", "record"):
            step.pop(key, None)
        step["next"] = "nowhere_zz"
        needle, expected = "nowhere_zz", {"unknown-step"}
    elif mutation == "no-end":
        last = steps[f"s{sum(k.startswith('s') for k in steps) - 1}"]  # not a branch's b<i>
        last.pop("end")
        needle, expected = None, {"one-way-out"}
    elif mutation == "queue":
        step["turn"] = {"queue": "rotation_zz", "as": "receiver"}
        needle, expected = "rotation_zz", {"unknown-queue"}
    elif mutation == "parallel-cycle":
        # A branch that leads back to the step starting it: parallel-branch, at its `to`.
        first = steps["s0"]
        for key in ("next", "choices", "end", "parallel"):
            first.pop(key, None)
        if "s1" not in steps:
            steps["s1"] = {"title": "第1步", "role": "host", "end": "completed"}
        first["parallel"] = {"branches": [{"to": "s0"}]}
        first["next"] = "s1"
        needle, expected = "s0", {"parallel-branch"}
    elif mutation == "parallel-join":
        # The branches joined at a step only a branch walks: parallel-join, at `at`.
        first = steps["s0"]
        for key in ("next", "choices", "end", "parallel"):
            first.pop(key, None)
        if "s1" not in steps:
            steps["s1"] = {"title": "第1步", "role": "host", "end": "completed"}
        steps["b_zz"] = {"title": "分支", "role": "guard", "do": ["巡查"], "end": "branch_done"}
        first["parallel"] = {"branches": [{"to": "b_zz"}], "at": "b_zz"}
        first["next"] = "s1"
        needle, expected = "b_zz", {"parallel-join"}
    elif mutation == "as-not-text":
        step["turn"] = {"queue": "rotation", "as": "party"}
        needle, expected = "party", {"turn-as-text"}
    elif mutation == "escalate-later-first":
        # The next person told before the one before: escalate-order, at the level.
        step["within"] = "10min"
        step["escalate"] = [
            {"after": "3h", "tell": "supervisor"},
            {"after": "1h", "tell": "centre"},
        ]
        needle, expected = None, {"escalate-order"}
    elif mutation == "undeclared":
        step["say"][0]["when"] = "undeclared_zz and returning"
        needle, expected = "undeclared_zz", {"undeclared-name"}
    elif mutation == "unknown-day":
        entries = proc.setdefault("schedule", [])
        entries.insert(
            data.draw(st.integers(0, len(entries))), {"every": "week", "on": ["tues_zz"]}
        )
        needle, expected = "tues_zz", {"unknown-day"}
    elif mutation == "forbidden-phrase":
        # A say line of the step contains words never to say there.
        proc.setdefault("never_say", []).append({"text": "再次光临", "steps": [sid]})
        needle, expected = "再次光临", {"forbidden-phrase"}
    elif mutation == "rule-step":
        proc.setdefault("rules", []).append({"id": "zz", "text": "守则", "steps": ["nowhere_zz"]})
        needle, expected = "nowhere_zz", {"unknown-step"}
    else:  # a fixed day and a window together
        entries = proc.setdefault("schedule", [])
        entries.append({"every": "week", "on": ["tue"], "by": "fri"})
        needle, expected = "fri", {"schedule-conflict"}
    folder = tmp_path_factory.mktemp("bad")
    path = write(folder, proc)
    result = validate_paths([str(folder)])
    found = [p for p in result.problems if p.rule in expected]
    assert found, result.problems
    lines = path.read_text(encoding="utf-8").split("\n")
    for problem in found:
        assert problem.pos.file.endswith("gen.yaml")
        assert 1 <= problem.pos.line <= len(lines)
        if needle:
            line = lines[problem.pos.line - 1]
            assert line[problem.pos.col - 1 :].startswith(needle), (line, problem.pos)
        if mutation == "parallel-join":  # the `at` value's, not the branch's `to`
            assert line[: problem.pos.col - 1].rstrip().endswith("at:"), (line, problem.pos)


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(procedures())
def test_simulate_walks_generated_rulebooks_to_an_end(
    tmp_path_factory: Any, proc: dict[str, Any]
) -> None:
    """Queue turns and names asked on the way (person, turn) included."""
    from engine.runtime.pinning import pin
    from engine.runtime.simulate import simulate, summary_text

    folder = tmp_path_factory.mktemp("sim")
    write(folder, proc)
    pinned = pin(str(folder))
    sim = simulate(pinned, "gen")
    # Every scenario reaches its end; transition coverage is test_runtime_simulate's.
    assert not sim.failures and not sim.plan.dead_ends, summary_text(sim, pinned)
    if not sim.missing:  # every step was walked: so was every turn
        assert sim.turns_taken == sim.turns_wanted, summary_text(sim, pinned)
    assert all(o == "completed" for o in sim.outcomes)


# ---- run state that changes (LANG2 §3): a loop driven by ask and set:, a
# guard on a recorded field


RULEBOOK_STATE = {
    **RULEBOOK,
    "forms": {
        "log": {
            "title": "记录表",
            "fields": {
                "name": {"label": "姓名", "type": "text"},
                "score": {"label": "评分", "type": "score"},
            },
        }
    },
}


CALLEE = {
    "id": "gen-callee",
    "title": "被调用的流程",
    "kind": "service",
    "roles": ["host"],
    "outcomes": {"answered": "已答复", "escalated": "已升级"},
    "start": "ask",
    "steps": {
        "ask": {
            "title": "答复",
            "role": "host",
            "choices": [
                {"label": "答复了", "to": "done"},
                {"label": "答复不了", "to": "up"},
            ],
        },
        "done": {"title": "完毕", "role": "host", "end": "answered"},
        "up": {"title": "上报", "role": "host", "end": "escalated"},
    },
}


@st.composite
def looping_procedures(draw: st.DrawFn) -> dict[str, Any]:
    """A chain of steps with one loop back (asked again, counted by set:), a
    branch on a recorded score before the end, and perhaps a call branching
    on the callee's outcome and a step that times out to the end."""
    n = draw(st.integers(min_value=3, max_value=9))
    at = draw(st.integers(min_value=0, max_value=n - 3))  # the step that loops back
    back = draw(st.integers(min_value=0, max_value=at))
    limit = draw(st.integers(min_value=2, max_value=4))  # 1: the way back is never taken
    steps: dict[str, Any] = {}
    for i in range(n):
        step: dict[str, Any] = {"title": f"第{i}步", "role": "host"}
        if i == n - 1:
            step["end"] = "completed"
        elif i == at:
            step["ask"] = ["reached"]
            step["set"] = {"attempts": "{{ attempts + 1 }}"}
            step["next"] = [
                {"to": f"s{i + 1}", "when": f"reached or attempts >= {limit}"},
                {"to": f"s{back}", "set": {"flag": True}},
            ]
        elif i == n - 2:
            step["record"] = {"log": ["name", "score"]}
            step["next"] = [
                {"to": f"s{n - 1}", "when": "log.score < 4", "set": {"flag": True}},
                {"to": f"s{n - 1}"},
            ]
        else:
            step["next"] = f"s{i + 1}"
        steps[f"s{i}"] = step
    steps[f"s{n - 1}"]["say"] = [{"text": "{{ project }}请留步", "when": "flag"}]
    # Outside the loop (inside, each is a way out of it that loop-never-exits accepts).
    plain = [
        i for i in range(n - 2) if not back <= i <= at and isinstance(steps[f"s{i}"]["next"], str)
    ]
    if plain and draw(st.booleans()):  # a call, then on by the callee's outcome
        i = draw(st.sampled_from(plain))
        after = steps[f"s{i}"].pop("next")
        steps[f"s{i}"]["call"] = "gen-callee"
        steps[f"s{i}"]["next"] = [
            {"to": f"s{n - 1}", "when": "outcome == 'escalated'"},
            {"to": after},
        ]
        plain.remove(i)
    if plain and draw(st.booleans()):  # a deadline that moves the run on
        i = draw(st.sampled_from(plain))
        steps[f"s{i}"]["within"] = draw(st.sampled_from(["30min", "2h", "1d"]))
        steps[f"s{i}"]["do"] = ["致电客户"]  # a prompt: where a run times out
        steps[f"s{i}"]["timeout"] = f"s{n - 1}"
    return {
        "id": "gen",
        "title": "生成的流程",
        "kind": "service",
        "roles": ["host"],
        "inputs": {
            "reached": {"type": "bool", "ask": "接通了吗?"},
            "attempts": {"type": "int", "ask": "次数", "default": 0},
            "flag": {"type": "bool", "ask": "已标记?", "default": False},
        },
        "start": "s0",
        "steps": steps,
    }


def write_state(folder: Path, proc: dict[str, Any]) -> Path:
    path = write(folder, proc)
    (folder / "rulebook.yaml").write_text(
        yaml.safe_dump(RULEBOOK_STATE, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    (folder / "gen-callee.yaml").write_text(
        yaml.safe_dump(CALLEE, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return path


@SETTINGS
@given(looping_procedures())
def test_generated_loops_validate_and_simulate_to_an_end(
    tmp_path_factory: Any, proc: dict[str, Any]
) -> None:
    from engine.runtime.pinning import pin
    from engine.runtime.simulate import simulate

    folder = tmp_path_factory.mktemp("loop")
    write_state(folder, proc)
    result = validate_paths([str(folder)])
    assert not [p for p in result.problems if p.rule != "unused-role"], result.problems
    sim = simulate(pin(str(folder)), "gen")
    assert sim.ok, (sim.failures, sim.missing, sim.plan.dead_ends)
    assert set(sim.outcomes) == {"completed"}
    kinds = {e.kind for e in sim.taken}
    assert ("timeout" in kinds) == any("timeout" in s for s in proc["steps"].values())


@SETTINGS
@given(looping_procedures())
def test_a_loop_that_cannot_change_is_rejected_at_its_first_step(
    tmp_path_factory: Any, proc: dict[str, Any]
) -> None:
    looping = next(sid for sid, s in proc["steps"].items() if "ask" in s)
    del proc["steps"][looping]["ask"], proc["steps"][looping]["set"]
    folder = tmp_path_factory.mktemp("stuck")
    path = write_state(folder, proc)
    result = validate_paths([str(folder)])
    found = [p for p in result.problems if p.rule == "loop-never-exits"]
    assert len(found) == 1, result.problems
    first = proc["steps"][looping]["next"][1]["to"]
    line = path.read_text(encoding="utf-8").split("\n")[found[0].pos.line - 1]
    assert line[found[0].pos.col - 1 :].startswith(f"{first}:"), line


@SETTINGS
@given(looping_procedures(), st.sampled_from(("outcome", "timeout")))
def test_a_wrong_outcome_or_a_timeout_without_deadline_is_rejected_where_written(
    tmp_path_factory: Any, proc: dict[str, Any], mutation: str
) -> None:
    steps = proc["steps"]
    if mutation == "outcome":
        calls = [s for s in steps.values() if "call" in s]
        if not calls:
            return
        calls[0]["next"][0]["when"] = "outcome == 'escalatd'"
        needle, rule = "'escalatd'", "outcome-value"
    else:
        timed = [s for s in steps.values() if "timeout" in s]
        if not timed:
            return
        del timed[0]["within"]
        needle, rule = timed[0]["timeout"], "timeout-without-deadline"
    folder = tmp_path_factory.mktemp("wrong")
    path = write_state(folder, proc)
    result = validate_paths([str(folder)])
    found = [p for p in result.problems if p.rule == rule]
    assert len(found) == 1, result.problems
    line = path.read_text(encoding="utf-8").split("\n")[found[0].pos.line - 1]
    assert line[found[0].pos.col - 1 :].startswith(needle), (line, found[0].pos)


@settings(max_examples=15, deadline=None)
@given(st.lists(schedule_entries(), min_size=1, max_size=4))
def test_simulate_runs_every_generated_schedule_entry(entries: list[dict[str, Any]]) -> None:
    """Each generated entry falls due within a year and simulate runs one of
    its occurrences through the runner, to an end."""
    import tempfile

    from engine.runtime.pinning import pin
    from engine.runtime.simulate import simulate

    proc = {
        "id": "gen",
        "title": "生成的例行工作",
        "kind": "routine",
        "roles": ["host"],
        "schedule": entries,
        "start": "s0",
        "steps": {"s0": {"title": "巡查", "role": "host", "do": ["巡查"], "end": "completed"}},
    }
    with tempfile.TemporaryDirectory() as tmp:
        write(Path(tmp), proc)
        sim = simulate(pin(tmp), "gen")
    assert sim.ok, (sim.failures, sim.never_due)
    assert sim.entries_run == set(range(len(entries)))


# ---- rule tables (issue 13 §4): generated tables validate, every entry is
# simulated, a duplicate number or an entry after the otherwise is rejected
# where it is written


def _write_table(folder: Path, table: dict[str, Any]) -> Path:
    return write(folder, table)


@SETTINGS
@given(tables())
def test_generated_tables_validate_and_simulate_every_entry(
    tmp_path_factory: Any, table: dict[str, Any]
) -> None:
    from engine.runtime.pinning import pin
    from engine.runtime.simulate import simulate, summary_text

    folder = tmp_path_factory.mktemp("table")
    _write_table(folder, table)
    result = validate_paths([str(folder)])
    # A lookup table reads no input; a table may leave a post, the project or the form unused.
    assert {p.severity for p in result.problems} <= {Severity.WARNING}, result.problems
    assert {p.rule for p in result.problems} <= {"unused-role", "unused-input", "unused-form"}
    pinned = pin(str(folder))
    sim = simulate(pinned, "gen")
    assert sim.ok, summary_text(sim, pinned)
    walked = {e.to for e in sim.taken}
    assert {e["id"] for e in table["entries"]} <= walked, summary_text(sim, pinned)
    conditional = {e["id"] for e in table["entries"] if "when" in str(e.get("record"))}
    # each conditional record filled in one scenario, left in another (as the journal shows)
    assert {(sid, side) for sid, _, side in sim.records_seen} >= {
        (sid, side) for sid in conditional for side in (True, False)
    }, summary_text(sim, pinned)


@SETTINGS
@given(tables(), st.sampled_from(("duplicate-number", "after-otherwise")), st.data())
def test_a_table_mutation_is_rejected_where_written(
    tmp_path_factory: Any, table: dict[str, Any], mutation: str, data: st.DataObject
) -> None:
    entries = table["entries"]
    if mutation == "duplicate-number":
        copy = {**deepcopy(data.draw(st.sampled_from(entries))), "id": "dup_zz"}
        entries.insert(data.draw(st.integers(0, len(entries))), copy)
        later = max(i for i, e in enumerate(entries) if e["number"] == copy["number"])
        needle, expected = str(entries[later]["number"]), {"duplicate-entry"}
    else:
        for e in entries:
            e.pop("when", None)
            e.pop("otherwise", None)
        entries[0]["otherwise"] = True
        entries.append({"id": "late_zz", "number": 100, "title": "后来的", "when": "party > 1"})
        needle, expected = "late_zz", {"unreachable-entry"}
    folder = tmp_path_factory.mktemp("badtable")
    path = _write_table(folder, table)
    result = validate_paths([str(folder)])
    found = [p for p in result.problems if p.rule in expected]
    assert found, result.problems
    lines = path.read_text(encoding="utf-8").split("\n")
    assert any(lines[p.pos.line - 1][p.pos.col - 1 :].startswith(needle) for p in found), (
        found,
        needle,
    )
