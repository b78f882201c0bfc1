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
  patrol: {branch: true}         # a parallel's branch: turn to the next open one (b)
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

import difflib
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from engine.errors import ScenarioError
from engine.i18n import message, messages, os_reason
from engine.runtime import values
from engine.runtime.dues import Reminder
from engine.runtime.prompts import (
    ChoiceQuestion,
    Command,
    EmergencyQuestion,
    EvidenceGiven,
    EvidenceQuestion,
    FieldQuestion,
    Given,
    Header,
    InputQuestion,
    ItemAnswer,
    ItemQuestion,
    PeopleQuestion,
    Question,
    Reply,
    View,
    WaitQuestion,
)
from engine.runtime.terminal import DONE_WORDS, Printer
from engine.source import Document
from engine.source import Path as YamlPath

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
    {
        "do",
        "record",
        "choice",
        "inputs",
        "note",
        "emergency",
        "pause",
        "branch",
        "on",
        "milestones",
        "people",
        "evidence",
    }
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
    doc: Document | None = field(default=None, repr=False)  # where each value was written

    def at(self, where: YamlPath = (), key: bool = False) -> str:
        """file:line:col of the value at `where` (or of its key), as near as
        the file says; the file and the keys when not read from a file."""
        if self.doc is not None:
            return str(self.doc.pos(where, key))
        keys = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in where)[1:]
        return f"{self.path}: {keys}" if keys else self.path

    def quote(self, where: YamlPath, key: bool = False) -> str:
        """The line of the file at `where`, with a caret (empty without a file)."""
        if self.doc is None:
            return ""
        from engine.problems import Problem
        from engine.report import snippet

        return snippet(Problem("scenario", self.doc.pos(where, key)), color=False).rstrip("\n")


# ---- messages

