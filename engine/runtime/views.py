"""What the top step of a session shows: header, script, checklist, options."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from typing import Any, cast

from engine.model import Choices, End, Field, Procedure, Record, Step, lane_steps
from engine.runtime import lanes, machine
from engine.runtime.prompts import Body, Header, ItemStatus, ItemView, Option, Rule
from engine.runtime.recorder import Active
from engine.runtime.scope import Need, Scope


def role_name(active: Active, ref: Any) -> str | None:
    if ref is None:
        return None
    role = active.pinned.rulebook.roles.get(ref.name)
    return role.name if role else str(ref.name)


def posts_name(active: Active, refs: Sequence[Any]) -> str | None:
    """The posts that may do it (`role: [a, b]`: either), as staff read them."""
    names = [n for n in (role_name(active, r) for r in refs) if n]
    return " / ".join(names) or None


def header(session: Sequence[Active], active: Active) -> Header:
    frame = active.state.top
    step = frame.current
    proc = frame.procedure
    trail = [a.state.procedure.title for a in session[:-1]]
    trail += [f.procedure.title for f in active.state.frames[:-1]]
    return Header(
        run=active.state.run_id,
        procedure=proc.id,
        procedure_title=proc.title,
        number=active.state.top.arrival,
        total=steps_left(proc, step.id),
        step_id=step.id,
        step_title=step.title,
        role=posts_name(active, step.roles),
        trail=tuple(trail),
        emergency=active.state.procedure.kind == "emergency",
        visit=(active.state.run_id, active.state.top.arrival),
        hint=step.hint,
        lane=lanes.label(active.state),
        lanes=len(active.state.open_lanes),
    )


def steps_left(proc: Procedure, step: str) -> int:
    """The fewest steps after `step` before the procedure can end (0 at an
    end): what is left at least, whichever way the run goes."""
    return _steps_left(proc).get(step, -1)  # -1: no end can be reached from here


# Worked out once per procedure (a rulebook is immutable once built), not at
# every prompt: the walk costs as much as a step's whole commit on a long
# procedure. Kept by identity, the procedure held so its id is never reused.
_LEFT: dict[int, tuple[Procedure, dict[str, int]]] = {}


def _steps_left(proc: Procedure) -> dict[str, int]:
    known = _LEFT.get(id(proc))
    if known is not None and known[0] is proc:
        return known[1]
    before: dict[str, list[str]] = {sid: [] for sid in proc.steps}
    for sid, s in proc.steps.items():
        branches = lane_steps(s.exit)  # a branch's steps are not the line's way to its end
        for t in s.targets:
            if t.name in before and t not in branches:
                before[t.name].append(sid)
    left = {sid: 0 for sid, s in proc.steps.items() if isinstance(s.exit, End)}
    queue = deque(left)
    while queue:  # back from the ends
        sid = queue.popleft()
        for prev in before[sid]:
            if prev not in left:
                left[prev] = left[sid] + 1
                queue.append(prev)
    if len(_LEFT) >= 512:  # a server restoring many rulebooks keeps the latest
        _LEFT.pop(next(iter(_LEFT)))
    _LEFT[id(proc)] = (proc, left)
    return left


def items(scope: Scope, active: Active, depth: int) -> list[ItemView]:
    """The checklist items that apply, in the order written (a critical item
    is marked where it stands, never moved: the source's order is the order
    the work is done in), with any answers given."""
    frame = active.state.frames[depth]
    live = [
        (i, it)
        for i, it in enumerate(frame.current.do)
        if it.when is None or scope.judge(active, depth, it.when)
    ]
    views = []
    for number, (i, it) in enumerate(live, 1):
        status, reason = frame.items.get(i, (None, None))
        who = it.person
        person = None
        if who is not None and who.name is not None:
            person = scope.render(active, depth, who.name)
        elif i in frame.signed:
            person = "、".join(frame.signed[i])
        views.append(
            ItemView(
                i,
                number,
                scope.render(active, depth, it.text),
                it.critical,
                it.hint,
                posts_name(active, it.roles),
                cast(ItemStatus | None, status),
                reason,
                person,
            )
        )
    return views


def body(scope: Scope, active: Active, depth: int, shown: Sequence[ItemView]) -> Body:
    frame = active.state.frames[depth]
    step = frame.current
    say = tuple(
        scope.render(active, depth, line.text)
        for line in step.say
        if line.when is None or scope.judge(active, depth, line.when)
    )
    forms = active.pinned.rulebook.forms
    return Body(
        say,
        tuple(shown),
        frame.procedure.mode,
        tuple(forms[r.form.name].title for r in step.record if _applies(scope, active, depth, r)),
        standing(active, frame.procedure, step),
    )


def _applies(scope: Scope, active: Active, depth: int, rec: Record) -> bool:
    """Whether a form is filled in here as far as is known before the items
    are answered: one with `when` that needs an input not yet given is not
    shown now; its fields are asked (with its title) once it holds."""
    if rec.when is None:
        return True
    try:
        return scope.judge(active, depth, rec.when)
    except Need:
        return False


def standing(active: Active, proc: Procedure, step: Step) -> tuple[Rule, ...]:
    """The standing rules and words never to say shown at a step, for its
    posts: those for the whole procedure (and the rulebook's) at its first
    step, those written for this step (`steps:`, a table entry's own) here."""
    posts = tuple(r.name for r in step.roles)
    rules, never = active.pinned.rulebook.standing(proc, step.id, posts)
    first = step.id == proc.start.name
    entry = proc.entry(step.id)
    own = entry.never_say if entry else ()
    out = [Rule(r.text, hint=r.hint) for r in rules if r.steps or first]
    out += [Rule(n.text, True, n.instead) for n in never if n.steps or first or n in own]
    return tuple(out)


def fields(scope: Scope, active: Active, depth: int, step: Step) -> Iterable[tuple[str, Field]]:
    """The fields to fill in at a step, form by form: a form with `when` only
    if it holds, judged once the fields before it are filled (an input it
    needs is asked then)."""
    forms = active.pinned.rulebook.forms
    for rec in step.record:
        if rec.when is not None and not scope.judge(active, depth, rec.when):
            continue
        form = forms[rec.form.name]
        if rec.all_fields:
            yield from ((form.id, f) for f in form.fields.values())
        else:
            yield from ((form.id, form.fields[r.name]) for r in rec.fields)


def options(scope: Scope, active: Active, depth: int, choices: Choices) -> list[tuple[int, Option]]:
    """The choices that can be taken now (their transition's guard holds),
    with their index in `choices`."""
    frame = active.state.frames[depth]
    shown: list[tuple[int, Option]] = []
    for i, choice in enumerate(choices.choices):
        moved = machine.decide(
            frame.procedure,
            str(frame.step),
            machine.choice_trigger(i),
            lambda expr: scope.judge(active, depth, expr),
        )
        if moved is not None:
            proc = frame.procedure
            entry = proc.entry(choice.to.name)
            number, words = None, ""
            if entry is not None:  # a rule table's: found by number or words
                s = entry.step
                number = entry.number
                words = " ".join((entry.title, *(i.text.source for i in (*s.do, *s.say))))
            title = proc.steps[moved[0]].title
            shown.append((i, Option(choice.label, title, number, words)))
    return shown
