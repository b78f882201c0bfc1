"""Scenario files: a walk-through written down, for tests, training and examples.

```yaml
procedure: show-flat            # optional; must match the procedure run
operator: 张三                   # optional, like --operator / --site
now: "2026-11-22T14:00:00+08:00" # optional: the clock starts here
set: {project: 翠湖}             # answered in advance, like --set
inputs: {returning: true}        # answered when asked
expect: completed                # optional: the outcome the run must end with
steps:                           # keyed by step id, or procedure:step for others
  greet: {}                      # every checklist item done (the default)
  shoe_covers:
    do: [done, {skip: 没有儿童鞋套}, {no: 地面有水}]   # one per item, in the order shown
    inputs: {with_children: true}
  during_visit:                  # a list: one entry per visit of a step visited again
    - {choice: 客户需要续杯}
    - {choice: 客户参观结束, note: 客户留下名片}
  register:
    record: {customer_name: 王先生, phone: "13800000000"}   # or form.field keys
    emergency: fire              # start this emergency on arriving here
  fire:alarm: {do: [done, done]}
  farewell: {pause: true}        # pause here (to be resumed)
```

Journeys last months; a scenario moves the clock. `on:` sets the date (and
time) a step is worked on — a step not yet due is then done on that day —
and `milestones:` gives dates, at the start or on arriving at a step, as
`sop milestone` would:

```yaml
procedure: vanke-6plus2
now: "2026-03-01T10:00:00+08:00"
milestones: {handover: 2027-06-30}        # known at the start (planned)
steps:
  deposit_sms: {on: 2026-03-02}
  signing: {on: "2026-03-20T15:00", milestones: {moved_in: 2027-07-15}}
```

A scenario that does not fit — an answer of the wrong type, a choice that is
not offered, a step it never reaches — stops with the step and the reason.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from engine.errors import ScenarioError
from engine.runtime import values
from engine.runtime.dues import Reminder
from engine.runtime.prompts import (
    ChoiceQuestion,
    Command,
    EmergencyQuestion,
    FieldQuestion,
    Given,
    Header,
    InputQuestion,
    ItemAnswer,
    ItemQuestion,
    Question,
    Reply,
    View,
    WaitQuestion,
)
from engine.runtime.terminal import DONE_WORDS, Printer

TOP_KEYS = frozenset(
    {
        "procedure",
        "operator",
        "site",
        "now",
        "set",
        "inputs",
        "steps",
        "expect",
        "title",
        "description",
        "milestones",
    }
)
VISIT_KEYS = frozenset(
    {"do", "record", "choice", "inputs", "note", "emergency", "pause", "on", "milestones"}
)


class ScenarioClock:
    """The scenario's time: starts at `now`, runs at real speed, and jumps
    forward to a step's `on:` date."""

    def __init__(self, start: datetime | None = None) -> None:
        self._base = start or datetime.now().astimezone()
        self._t0 = time.monotonic()

    def __call__(self) -> datetime:
        return self._base + timedelta(seconds=time.monotonic() - self._t0)

    def jump(self, to: datetime) -> None:
        self._base, self._t0 = to, time.monotonic()


@dataclass
class Scenario:
    steps: dict[str, list[dict[str, Any]] | dict[str, Any]]
    procedure: str | None = None
    operator: str | None = None
    site: str | None = None
    now: datetime | None = None
    preset: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)
    expect: str | None = None
    milestones: dict[str, Any] = field(default_factory=dict)
    path: str = "<scenario>"


def _fail(where: str, reason: str) -> ScenarioError:
    return ScenarioError(f"{where}: 场景不符合流程: {reason}")