FAILED = message(
    "scenario.failed",
    "{where}: 场景不符合流程 (步骤 {step}): {why}\n{quote}",
    "{where}: the scenario does not fit the procedure (step {step}): {why}\n{quote}",
)
UNREADABLE = message("scenario.unreadable", "{problems}", "{problems}")
WRONG = message(
    "scenario.wrong",
    "{where}: 场景文件有误: {why}\n{quote}",
    "{where}: the scenario file is wrong: {why}\n{quote}",
)
SHAPES = messages(
    "scenario.shape",
    {
        "text": ("文本", "text"),
        "int": ("整数", "a whole number"),
        "number": ("数", "a number"),
        "bool": ("是非值 (true 或 false)", "true or false"),
        "mapping": ("映射 (键: 值)", "a mapping (key: value)"),
        "list": ("列表", "a list"),
        "null": ("空值", "nothing"),
        "value": ("一个值 (文本、数或 true/false)", "one value (text, a number or true/false)"),
        "date": ("日期", "a date"),
        "visit": (
            "这一步的答案: 映射 (do, record, choice, …), 或每次到达一个映射的列表",
            "this step's answers: a mapping (do, record, choice, …), or a list of one per visit",
        ),
        "item": (
            "done、{{skip: 原因}} 或 {{no: 原因}}",
            "done, {{skip: reason}} or {{no: reason}}",
        ),
        "choice": ("选项的文字或编号 (从 1 起)", "the option's text or its number (from 1)"),
    },
)
WHY = messages(
    "scenario.why",
    {
        "not-mapping": (
            "文件应是一个映射 (procedure, steps, …)",
            "the file should be a mapping (procedure, steps, …)",
        ),
        "type": ("{what} 应为{expected}, 这里是{got}", "{what} should be {expected}, not {got}"),
        "no-people": (
            "此步要求写出姓名 (person: {how}, 「{what}」), 请在 people 中按询问顺序列出",
            'this step asks for names (person: {how}, "{what}"): list them under people, '
            "in the order asked",
        ),
        "no-evidence": (
            "此步要求留下凭证 (「{what}」: {photos} 张照片{sign}), 请在 evidence 中按询问顺序列出",
            'this step asks for proof ("{what}": {photos} photo(s){sign}): list it under '
            "evidence, in the order asked",
        ),
        "bad-evidence": (
            "凭证不合要求: {why}",
            "the proof does not fit: {why}",
        ),
        "bad-people": (
            "person: {how} 的姓名不合要求: {value} "
            "(another: 一个不是操作人的姓名; all: 至少两个不同的姓名)",
            "the names for person: {how} do not fit: {value} (another: one name, not the "
            "operator's; all: at least two different names)",
        ),
        "quote": (
            '{what} 应为文本, 这里是{got}; 如果就是这个值, 请加引号: {what}: "{value}"',
            '{what} should be text, not {got}; if that is the value, quote it: {what}: "{value}"',
        ),
        "unknown-key": (
            '不认识的键 "{key}"。{hint}可用的键: {known}',
            'unknown key "{key}". {hint}known keys: {known}',
        ),
        "did-you-mean": ('是不是 "{near}"? ', 'did you mean "{near}"? '),
        "now": (
            'now 的时间 "{value}" 无效, 请写成 2026-11-22T14:00:00+08:00',
            'now "{value}" is not a time; write it as 2026-11-22T14:00:00+08:00',
        ),
        "on": (
            'on 的日期 "{value}" 无效, 请写成 2026-11-22 或 2026-11-22T14:00',
            'on "{value}" is not a date; write it as 2026-11-22 or 2026-11-22T14:00',
        ),
        "on-earlier": (
            "on {value} 早于场景此时的时间 {now}; 时间只能向前",
            "on {value} is earlier than the scenario's time {now}; time only moves forward",
        ),
        "visits": (
            "第 {number} 次到达此步, 场景只写了 {count} 次的答案",
            "visit {number} of this step, but the scenario answers only {count}",
        ),
        "no-step-yet": ("还没有到达任何步骤", "no step has been reached yet"),
        "emergency-list": (
            "意外的应急流程列表 (场景用 emergency: 编号 启动应急流程)",
            "an unexpected list of emergencies (a scenario starts one with emergency: ID)",
        ),
        "no-input": (
            "输入项 {name} ({label}) 没有答案; 请在 inputs 中给出",
            "input {name} ({label}) has no answer; give it under inputs",
        ),
        "bad-input": (
            "输入项 {name} 的答案 {value}: {why}",
            "the answer {value} to input {name}: {why}",
        ),
        "no-field": (
            "《{form}》的字段 {name} ({label}) 没有答案; 请在 record 中给出",
            "field {name} ({label}) of 《{form}》 has no answer; give it under record",
        ),
        "bad-field": (
            "字段 {name} 的值 {value}: {why}",
            "the value {value} of field {name}: {why}",
        ),
        "items": (
            "此步有 {total} 个检查项, do 给了 {count} 个答案",
            "the step's checklist has {total}, and do answers {count}",
        ),
        "no-choice": (
            "此步要选择, 场景没有 choice; 可选: {options}",
            "this step asks for a choice and the scenario has none; options: {options}",
        ),
        "bad-choice": (
            "选项 {choice} 现在不可选; 可选: {options}",
            "option {choice} is not offered here; options: {options}",
        ),
        "none": ("(无)", "(none)"),
        "not-reached": (
            "场景写了这一步, 但运行没有到达",
            "the scenario answers this step, but the run never reached it",
        ),
        "reached-less": (
            "场景写了 {wanted} 次, 运行只到达了 {got} 次",
            "the scenario answers {wanted} visits, the run made only {got}",
        ),
        "outcome": (
            "运行的结果是 {outcome}, 场景期望 {expect}",
            "the run ended {outcome}; the scenario expects {expect}",
        ),
        "visit-number": ("{where} (第 {number} 次到达)", "{where} (visit {number})"),
        "other-procedure": (
            "这个场景是为流程 {written} 写的, 不是 {procedure}",
            "this scenario was written for procedure {written}, not {procedure}",
        ),
    },
)


def _type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, datetime | date):
        return "date"
    if isinstance(value, Mapping):
        return "mapping"
    if isinstance(value, list | tuple):
        return "list"
    return "value"


