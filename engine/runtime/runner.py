"""The runner: walks a session of runs one question at a time.

A session is a stack of runs — the run started, and above it any emergency
that interrupted it — and each run is a stack of frames (a `call` pushes the
callee). The loop is always the same: show the top step if it is new, find
the first question it has not had an answer to (inputs it asks, checklist
items, record fields, the choice), ask the driver, commit the answer to the
journal, apply it to the state; when nothing is left to ask, leave the step
(end, call, automatic next). Because the next question is derived from the
state, a resumed run asks exactly what it had not been answered.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.errors import RunError
from engine.journal import Draft, Journal, NewRun, Write
from engine.model import Expr, Field, Input, Item, Procedure, Step
from engine.runtime import evaluate
from engine.runtime import state as ev
from engine.runtime.dues import reminders, step_dues
from engine.runtime.machine import ADVANCE, Firing, Machines, Position, choice_trigger
from engine.runtime.pinning import Pinned, current_sha, restore
from engine.runtime.prompts import (
    Body,
    ChoiceQuestion,
    Command,
    Driver,
    EmergencyOption,
    EmergencyQuestion,
    FieldQuestion,
    Given,
    Header,
    InputQuestion,
    ItemAnswer,
    ItemQuestion,
    ItemView,
    Notice,
    Option,
    Question,
    Reply,
)
from engine.runtime.state import RunState, replay
from engine.runtime.values import BadValue, Spec, parse

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now().astimezone()


@dataclass
class Active:
    """One run of the session, with the rulebook it is pinned to."""

    state: RunState
    pinned: Pinned


@dataclass(frozen=True, slots=True)
class Outcome:
    status: str  # finished | paused
    run: int  # the run the session was started or resumed for
    outcome: str | None = None
    how: str = ""  # for a pause: asked | interrupt | eof
    runs: tuple[int, ...] = ()


class _Need(Exception):
    """An expression of frame `depth` needs input `name`."""

    def __init__(self, name: str, depth: int) -> None:
        super().__init__(name)
        self.name = name
        self.depth = depth


class _Stop(Exception):
    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.status)
        self.outcome = outcome


@dataclass
class _Pending:
    """A question with what the runner needs to file its answer."""

    question: Question
    depth: int = -1
    choice_index: tuple[int, ...] = ()  # option -> index in step.choices
    field_key: tuple[str, str] = ("", "")
    item: Item | None = None


@dataclass
class Runner:
    journal: Journal
    driver: Driver
    clock: Clock = system_clock
    operator: str | None = None
    site: str | None = None
    session: list[Active] = field(default_factory=list)
    machines: Machines = field(default_factory=Machines)
    _positions: dict[tuple[int, int], tuple[Procedure, Position]] = field(default_factory=dict)
    _header_shown: bool = False
    _body_shown: bool = False
    _warned: set[tuple[int, str, str]] = field(default_factory=set)
    _restored: dict[str, Pinned] = field(default_factory=dict)
    _root: int = 0

    # ------------------------------------------------------------ entry points

    def start(self, pinned: Pinned, pid: str, preset: Mapping[str, Any]) -> Outcome:
        proc = _find_procedure(pinned, pid)
        values = self._preset(pinned, proc, preset)
        now = self.clock()
        started: dict[str, Any] = {
            "procedure": pid,
            "title": proc.title,
            "kind": proc.kind,
            "mode": proc.mode,
            "version": proc.version,
            "rulebook": pinned.folder,
            "rulebook_sha": pinned.sha,
            "procedure_sha": pinned.procedure_sha(pid),
            "operator": self.operator,
            "site": self.site,
            "set": values,
        }
        active = Active(RunState(0, pinned.rulebook), pinned)
        self._open_run(active, proc, started, now)
        self.session.append(active)
        self._root = active.state.run_id
        self.driver.show(Notice("started", {"run": self._root, "title": proc.title}))
        return self._run()

    def resume(self, run_id: int, folder: str | None = None) -> Outcome:
        self.session = self._chain(run_id)
        self._root = self.session[0].state.run_id
        leaf = self.session[-1]
        st = leaf.state
        rel = leaf.pinned.paths.get(st.procedure_id, "")
        where = folder or str(st.started.get("rulebook") or "")
        now_sha = current_sha(where, rel) if where and rel else None
        changed = now_sha != st.started.get("procedure_sha")
        self._commit(
            leaf,
            [
                self._draft(
                    ev.RUN_RESUMED,
                    {"step": st.top.step, "rulebook_changed": changed, "current_sha": now_sha},
                )
            ],
        )
        self.driver.show(
            Notice(
                "resumed",
                {
                    "run": st.run_id,
                    "title": st.procedure.title,
                    "step_title": st.top.current.title,
                    "changed": changed,
                    "version": st.procedure.version,
                    "sha": str(st.started.get("procedure_sha", ""))[:12],
                    "waiting": [a.state.procedure.title for a in self.session[:-1]],
                },
            )
        )
        return self._run()

    def _chain(self, run_id: int) -> list[Active]:
        row = self.journal.run(run_id)
        if row is None:
            raise RunError(f"日志中没有运行 {run_id}。用 sop runs 查看所有运行")
        if row.status == ev.FINISHED:
            raise RunError(
                f"运行 {run_id} ({row.title}) 已结束 (结果: {row.outcome}), "
                f"不能继续。查看记录: sop show {run_id}"
            )
        # An emergency resumes with the run it interrupted beneath it, and a
        # run waiting for an emergency resumes from that emergency.
        while row.parent is not None:
            parent = self.journal.run(row.parent)
            if parent is None or parent.status != ev.WAITING:
                break
            row = parent
        chain = [self._load(row.id, row.rulebook_sha)]
        while chain[-1].state.status == ev.WAITING and chain[-1].state.waiting_for is not None:
            child = self.journal.run(chain[-1].state.waiting_for)
            if child is None or child.status == ev.FINISHED:
                break
            chain.append(self._load(child.id, child.rulebook_sha))
        return chain

    def _load(self, run_id: int, sha: str) -> Active:
        pinned = self._restored.get(sha)
        if pinned is None:
            pinned = restore(self.journal.snapshot(sha), sha)
            self._restored[sha] = pinned
        return Active(replay(run_id, pinned.rulebook, self.journal.events(run_id)), pinned)

    # ------------------------------------------------------------ the loop

    def _run(self) -> Outcome:
        try:
            return self._loop()
        except _Stop as stop:
            return stop.outcome
        except KeyboardInterrupt:
            # Ctrl-C between prompts: the last commit may or may not have
            # happened, so re-read the run from the journal before pausing.
            leaf = self.session[-1]
            self.session[-1] = self._load(leaf.state.run_id, leaf.pinned.sha)
            return self._pause("interrupt")

    def _loop(self) -> Outcome:
        while True:
            active = self.session[-1]
            try:
                pending = self._next(active)
                if pending is None:
                    if self._leave(active):
                        st = active.state
                        return Outcome(
                            "finished", self._root, st.outcome, runs=(self._root, st.run_id)
                        )
                    continue
            except _Need as need:
                pending = self._input_question(active, need.name, need.depth)
            reply = self.driver.ask(pending.question, self._reminders(), self.clock())
            self._answer(active, pending, reply)

    def _next(self, active: Active) -> _Pending | None:
        """Show what is new, then the first question this step still has."""
        frame = active.state.top
        step = frame.current
        depth = len(active.state.frames) - 1
        if not self._header_shown:
            self.driver.show(self._header(active))
            self._header_shown = True
        for ref in step.ask:
            if self._unknown(active, depth, ref.name):
                return self._input_question(active, ref.name, depth)
        items = self._items(active, depth)
        if not self._body_shown:
            say = tuple(
                self._render(active, depth, line.text)
                for line in step.say
                if line.when is None or self._judge(active, depth, line.when)
            )
            records = tuple(active.pinned.rulebook.forms[r.form.name].title for r in step.record)
            self.driver.show(Body(say, tuple(items), frame.procedure.mode, records))
            self._body_shown = True
        for view in items:
            if view.answer is None:
                return _Pending(ItemQuestion(view, frame.procedure.mode, len(items)), depth)
        for form_id, fld in self._fields(active, step):
            if (form_id, fld.id) not in frame.fields:
                title = active.pinned.rulebook.forms[form_id].title
                return _Pending(
                    FieldQuestion(form_id, title, Spec.of_field(fld)),
                    depth,
                    field_key=(form_id, fld.id),
                )
        if step.choices:
            shown = [
                (i, c)
                for i, c in enumerate(step.choices)
                if c.when is None or self._judge(active, depth, c.when)
            ]
            options = tuple(
                Option(c.label, frame.procedure.steps[c.to.name].title) for _, c in shown
            )
            if not options:
                self.driver.show(Notice("stuck", {"step_title": step.title}))
            return _Pending(ChoiceQuestion(options), depth, choice_index=tuple(i for i, _ in shown))
        return None

    def _answer(self, active: Active, pending: _Pending, reply: Reply) -> None:
        q = pending.question
        if isinstance(reply, Command):
            self._command(active, reply)
            return
        step_id = active.state.top.step
        if isinstance(q, InputQuestion) and isinstance(reply, Given):
            self._commit(
                active,
                [
                    self._draft(
                        ev.INPUT_ANSWERED,
                        {
                            "name": q.spec.name,
                            "label": q.spec.label,
                            "type": q.spec.type,
                            "value": reply.value,
                            "step": step_id,
                            "depth": pending.depth,
                        },
                    )
                ],
            )
        elif isinstance(q, ItemQuestion) and isinstance(reply, ItemAnswer):
            self._commit(
                active,
                [
                    self._draft(
                        ev.ITEM_CHECKED,
                        {
                            "step": step_id,
                            "index": q.item.index,
                            "text": q.item.text,
                            "critical": q.item.critical,
                            "status": reply.status,
                            "reason": reply.reason,
                        },
                    )
                ],
            )
        elif isinstance(q, FieldQuestion) and isinstance(reply, Given):
            form, fld = pending.field_key
            self._commit(
                active,
                [
                    self._draft(
                        ev.FIELD_RECORDED,
                        {
                            "step": step_id,
                            "form": form,
                            "form_title": q.form_title,
                            "field": fld,
                            "label": q.spec.label,
                            "type": q.spec.type,
                            "value": reply.value,
                        },
                    )
                ],
            )
        elif isinstance(q, ChoiceQuestion) and isinstance(reply, Given):
            self._choose(active, pending.choice_index[int(reply.value)])
        else:
            raise TypeError(f"driver replied {reply!r} to {type(q).__name__}")

    def _command(self, active: Active, cmd: Command) -> None:
        if cmd.kind == "note":
            text = cmd.text.strip()
            if text:
                st = active.state
                self._commit(
                    active,
                    [
                        self._draft(
                            ev.NOTE_ADDED,
                            {"step": st.top.step, "procedure": st.top.procedure.id, "text": text},
                        )
                    ],
                )
                self.driver.show(Notice("note_saved", {"text": text}))
        elif cmd.kind == "pause":
            raise _Stop(self._pause(cmd.how))
        elif cmd.kind == "emergency":
            self._emergency(active, cmd.procedure)

    # ------------------------------------------------------------ what a step holds

    def _header(self, active: Active) -> Header:
        frame = active.state.top
        step = frame.current
        proc = frame.procedure
        trail = [a.state.procedure.title for a in self.session[:-1]]
        trail += [f.procedure.title for f in active.state.frames[:-1]]
        return Header(
            run=active.state.run_id,
            procedure=proc.id,
            procedure_title=proc.title,
            number=list(proc.steps).index(step.id) + 1,
            total=len(proc.steps),
            step_id=step.id,
            step_title=step.title,
            role=self._role(active, step.role),
            trail=tuple(trail),
            emergency=active.state.procedure.kind == "emergency",
            visit=(active.state.run_id, active.state.arrivals),
            note=step.note,
        )

    def _role(self, active: Active, ref: Any) -> str | None:
        if ref is None:
            return None
        role = active.pinned.rulebook.roles.get(ref.name)
        return role.name if role else str(ref.name)

    def _items(self, active: Active, depth: int) -> list[ItemView]:
        frame = active.state.frames[depth]
        step = frame.current
        live = [
            (i, it)
            for i, it in enumerate(step.do)
            if it.when is None or self._judge(active, depth, it.when)
        ]
        live.sort(key=lambda pair: not pair[1].critical)  # stable: critical first, else as written
        views = []
        for number, (i, it) in enumerate(live, 1):
            answer = frame.items.get(i)
            role = self._role(active, it.role) if it.role else None
            views.append(
                ItemView(
                    i,
                    number,
                    self._render(active, depth, it.text),
                    it.critical,
                    it.note,
                    role,
                    answer[0] if answer else None,  # type: ignore[arg-type]
                    answer[1] if answer else None,
                )
            )
        return views

    def _fields(self, active: Active, step: Step) -> Iterable[tuple[str, Field]]:
        forms = active.pinned.rulebook.forms
        for rec in step.record:
            form = forms[rec.form.name]
            if rec.all_fields:
                yield from ((form.id, f) for f in form.fields.values())
            else:
                yield from ((form.id, form.fields[r.name]) for r in rec.fields)

    # ------------------------------------------------------------ values and expressions

    def _inputs(self, active: Active, depth: int) -> dict[str, Input]:
        return active.pinned.rulebook.inputs_for(active.state.frames[depth].procedure)

    def _scope(self, active: Active, depth: int) -> dict[str, Any]:
        scope = evaluate.builtins(self.clock())
        scope.update(
            {n: i.default for n, i in self._inputs(active, depth).items() if i.default is not None}
        )
        scope.update(active.state.frames[depth].values)
        return scope

    def _unknown(self, active: Active, depth: int, name: str) -> bool:
        inp = self._inputs(active, depth).get(name)
        known = name in active.state.frames[depth].values
        return not known and not (inp is not None and inp.default is not None)

    def _input_question(self, active: Active, name: str, depth: int) -> _Pending:
        inp = self._inputs(active, depth).get(name)
        if inp is None:
            raise RunError(f'规则手册用到了未声明的名称 "{name}"。请运行 sop validate')
        return _Pending(InputQuestion(Spec.of_input(inp)), depth)

    def _judge(self, active: Active, depth: int, expr: Expr) -> bool:
        try:
            return evaluate.truth(expr.source, self._scope(active, depth))
        except evaluate.NeedInput as need:
            raise _Need(need.name, depth) from None
        except evaluate.ExpressionFailed as exc:
            self._warn(active, expr, exc.detail)
            return False

    def _render(self, active: Active, depth: int, expr: Expr) -> str:
        try:
            return evaluate.render(expr.source, self._scope(active, depth))
        except evaluate.NeedInput as need:
            raise _Need(need.name, depth) from None
        except evaluate.ExpressionFailed as exc:
            self._warn(active, expr, exc.detail)
            return expr.source

    def _warn(self, active: Active, expr: Expr, detail: str) -> None:
        """A rulebook expression that fails at run time: treated as false (or
        shown as written), said on screen and journaled once per step."""
        key = (active.state.run_id, str(active.state.top.step), expr.source)
        if key in self._warned:
            return
        self._warned.add(key)
        where = str(expr.pos)
        self._commit(
            active,
            [
                self._draft(
                    ev.WARNING,
                    {
                        "step": active.state.top.step,
                        "where": where,
                        "expression": expr.source,
                        "detail": detail,
                    },
                )
            ],
        )
        self.driver.show(
            Notice("warning", {"where": where, "expression": expr.source, "detail": detail})
        )

    def _preset(self, pinned: Pinned, proc: Procedure, preset: Mapping[str, Any]) -> dict[str, Any]:
        inputs = pinned.rulebook.inputs_for(proc)
        values: dict[str, Any] = {}
        for name, raw in preset.items():
            inp = inputs.get(name)
            if inp is None:
                known = ", ".join(inputs) or "(无)"
                raise RunError(f'流程 {proc.id} 没有输入项 "{name}"。可用的输入项: {known}')
            try:
                values[name] = parse(Spec.of_input(inp), raw, self.clock())
            except BadValue as exc:
                raise RunError(f"--set {name}={raw}: {exc.zh}") from None
        return values

    # ------------------------------------------------------------ leaving a step

    def _position(self, active: Active, depth: int) -> Position:
        frame = active.state.frames[depth]
        key = (active.state.run_id, depth)
        held = self._positions.get(key)
        if held is None or held[0] is not frame.procedure:
            if held is not None:
                self.machines.release(*held)
            held = (frame.procedure, self.machines.position(frame.procedure, str(frame.step)))
            self._positions[key] = held
        self.machines.place(frame.procedure, held[1], str(frame.step))
        return held[1]

    def _fire(self, active: Active, depth: int, trigger: str) -> tuple[str, int] | None:
        frame = active.state.frames[depth]
        firing = Firing(judge=lambda expr: self._judge(active, depth, expr))
        target = self.machines.fire(frame.procedure, self._position(active, depth), trigger, firing)
        if target is None or firing.branch is None:
            return None
        return target, firing.branch

    def _milestone(self, active: Active, step: Step) -> list[Draft]:
        if step.milestone is None:
            return []
        m = active.state.top.procedure.milestones.get(step.milestone.name)
        return [
            self._draft(
                ev.MILESTONE_REACHED,
                {
                    "name": step.milestone.name,
                    "title": m.title if m else step.milestone.name,
                    "step": step.id,
                },
            )
        ]

    def _enter(
        self, active: Active, proc: Procedure, step_id: str, before: Sequence[Draft]
    ) -> Draft:
        """The `step.entered` event, with the step's deadlines worked out now."""
        now = self.clock()
        milestones = dict(active.state.milestones)
        milestones.update({d.data["name"]: d.at for d in before if d.kind == ev.MILESTONE_REACHED})
        step = proc.steps[step_id]
        return self._draft(
            ev.STEP_ENTERED,
            {
                "procedure": proc.id,
                "step": step_id,
                "title": step.title,
                "dues": step_dues(proc, step, now, milestones),
            },
        )

    def _moved(self) -> None:
        self._header_shown = self._body_shown = False

    def _why(self, step: Step, index: int) -> str:
        branch = step.next[index]
        if branch.label:
            return branch.label
        if branch.when is not None:
            return branch.when.source
        return "otherwise" if index > 0 else ""

    def _advance(
        self, active: Active, depth: int, before: list[Draft]
    ) -> tuple[list[Draft], Notice]:
        """The events of an automatic `next` from frame `depth`, and what to say about it."""
        frame = active.state.frames[depth]
        step = frame.current
        fired = self._fire(active, depth, ADVANCE)
        if fired is None:
            raise RunError(f'步骤 "{step.title}" 的 next 没有一个分支成立。请运行 sop validate')
        target, index = fired
        why = self._why(step, index)
        title = frame.procedure.steps[target].title
        taken = self._draft(
            ev.BRANCH_TAKEN,
            {
                "procedure": frame.procedure.id,
                "step": step.id,
                "to": target,
                "why": why,
                "index": index,
            },
        )
        drafts = [*before, taken, self._enter(active, frame.procedure, target, before)]
        return drafts, Notice("branch", {"why": why, "to": target, "to_title": title})

    def _leave(self, active: Active) -> bool:
        """Take the step's way out; True when the session has ended."""
        st = active.state
        frame = st.top
        step = frame.current
        first = self._milestone(active, step)
        if step.end is not None and len(st.frames) > 1:
            caller = len(st.frames) - 2
            back = st.frames[caller].procedure.title
            returned = self._draft(
                ev.CALL_RETURNED,
                {
                    "procedure": frame.procedure.id,
                    "title": frame.procedure.title,
                    "outcome": step.end,
                },
            )
            drafts, moved = self._advance(active, caller, [*first, returned])
            self._commit(active, drafts)
            self._drop_position(st.run_id, caller + 1)
            self.driver.show(
                Notice(
                    "returned",
                    {"title": frame.procedure.title, "outcome": step.end, "back_title": back},
                )
            )
            self.driver.show(moved)
        elif step.end is not None:
            self._finish(active, first, step.end)
            return not self.session
        elif step.call is not None:
            self._call(active, step, first)
        else:
            drafts, moved = self._advance(active, len(st.frames) - 1, first)
            self._commit(active, drafts)
            self.driver.show(moved)
        self._moved()
        return False

    def _choose(self, active: Active, index: int) -> None:
        st = active.state
        depth = len(st.frames) - 1
        step = st.top.current
        fired = self._fire(active, depth, choice_trigger(index))
        if fired is None:  # the guard no longer holds (an input changed it)
            self.driver.show(Notice("choice_gone", {"label": step.choices[index].label}))
            return
        target, _ = fired
        first = self._milestone(active, step)
        made = self._draft(
            ev.CHOICE_MADE,
            {
                "procedure": st.top.procedure.id,
                "step": step.id,
                "label": step.choices[index].label,
                "to": target,
                "index": index,
            },
        )
        proc = st.top.procedure
        self._commit(active, [*first, made, self._enter(active, proc, target, first)])
        self._moved()

    def _call(self, active: Active, step: Step, first: list[Draft]) -> None:
        assert step.call is not None
        st = active.state
        depth = len(st.frames) - 1
        rulebook = active.pinned.rulebook
        callee = rulebook.procedure(step.call.procedure.name)
        callee_inputs = rulebook.inputs_for(callee)
        shared = {k: v for k, v in st.top.values.items() if k in rulebook.inputs}
        given: dict[str, Any] = {}
        for ref, expr in step.call.args:
            text = self._render(active, depth, expr)
            inp = callee_inputs.get(ref.name)
            try:
                given[ref.name] = parse(Spec.of_input(inp), text, self.clock()) if inp else text
            except BadValue as exc:
                self._warn(active, expr, exc.zh)
                given[ref.name] = text
        values = {**shared, **given}
        started = self._draft(
            ev.CALL_STARTED,
            {"step": step.id, "procedure": callee.id, "title": callee.title, "with": values},
        )
        self._commit(
            active, [*first, started, self._enter(active, callee, callee.start.name, first)]
        )
        self.driver.show(Notice("call", {"title": callee.title, "with": given}))

    def _finish(self, active: Active, first: list[Draft], outcome: str) -> None:
        st = active.state
        done = self._draft(
            ev.RUN_FINISHED, {"outcome": outcome, "step": st.top.step, "procedure": st.procedure_id}
        )
        also: list[tuple[Active, list[Draft]]] = []
        below = self.session[-2] if len(self.session) > 1 else None
        if below is not None and st.interrupts == below.state.run_id:
            also.append(
                (
                    below,
                    [
                        self._draft(
                            ev.RUN_CONTINUED,
                            {
                                "after": st.run_id,
                                "procedure": st.procedure_id,
                                "title": st.procedure.title,
                                "outcome": outcome,
                            },
                        )
                    ],
                )
            )
        self._commit(active, [*first, done], also)
        self.driver.show(
            Notice("finished", {"run": st.run_id, "title": st.procedure.title, "outcome": outcome})
        )
        for depth in range(len(st.frames) + 1):
            self._drop_position(st.run_id, depth)
        self.session.pop()
        if below is not None:
            top = below.state.top
            self.driver.show(
                Notice(
                    "emergency_over",
                    {
                        "title": st.procedure.title,
                        "outcome": outcome,
                        "back_title": below.state.procedure.title,
                        "step_title": top.current.title,
                    },
                )
            )
        self._moved()

    def _drop_position(self, run_id: int, depth: int) -> None:
        held = self._positions.pop((run_id, depth), None)
        if held is not None:
            self.machines.release(*held)

    # ------------------------------------------------------------ emergencies and pauses

    def _emergencies(self, active: Active) -> tuple[EmergencyOption, ...]:
        running = {a.state.procedure_id for a in self.session}
        procs = [
            p
            for p in active.pinned.rulebook.procedures.values()
            if p.kind == "emergency" and p.id not in running
        ]
        procs.sort(key=lambda p: (p.priority or 9, p.id))
        return tuple(EmergencyOption(p.id, p.title, p.priority or 9, p.trigger) for p in procs)

    def _emergency(self, active: Active, pid: str | None) -> None:
        options = self._emergencies(active)
        if pid is None:
            if not options:
                self.driver.show(Notice("no_emergencies", {}))
                return
            reply = self.driver.ask(EmergencyQuestion(options), self._reminders(), self.clock())
            if isinstance(reply, Command):
                if reply.kind in ("pause", "note"):
                    self._command(active, reply)
                return
            if not isinstance(reply, Given):
                raise TypeError(f"driver replied {reply!r} to the emergency list")
            pid = options[int(reply.value)].procedure
        elif pid not in {o.procedure for o in options}:
            self.driver.show(
                Notice(
                    "unknown_emergency", {"procedure": pid, "known": [o.procedure for o in options]}
                )
            )
            return
        proc = active.pinned.rulebook.procedure(pid)
        parent = active.state
        self.driver.show(
            Notice(
                "emergency",
                {
                    "title": proc.title,
                    "priority": proc.priority,
                    "interrupted": parent.procedure.title,
                    "step_title": parent.top.current.title,
                },
            )
        )
        child = Active(RunState(0, active.pinned.rulebook), active.pinned)
        started: dict[str, Any] = {
            "procedure": pid,
            "title": proc.title,
            "kind": proc.kind,
            "mode": proc.mode,
            "version": proc.version,
            "rulebook": active.pinned.folder,
            "rulebook_sha": active.pinned.sha,
            "procedure_sha": active.pinned.procedure_sha(pid),
            "operator": self.operator,
            "site": self.site,
            "set": {},
            "interrupts": parent.run_id,
        }
        self._open_run(child, proc, started, self.clock(), interrupted=active)
        self.session.append(child)
        self._moved()

    def _open_run(
        self,
        active: Active,
        proc: Procedure,
        started: dict[str, Any],
        now: datetime,
        interrupted: Active | None = None,
    ) -> None:
        """Create a run in the journal: its first step entered, and (for an
        emergency) the interrupted run marked waiting, in one transaction."""
        at = now.isoformat(timespec="milliseconds")
        pinned = active.pinned
        new = NewRun(
            proc.id,
            proc.title,
            proc.kind,
            at,
            pinned.sha,
            pinned.procedure_sha(proc.id),
            pinned.files,
            self.operator,
            self.site,
            interrupted.state.run_id if interrupted else None,
        )
        previews: dict[int, RunState] = {}

        def build(run_id: int) -> list[Write]:
            child = RunState(run_id, pinned.rulebook)
            drafts = [self._draft(ev.RUN_STARTED, started)]
            child.apply(drafts[0].kind, drafts[0].data, drafts[0].at)
            drafts.append(self._enter(Active(child, pinned), proc, proc.start.name, []))
            child.apply(drafts[1].kind, drafts[1].data, drafts[1].at)
            previews[run_id] = child
            writes = [Write(run_id, drafts, child.summary())]
            if interrupted is not None:
                parent = interrupted.state.copy()
                note = self._draft(
                    ev.RUN_INTERRUPTED,
                    {
                        "by": run_id,
                        "procedure": proc.id,
                        "title": proc.title,
                        "step": parent.top.step,
                    },
                )
                parent.apply(note.kind, note.data, note.at)
                previews[parent.run_id] = parent
                writes.append(
                    Write(
                        parent.run_id, [note], parent.summary(), expect=interrupted.state.last_seq
                    )
                )
            return writes

        run_id, events = self.journal.start_run(new, build)
        active.state = previews[run_id]
        active.state.last_seq = max(e.seq for e in events if e.run == run_id)
        if interrupted is not None:
            interrupted.state = previews[interrupted.state.run_id]
            interrupted.state.last_seq = max(
                e.seq for e in events if e.run == interrupted.state.run_id
            )

    def _pause(self, how: str) -> Outcome:
        leaf = self.session[-1]
        st = leaf.state
        self._commit(leaf, [self._draft(ev.RUN_PAUSED, {"step": st.top.step, "how": how})])
        self.driver.show(
            Notice("paused", {"run": st.run_id, "how": how, "title": st.procedure.title})
        )
        return Outcome("paused", self._root, how=how, runs=(self._root, st.run_id))

    # ------------------------------------------------------------ journal

    def _draft(self, kind: str, data: Mapping[str, Any]) -> Draft:
        return Draft(kind, self.clock().isoformat(timespec="milliseconds"), data, self.operator)

    def _commit(
        self,
        active: Active,
        drafts: Sequence[Draft],
        also: Sequence[tuple[Active, list[Draft]]] = (),
    ) -> None:
        """Write events (and linked ones of other runs) in one transaction,
        then adopt the state they lead to."""
        pairs = [(active, list(drafts)), *also]
        previews: list[RunState] = []
        writes: list[Write] = []
        for act, ds in pairs:
            preview = act.state.copy()
            for d in ds:
                preview.apply(d.kind, d.data, d.at)
            previews.append(preview)
            writes.append(Write(act.state.run_id, ds, preview.summary(), act.state.last_seq))
        events = self.journal.write(writes)
        for (act, _), preview in zip(pairs, previews, strict=True):
            seqs = [e.seq for e in events if e.run == act.state.run_id]
            preview.last_seq = max(seqs) if seqs else act.state.last_seq
            act.state = preview

    def _reminders(self) -> list[Any]:
        mine = {a.state.run_id for a in self.session}
        return reminders(self.journal.with_dues(), self.clock(), mine)


def _find_procedure(pinned: Pinned, pid: str) -> Procedure:
    procs = pinned.rulebook.procedures
    if pid in procs:
        return procs[pid]
    near = difflib.get_close_matches(pid, list(procs), n=1)
    hint = f'是不是 "{near[0]}"? ' if near else ""
    raise RunError(f'规则手册中没有流程 "{pid}"。{hint}用 sop list 查看所有流程')