def parse_scenario(data: Any, path: str = "<scenario>") -> Scenario:
    if not isinstance(data, Mapping):
        raise _fail(path, "文件应是一个映射 (procedure, steps, …)")
    unknown = set(data) - TOP_KEYS
    if unknown:
        raise _fail(
            path,
            f"未知的键 {', '.join(sorted(map(str, unknown)))}; 可用: {', '.join(sorted(TOP_KEYS))}",
        )
    steps = data.get("steps") or {}
    if not isinstance(steps, Mapping):
        raise _fail(path, "steps 应是 步骤 → 答案 的映射")
    for key, entry in steps.items():
        visits = entry if isinstance(entry, list) else [entry]
        for visit in visits:
            if visit is None:
                continue
            if not isinstance(visit, Mapping):
                raise _fail(f"{path}: {key}", "每次到达的答案应是映射 (do, record, choice, …)")
            bad = set(visit) - VISIT_KEYS
            if bad:
                raise _fail(
                    f"{path}: {key}",
                    f"未知的键 {', '.join(sorted(map(str, bad)))}; "
                    f"可用: {', '.join(sorted(VISIT_KEYS))}",
                )
    now = data.get("now")
    try:
        start = datetime.fromisoformat(str(now)) if now else None
    except ValueError:
        raise _fail(path, f'now 的时间 "{now}" 无效, 请写成 2026-11-22T14:00:00+08:00') from None
    if start is not None and start.tzinfo is None:
        start = start.astimezone()
    return Scenario(
        steps={str(k): v for k, v in steps.items()},
        procedure=data.get("procedure"),
        operator=data.get("operator"),
        site=data.get("site"),
        now=start,
        preset=dict(data.get("set") or {}),
        inputs=dict(data.get("inputs") or {}),
        expect=data.get("expect"),
        milestones=_milestones(data.get("milestones"), path),
        path=path,
    )


def _milestones(given: Any, where: str) -> dict[str, Any]:
    if given is None:
        return {}
    if not isinstance(given, Mapping):
        raise _fail(where, "milestones 应是 里程碑 → 日期 的映射, 如 {signed: 2026-11-01}")
    return {str(k): v for k, v in given.items()}


def load_scenario(path: str) -> Scenario:
    from engine.report import render_text
    from engine.source import load_file
    from engine.validate import Result

    loaded = load_file(path)
    if loaded.document is None or loaded.problems:
        raise ScenarioError(
            render_text(Result(problems=list(loaded.problems), files=[path]), "zh", color=False)
        )
    return parse_scenario(loaded.document.data, path)


@dataclass
class _Visit:
    key: str
    number: int  # 1-based visit count of this step
    answers: Mapping[str, Any]
    said: set[str] = field(default_factory=set)  # one-off commands already given