def _got(value: Any) -> str:
    kind = _type_of(value)
    said = SHAPES[kind].say()
    if kind in ("int", "number", "bool"):
        said += f" {value!r}" if kind != "bool" else f" {str(value).lower()}"
    return said


class _Checker:
    """Checks a scenario's shape before anything runs, naming the place of
    each mistake (file:line:col and the line, when read from a file)."""

    def __init__(self, s: Scenario) -> None:
        self.s = s

    def fail(self, where: YamlPath, why: str, key: bool = False) -> ScenarioError:
        at, quote = self.s.at(where, key), self.s.quote(where, key)
        return ScenarioError(WRONG, where=at, why=why, quote=quote)

    def wrong_type(self, where: YamlPath, value: Any, expected: str) -> ScenarioError:
        what = ".".join(str(k) for k in where if not isinstance(k, int)) or "?"
        if expected == "text" and _type_of(value) in ("int", "number", "bool"):
            shown = str(value).lower() if isinstance(value, bool) else str(value)
            why = WHY["quote"].say(what=what, got=_got(value), value=shown)
        else:
            why = WHY["type"].say(what=what, expected=SHAPES[expected].say(), got=_got(value))
        return self.fail(where, why)

    def text(self, data: Mapping[str, Any], key: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.wrong_type((key,), value, "text")
        return value

    def keys(self, data: Mapping[Any, Any], known: frozenset[str], where: YamlPath) -> None:
        for key in data:
            if key not in known:
                near = difflib.get_close_matches(str(key), sorted(known), n=1)
                hint = WHY["did-you-mean"].say(near=near[0]) if near else ""
                why = WHY["unknown-key"].say(key=key, hint=hint, known=", ".join(sorted(known)))
                raise self.fail((*where, str(key)), why, key=True)

    def mapping(self, value: Any, where: YamlPath) -> Mapping[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.wrong_type(where, value, "mapping")
        return value

    def values(self, value: Any, where: YamlPath) -> dict[str, Any]:
        """A mapping of names to single values (inputs, set, record, milestones)."""
        out: dict[str, Any] = {}
        for name, v in self.mapping(value, where).items():
            if isinstance(v, Mapping | list | tuple):
                raise self.wrong_type((*where, str(name)), v, "value")
            out[str(name)] = v
        return out

    def visit(self, value: Any, where: YamlPath) -> None:
        if value is None:
            return
        if not isinstance(value, Mapping):
            raise self.wrong_type(where, value, "visit")
        self.keys(value, VISIT_KEYS, where)
        for key in ("inputs", "record", "milestones"):
            self.values(value.get(key), (*where, key))
        for key in ("note", "emergency"):
            v = value.get(key)
            if v is not None and not isinstance(v, str):
                raise self.wrong_type((*where, key), v, "text")
        for key in ("pause", "branch"):
            flag = value.get(key)
            if flag is not None and not isinstance(flag, bool):
                raise self.wrong_type((*where, key), flag, "bool")
        on = value.get("on")
        if on is not None and not isinstance(on, str | date):
            raise self.wrong_type((*where, "on"), on, "date")
        choice = value.get("choice")
        if choice is not None and (isinstance(choice, bool) or not isinstance(choice, str | int)):
            raise self.wrong_type((*where, "choice"), choice, "choice")
        people = value.get("people")
        if people is not None and not isinstance(people, list):
            raise self.wrong_type((*where, "people"), people, "list")
        evidence = value.get("evidence")
        if evidence is not None and not isinstance(evidence, list):
            raise self.wrong_type((*where, "evidence"), evidence, "list")
        do = value.get("do")
        if do is not None:
            if not isinstance(do, list):
                raise self.wrong_type((*where, "do"), do, "list")
            for i, answer in enumerate(do):
                if _item_answer(answer) is None:
                    raise self.wrong_type((*where, "do", i), answer, "item")


def parse_scenario(data: Any, path: str = "<scenario>", doc: Document | None = None) -> Scenario:
    """A scenario from its data, its shape checked; `doc` (the file as
    loaded) lets every mistake be named by file:line:col."""
    where = Scenario({}, path=path, doc=doc)
    check = _Checker(where)
    if not isinstance(data, Mapping):
        raise check.fail((), WHY["not-mapping"].say())
    check.keys(data, TOP_KEYS, ())
    steps = check.mapping(data.get("steps"), ("steps",))
    for key, entry in steps.items():
        if isinstance(entry, list):
            for i, visit in enumerate(entry):
                check.visit(visit, ("steps", key, i))
        else:
            check.visit(entry, ("steps", key))
    # An empty text is as good as none written.
    texts = {k: check.text(data, k) or None for k in ("procedure", "operator", "site", "expect")}
    for k in ("title", "description"):
        check.text(data, k)
    now = data.get("now")
    start: datetime | None = None
    if isinstance(now, datetime):
        start = now
    elif now is not None:
        try:
            start = datetime.fromisoformat(str(now))
        except ValueError:
            raise check.fail(("now",), WHY["now"].say(value=now)) from None
    if start is not None and start.tzinfo is None:
        start = start.astimezone()
    return Scenario(
        steps={str(k): v for k, v in steps.items()},
        procedure=texts["procedure"],
        operator=texts["operator"],
        site=texts["site"],
        now=start,
        preset=check.values(data.get("set"), ("set",)),
        inputs=check.values(data.get("inputs"), ("inputs",)),
        expect=texts["expect"],
        milestones=check.values(data.get("milestones"), ("milestones",)),
        path=path,
        doc=doc,
    )


def check_procedure(scenario: Scenario, procedure: str) -> None:
    """A scenario written for another procedure is refused before it runs."""
    if scenario.procedure not in (None, procedure):
        why = WHY["other-procedure"].say(written=scenario.procedure, procedure=procedure)
        raise _Checker(scenario).fail(("procedure",), why)


def load_scenario(path: str) -> Scenario:
    from engine import i18n
    from engine.report import render_text
    from engine.source import load_file
    from engine.validate import Result

    loaded = load_file(path)
    if loaded.document is None or loaded.problems:
        result = Result(problems=list(loaded.problems), files=[path])
        raise ScenarioError(UNREADABLE, problems=render_text(result, i18n.current(), color=False))
    return parse_scenario(loaded.document.data, path, loaded.document)


@dataclass
class _Visit:
    key: str
    number: int  # 1-based visit count of this step
    answers: Mapping[str, Any]
    where: YamlPath = ()  # of its answers in the scenario
    said: set[str] = field(default_factory=set)  # one-off commands already given


class ScenarioDriver:
    """Answers from a scenario; prints a transcript when given a printer."""

    def __init__(
        self,
        scenario: Scenario,
        printer: Printer | None = None,
        clock: ScenarioClock | None = None,
        photos: Path | None = None,
    ) -> None:
        self.s = scenario
        # where a photo's path is read from: given, else the scenario file's folder
        self.photos = photos or (Path(scenario.path).parent if scenario.doc else Path.cwd())
        self.p = printer
        self.clock = clock or ScenarioClock(scenario.now)
        self.visits: dict[str, int] = {}
        self.used: dict[str, int] = {}
        self.visit: _Visit | None = None
        self._seen: dict[tuple[int, int], _Visit] = {}
        self._form: str | None = None
        self._main: str | None = scenario.procedure

    def _fail(
        self, where: YamlPath, why: str, number: int = 1, step: str | None = None
    ) -> ScenarioError:
        at = self.s.at(where)
        if number > 1:
            at = WHY["visit-number"].say(where=at, number=number)
        if step is None:
            step = self.visit.key if self.visit is not None else "-"
        return ScenarioError(FAILED, where=at, step=step, why=why, quote=self.s.quote(where))

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
        answers, where = self._entry(key, count)
        self.visit = _Visit(key, count, answers, where)
        self._seen[h.visit] = self.visit
        if "on" in answers:
            self._jump(answers["on"], (*where, "on"))

    def _jump(self, when: Any, where: YamlPath) -> None:
        now = self.clock()
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
            raise self._fail(where, WHY["on"].say(value=when)) from None
        if to.tzinfo is None:
            to = to.replace(tzinfo=now.tzinfo)
        if to < now - timedelta(minutes=1):
            why = WHY["on-earlier"].say(value=when, now=f"{now:%Y-%m-%d %H:%M}")
            raise self._fail(where, why)
        self.clock.jump(to)
        if self.p is not None:
            self.p.line(f"📅 {to:%Y-%m-%d %H:%M}", "  ", dim=True)

    def _entry(self, key: str, number: int) -> tuple[Mapping[str, Any], YamlPath]:
        """The answers for this visit of step `key`, and where they are written."""
        entry = self.s.steps.get(key)
        if entry is None:
            return {}, ("steps",)
        if isinstance(entry, list):
            if number > len(entry):
                why = WHY["visits"].say(number=number, count=len(entry))
                raise self._fail(("steps", key), why, step=key)
            self.used[key] = number
            return entry[number - 1] or {}, ("steps", key, number - 1)
        self.used[key] = number
        return entry or {}, ("steps", key)

    # ---- questions

    def ask(self, question: Question, reminders: Sequence[Reminder], now: datetime) -> Reply:
        visit = self.visit
        if visit is None:
            raise self._fail((), WHY["no-step-yet"].say())
        if not isinstance(question, EmergencyQuestion):
            once = self._once(visit)
            if once is not None:
                self._echo(self._command_text(once))
                return once
        return self._reply(question, visit, now)

    def _once(self, visit: _Visit) -> Command | None:
        """Milestone dates, notes, an emergency and a pause are given once,
        before the first answer."""
        given = visit.answers.get("milestones") or {}
        for name, when in given.items():
            if f"milestone:{name}" not in visit.said:
                visit.said.add(f"milestone:{name}")
                return Command("milestone", text=str(when), procedure=name)
        for key in ("note", "emergency", "branch", "pause"):
            if key in visit.answers and key not in visit.said:
                visit.said.add(key)
                value = visit.answers[key]
                if key == "note":
                    return Command("note", text=str(value))
                if key == "emergency":
                    return Command("emergency", procedure=str(value))
                if value:
                    return Command("pause" if key == "pause" else "lane")
        return None

    def _command_text(self, cmd: Command) -> str:
        if cmd.kind == "milestone":
            return f"m {cmd.procedure} {cmd.text}"
        if cmd.kind == "note":
            return f"n {cmd.text}"
        if cmd.kind == "emergency":
            return f"! {cmd.procedure}"
        return "b" if cmd.kind == "lane" else "p"

    def _echo(self, answer: str, prompt: str = "") -> None:
        if self.p is not None:
            self.p.write(f"{prompt}› {answer}\n")

    def _reply(self, q: Question, visit: _Visit, now: datetime) -> Reply:
        if isinstance(q, InputQuestion):
            return self._input(q, visit, now)
        if isinstance(q, FieldQuestion):
            return self._field(q, visit, now)
        if isinstance(q, ItemQuestion):
            return self._item(q, visit)
        if isinstance(q, ChoiceQuestion):
            return self._choice(q, visit)
        if isinstance(q, PeopleQuestion):
            return self._people(q, visit)
        if isinstance(q, EvidenceQuestion):
            return self._evidence(q, visit)
        if isinstance(q, WaitQuestion):
            # Reached before its date: a scenario works on it now (`on:` has
            # already moved the clock when a date was given).
            if self.p is not None:
                self.p.wait(q, now)
            self._echo("y", f"  {self.p.t('wait_q') if self.p else ''}")
            return Given(True)
        # Emergencies are started by id.
        raise self._fail(visit.where, WHY["emergency-list"].say(), visit.number)

    def _input(self, q: InputQuestion, visit: _Visit, now: datetime) -> Reply:
        spec = q.spec
        own = visit.answers.get("inputs") or {}
        where: YamlPath = visit.where
        if spec.name in own:
            raw, where = own[spec.name], (*visit.where, "inputs", spec.name)
        elif spec.name in self.s.inputs:
            raw, where = self.s.inputs[spec.name], ("inputs", spec.name)
        elif not spec.required:
            raw = None
        else:
            why = WHY["no-input"].say(name=spec.name, label=spec.label)
            raise self._fail(visit.where, why, visit.number)
        try:
            value = values.parse(spec, raw, now)
        except values.BadValue as exc:
            why = WHY["bad-input"].say(name=spec.name, value=repr(raw), why=_said(exc))
            raise self._fail(where, why, visit.number) from None
        self._echo(values.show(value), f"  {spec.label} ")
        return Given(value)

    def _field(self, q: FieldQuestion, visit: _Visit, now: datetime) -> Reply:
        spec = q.spec
        record = visit.answers.get("record") or {}
        qualified = f"{q.form}.{spec.name}"
        where: YamlPath = visit.where
        if qualified in record:
            raw, where = record[qualified], (*visit.where, "record", qualified)
        elif spec.name in record:
            raw, where = record[spec.name], (*visit.where, "record", spec.name)
        elif q.default is not None:  # what the run knows, as Enter would take it
            raw = q.default
        elif not spec.required:
            raw = None
        else:
            why = WHY["no-field"].say(form=q.form_title, name=spec.name, label=spec.label)
            raise self._fail(visit.where, why, visit.number)
        try:
            value = values.parse(spec, raw, now)
        except values.BadValue as exc:
            why = WHY["bad-field"].say(name=spec.name, value=repr(raw), why=_said(exc))
            raise self._fail(where, why, visit.number) from None
        if self.p is not None and self._form != q.form:
            self._form = q.form
            self.p.line(f"《{q.form_title}》", "  ", bold=True)
        self._echo(values.show(value), f"    {spec.label} ")
        return Given(value)

    def _item(self, q: ItemQuestion, visit: _Visit) -> Reply:
        given = visit.answers.get("do")
        if given is None:
            self._echo("y", f"  [{q.item.number}] ")
            return ItemAnswer("done")
        if len(given) != q.total:
            why = WHY["items"].say(total=q.total, count=len(given))
            raise self._fail((*visit.where, "do"), why, visit.number)
        reply = _item_answer(given[q.item.number - 1])
        assert reply is not None  # the shape was checked when the scenario was read
        self._echo(
            {"done": "y", "skipped": "s", "not_done": "n"}[reply.status]
            + (f" {reply.reason}" if reply.reason else ""),
            f"  [{q.item.number}] ",
        )
        return reply

    def _people(self, q: PeopleQuestion, visit: _Visit) -> Reply:
        """`people:` one entry per names question at the step, in the order
        asked: a name (another), or a list of names (all)."""
        given = visit.answers.get("people") or []
        asked = sum(1 for k in visit.said if k.startswith("people:"))
        where: YamlPath = (*visit.where, "people", asked)
        if not isinstance(given, list) or asked >= len(given):
            why = WHY["no-people"].say(how=q.how, what=q.what)
            raise self._fail(visit.where, why, visit.number)
        visit.said.add(f"people:{asked}")
        entry = given[asked]
        names = [str(n).strip() for n in (entry if isinstance(entry, list) else [entry])]
        if (
            not all(names)
            or len(set(names)) != len(names)
            or (q.how == "another" and (len(names) != 1 or names[0] == q.operator))
            or (q.how == "all" and len(names) < 2)
        ):
            why = WHY["bad-people"].say(how=q.how, value=repr(entry))
            raise self._fail(where, why, visit.number)
        self._echo("、".join(names), "  ")
        return Given(tuple(names))

    def _evidence(self, q: EvidenceQuestion, visit: _Visit) -> Reply:
        """`evidence:` one entry per proof asked at the step, in the order
        asked: `{photo: [a.jpg, …], signature: 王先生, signature_file: sign.png}`,
        the files' paths read from the scenario's folder."""
        given = visit.answers.get("evidence") or []
        asked = sum(1 for k in visit.said if k.startswith("evidence:"))
        where: YamlPath = (*visit.where, "evidence", asked)
        if not isinstance(given, list) or asked >= len(given):
            sign = f", {q.signer or 'signature'}" if q.signature else ""
            why = WHY["no-evidence"].say(what=q.what, photos=q.photos, sign=sign)
            raise self._fail(visit.where, why, visit.number)
        visit.said.add(f"evidence:{asked}")
        entry = given[asked]
        if not isinstance(entry, Mapping) or set(entry) - {"photo", "signature", "signature_file"}:
            why = WHY["bad-evidence"].say(why=repr(entry))
            raise self._fail(where, why, visit.number)
        paths = entry.get("photo") or []
        paths = paths if isinstance(paths, list) else [paths]
        if len(paths) < q.photos:
            why = WHY["bad-evidence"].say(why=f"photo: {len(paths)} < {q.photos}")
            raise self._fail((*where, "photo"), why, visit.number)
        photos: list[bytes] = []
        for i, name in enumerate(paths):
            photos.append(self._picture(name, (*where, "photo", i), visit))
        signer = str(entry.get("signature") or "").strip() or None
        drawn = entry.get("signature_file")
        if q.signature and (signer is None or not drawn):
            why = WHY["bad-evidence"].say(why="signature: NAME, signature_file: FILE")
            raise self._fail(where, why, visit.number)
        picture = (
            self._picture(drawn, (*where, "signature_file"), visit)
            if q.signature and drawn
            else None
        )
        shown = [*(str(n) for n in paths), signer or "", str(drawn or "") if q.signature else ""]
        self._echo(" ".join(shown).strip(), "  ")
        if not q.signature:
            return Given(EvidenceGiven(tuple(photos), None))
        return Given(EvidenceGiven(tuple(photos), signer, picture))

    def _picture(self, name: object, where: YamlPath, visit: _Visit) -> bytes:
        """A photo's or a signature's file, read from the scenario's folder
        (a JPEG, PNG or WebP of at most 10 MB)."""
        from engine.journal.evidence import refusal

        try:
            data = (self.photos / str(name)).read_bytes()
        except OSError as exc:
            why = WHY["bad-evidence"].say(why=f"{name}: {os_reason(exc)}")
            raise self._fail(where, why, visit.number) from None
        refused = refusal(data)
        if refused is not None:
            msg, args = refused
            why = WHY["bad-evidence"].say(why=msg.say(what=str(name), **args))
            raise self._fail(where, why, visit.number)
        return data

    def _choice(self, q: ChoiceQuestion, visit: _Visit) -> Reply:
        labels = [o.label for o in q.options]
        options = ", ".join(labels) or WHY["none"].say()
        if "choice" not in visit.answers:
            raise self._fail(visit.where, WHY["no-choice"].say(options=options), visit.number)
        choice = visit.answers["choice"]
        if isinstance(choice, int) and not isinstance(choice, bool) and 1 <= choice <= len(labels):
            index = choice - 1
        elif str(choice) in labels:
            index = labels.index(str(choice))
        else:
            why = WHY["bad-choice"].say(choice=repr(choice), options=options)
            raise self._fail((*visit.where, "choice"), why, visit.number)
        if self.p is not None:
            self.p.choices(q)
        self._echo(str(index + 1), "  ")
        return Given(index)

    # ---- the end

    def check_complete(self, outcome: str | None) -> None:
        """After the run: every step written in the scenario was reached, as often as written."""
        for key, entry in self.s.steps.items():
            wanted = len(entry) if isinstance(entry, list) else 1
            got = self.used.get(key, 0)
            if got < wanted:
                why = (
                    WHY["not-reached"].say()
                    if got == 0
                    else WHY["reached-less"].say(wanted=wanted, got=got)
                )
                raise self._fail(("steps", key), why, step=key)
        if self.s.expect is not None and outcome != self.s.expect:
            why = WHY["outcome"].say(outcome=outcome, expect=self.s.expect)
            raise self._fail(("expect",), why)


def _said(exc: values.BadValue) -> str:
    from engine import i18n

    return exc.text(i18n.current())


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
