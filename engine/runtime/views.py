"""What the top step of a session shows: header, script, checklist, options."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from engine.model import Choices, Field, Step
from engine.runtime.prompts import Body, Header, ItemStatus, ItemView, Option
from engine.runtime.recorder import Active
from engine.runtime.scope import Scope


def role_name(active: Active, ref: Any) -> str | None:
    if ref is None:
        return None
    role = active.pinned.rulebook.roles.get(ref.name)
    return role.name if role else str(ref.name)


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
        number=list(proc.steps).index(step.id) + 1,
        total=len(proc.steps),
        step_id=step.id,
        step_title=step.title,
        role=role_name(active, step.role),
        trail=tuple(trail),
        emergency=active.state.procedure.kind == "emergency",
        visit=(active.state.run_id, active.state.arrivals),
        hint=step.hint,
    )


def items(scope: Scope, active: Active, depth: int) -> list[ItemView]:
    """The checklist items that apply, critical first, with any answers given."""
    frame = active.state.frames[depth]
    live = [
        (i, it)
        for i, it in enumerate(frame.current.do)
        if it.when is None or scope.judge(active, depth, it.when)
    ]
    live.sort(key=lambda pair: not pair[1].critical)  # stable: else as written
    views = []
    for number, (i, it) in enumerate(live, 1):
        status, reason = frame.items.get(i, (None, None))
        views.append(
            ItemView(
                i,
                number,
                scope.render(active, depth, it.text),
                it.critical,
                it.hint,
                role_name(active, it.role) if it.role else None,
                cast(ItemStatus | None, status),
                reason,
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
        tuple(forms[r.form.name].title for r in step.record),
    )


def fields(active: Active, step: Step) -> Iterable[tuple[str, Field]]:
    forms = active.pinned.rulebook.forms
    for rec in step.record:
        form = forms[rec.form.name]
        if rec.all_fields:
            yield from ((form.id, f) for f in form.fields.values())
        else:
            yield from ((form.id, form.fields[r.name]) for r in rec.fields)


def options(scope: Scope, active: Active, depth: int, choices: Choices) -> list[tuple[int, Option]]:
    """The choices whose guard holds, with their index in `choices`."""
    frame = active.state.frames[depth]
    return [
        (i, Option(c.label, frame.procedure.steps[c.to.name].title))
        for i, c in enumerate(choices.choices)
        if c.when is None or scope.judge(active, depth, c.when)
    ]