class ScenarioDriver:
    """Answers from a scenario; prints a transcript when given a printer."""

    def __init__(
        self,
        scenario: Scenario,
        printer: Printer | None = None,
        clock: ScenarioClock | None = None,
    ) -> None:
        self.s = scenario
        self.p = printer
        self.clock = clock or ScenarioClock(scenario.now)
        self.visits: dict[str, int] = {}
        self.used: dict[str, int] = {}
        self.visit: _Visit | None = None
        self._seen: dict[tuple[int, int], _Visit] = {}
        self._form: str | None = None
        self._main: str | None = scenario.procedure

    # ---- views

    def show(self, view: View) -> None:
        if self.p is not None:
            self.p.show(view)
        if isinstance(view, Header):
            self._arrive(view)

    def _arrive(self, h: Header) -> None:
        if h.visit in self._seen:  # the same step shown again (after an emergency)
            self.visit = self._seen[h.visit]
            return
        # A plain step id means a step of the procedure run; the steps of
        # callees and emergencies are written procedure:step.
        self._main = self._main or h.procedure
        key = h.step_id if h.procedure == self._main else f"{h.procedure}:{h.step_id}"
        if key == h.step_id and f"{h.procedure}:{key}" in self.s.steps:
            key = f"{h.procedure}:{key}"
        count = self.visits.get(key, 0) + 1
        self.visits[key] = count
        self._form = None
        self.visit = _Visit(key, count, self._entry(key, count))
        self._seen[h.visit] = self.visit
        if "on" in self.visit.answers:
            self._jump(self.visit.answers["on"], key)

    def _jump(self, when: Any, key: str) -> None:
        now = self.clock()
        where = f"{self.s.path}: 步骤 {key}"
        try:
            if isinstance(when, datetime):
                to = when
            elif isinstance(when, date):
                to = datetime.combine(when, now.timetz())
            elif len(str(when)) == 10:
                to = datetime.combine(date.fromisoformat(str(when)), now.timetz())
            else:
                to = datetime.fromisoformat(str(when))
        except ValueError:
            raise _fail(
                where, f'on 的日期 "{when}" 无效, 请写成 2026-11-22 或 2026-11-22T14:00'
            ) from None
        if to.tzinfo is None:
            to = to.replace(tzinfo=now.tzinfo)
        if to < now - timedelta(minutes=1):
            raise _fail(where, f"on {when} 早于场景此时的时间 {now:%Y-%m-%d %H:%M}; 时间只能向前")
        self.clock.jump(to)
        if self.p is not None:
            self.p.line(f"📅 {to:%Y-%m-%d %H:%M}", "  ", dim=True)

    def _entry(self, key: str, number: int) -> Mapping[str, Any]:
        entry = self.s.steps.get(key)
        if entry is None:
            return {}
        if isinstance(entry, list):
            if number > len(entry):
                raise _fail(
                    f"{self.s.path}: {key}",
                    f"第 {number} 次到达此步, 场景只写了 {len(entry)} 次的答案",
                )
            self.used[key] = number
            return entry[number - 1] or {}
        self.used[key] = number
        return entry or {}

    # ---- questions

    def ask(self, question: Question, reminders: Sequence[Reminder], now: datetime) -> Reply:
        visit = self.visit
        if visit is None:
            raise _fail(self.s.path, "还没有到达任何步骤")
        where = f"{self.s.path}: 步骤 {visit.key}" + (
            f" (第 {visit.number} 次)" if visit.number > 1 else ""
        )
        if not isinstance(question, EmergencyQuestion):
            once = self._once(visit)
            if once is not None:
                self._echo(self._command_text(once))
                return once
        reply = self._reply(question, visit, where, now)
        return reply

    def _once(self, visit: _Visit) -> Command | None:
        """Milestone dates, notes, an emergency and a pause are given once,
        before the first answer."""
        given = _milestones(visit.answers.get("milestones"), f"{self.s.path}: {visit.key}")
        for name, when in given.items():
            if f"milestone:{name}" not in visit.said:
                visit.said.add(f"milestone:{name}")
                return Command("milestone", text=str(when), procedure=name)
        for key in ("note", "emergency", "pause"):
            if key in visit.answers and key not in visit.said:
                visit.said.add(key)
                value = visit.answers[key]
                if key == "note":
                    return Command("note", text=str(value))
                if key == "emergency":
                    return Command("emergency", procedure=str(value))
                if value:
                    return Command("pause")
        return None

    def _command_text(self, cmd: Command) -> str:
        if cmd.kind == "milestone":
            return f"m {cmd.procedure} {cmd.text}"
        if cmd.kind == "note":
            return f"n {cmd.text}"
        if cmd.kind == "emergency":
            return f"! {cmd.procedure}"
        return "p"

    def _echo(self, answer: str, prompt: str = "") -> None:
        if self.p is not None:
            self.p.write(f"{prompt}› {answer}\n")

    def _reply(self, q: Question, visit: _Visit, where: str, now: datetime) -> Reply:
        if isinstance(q, InputQuestion):
            return self._input(q, visit, where, now)
        if isinstance(q, FieldQuestion):
            return self._field(q, visit, where, now)
        if isinstance(q, ItemQuestion):
            return self._item(q, visit, where)
        if isinstance(q, ChoiceQuestion):
            return self._choice(q, visit, where)
        if isinstance(q, WaitQuestion):
            # Reached before its date: a scenario works on it now (`on:` has
            # already moved the clock when a date was given).
            if self.p is not None:
                self.p.wait(q, now)
            self._echo("y", f"  {self.p.t('wait_q') if self.p else ''}")
            return Given(True)
        raise _fail(where, "意外的应急流程列表")  # emergencies are started by id

    def _input(self, q: InputQuestion, visit: _Visit, where: str, now: datetime) -> Reply:
        spec = q.spec
        own = visit.answers.get("inputs") or {}
        if spec.name in own:
            raw = own[spec.name]
        elif spec.name in self.s.inputs:
            raw = self.s.inputs[spec.name]
        elif not spec.required:
            raw = None
        else:
            raise _fail(where, f"输入项 {spec.name} ({spec.label}) 没有答案; 请在 inputs 中给出")
        try:
            value = values.parse(spec, raw, now)
        except values.BadValue as exc:
            raise _fail(where, f"输入项 {spec.name} 的答案 {raw!r}: {exc.zh}") from None
        self._echo(values.show(value), f"  {spec.label} ")
        return Given(value)

    def _field(self, q: FieldQuestion, visit: _Visit, where: str, now: datetime) -> Reply:
        spec = q.spec
        record = visit.answers.get("record") or {}
        if not isinstance(record, Mapping):
            raise _fail(where, "record 应是 字段 → 值 的映射")
        qualified = f"{q.form}.{spec.name}"
        if qualified in record:
            raw = record[qualified]
        elif spec.name in record:
            raw = record[spec.name]
        elif not spec.required:
            raw = None
        else:
            raise _fail(where, f"《{q.form_title}》的字段 {spec.name} ({spec.label}) 没有答案")
        try:
            value = values.parse(spec, raw, now)
        except values.BadValue as exc:
            raise _fail(where, f"字段 {spec.name} 的值 {raw!r}: {exc.zh}") from None
        if self.p is not None and self._form != q.form:
            self._form = q.form
            self.p.line(f"《{q.form_title}》", "  ", bold=True)
        self._echo(values.show(value), f"    {spec.label} ")
        return Given(value)

    def _item(self, q: ItemQuestion, visit: _Visit, where: str) -> Reply:
        given = visit.answers.get("do")
        if given is None:
            self._echo("y", f"  [{q.item.number}] ")
            return ItemAnswer("done")
        if not isinstance(given, list) or len(given) != q.total:
            count = len(given) if isinstance(given, list) else 1
            raise _fail(where, f"此步有 {q.total} 个检查项, do 给了 {count} 个答案")
        answer = given[q.item.number - 1]
        reply = _item_answer(answer)
        if reply is None:
            raise _fail(
                where,
                f"检查项 [{q.item.number}] 的答案 {answer!r} 无法理解; "
                "请写 done, {skip: 原因} 或 {no: 原因}",
            )
        self._echo(
            {"done": "y", "skipped": "s", "not_done": "n"}[reply.status]
            + (f" {reply.reason}" if reply.reason else ""),
            f"  [{q.item.number}] ",
        )
        return reply

    def _choice(self, q: ChoiceQuestion, visit: _Visit, where: str) -> Reply:
        labels = [o.label for o in q.options]
        if "choice" not in visit.answers:
            raise _fail(where, f"此步要选择, 场景没有 choice; 可选: {', '.join(labels)}")
        choice = visit.answers["choice"]
        if isinstance(choice, int) and not isinstance(choice, bool) and 1 <= choice <= len(labels):
            index = choice - 1
        elif str(choice) in labels:
            index = labels.index(str(choice))
        else:
            raise _fail(where, f"选项 {choice!r} 现在不可选; 可选: {', '.join(labels) or '(无)'}")
        if self.p is not None:
            self.p.choices(q)
        self._echo(str(index + 1), "  ")
        return Given(index)

    # ---- the end

    def check_complete(self, outcome: str | None) -> None:
        """After the run: every step written in the scenario was reached, as often as written."""
        for key, entry in self.s.steps.items():
            wanted = len(entry) if isinstance(entry, list) else 1
            if self.used.get(key, 0) < wanted:
                got = self.used.get(key, 0)
                raise _fail(
                    f"{self.s.path}: 步骤 {key}",
                    "场景写了这一步, 但运行没有到达"
                    if got == 0
                    else f"场景写了 {wanted} 次, 运行只到达了 {got} 次",
                )
        if self.s.expect is not None and outcome != self.s.expect:
            raise _fail(self.s.path, f"运行的结果是 {outcome}, 场景期望 {self.s.expect}")


def _item_answer(answer: Any) -> ItemAnswer | None:
    if answer is True or (
        isinstance(answer, str) and answer.strip().lower() in DONE_WORDS | {"done"}
    ):
        return ItemAnswer("done")
    if isinstance(answer, Mapping) and len(answer) == 1:
        ((key, reason),) = answer.items()
        reason = str(reason).strip() if reason is not None else ""
        if key in ("skip", "skipped", "跳过") and reason:
            return ItemAnswer("skipped", reason)
        if key in ("no", "not_done", "未完成"):
            return ItemAnswer("not_done", reason or None)
    return None
