"""`milestone: {name, from: form.field}` takes its date from a declared
date or datetime field that the procedure records (the latest value
recorded when the step is done)."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.messages import listing, suggest
from engine.problems import Problem, did_you_mean

ID = "milestone-field"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "里程碑的日期取自本步记录的日期字段",
        "a milestone's from names a date field the step records",
    ),
    messages={
        "": (
            '"{name}" 不是已声明表单的日期字段。{hint}可用的日期字段: {known}',
            '"{name}" is not a date field of a declared form. {hint}date fields: {known}',
        ),
        "type": (
            '字段 "{name}" 的类型是 {type}, 里程碑的日期只能取自 date 或 datetime 字段',
            'field "{name}" is of type {type}; a milestone takes its date only from a date '
            "or datetime field",
        ),
        "not-recorded": (
            '本流程没有任何步骤记录 "{name}", 步骤 "{step}" 的里程碑日期无从取得。'
            "请在本步 (或之前的步骤) 的 record 中加上这个字段",
            'no step of this procedure records "{name}", so the milestone of step "{step}" '
            "has no date to take. record the field at this step or one before it",
        ),
    },
    keys=("steps.*.milestone", "steps.*.record"),
)

DATED = ("date", "datetime")


def check(ctx: Context) -> Iterator[Problem]:
    rulebook = ctx.rulebook
    dated = [n for n in rulebook.field_names if (f := rulebook.field_of(n)) and f.type in DATED]
    for proc in ctx.procedures:
        recorded = {
            f"{r.form.name}.{f}"
            for s in proc.steps.values()
            for r in s.record
            for f in (
                rulebook.forms[r.form.name].fields
                if r.all_fields and r.form.name in rulebook.forms
                else [x.name for x in r.fields]
            )
        }
        for step in proc.steps.values():
            ref = step.milestone_from
            if ref is None:
                continue
            fld = rulebook.field_of(ref.name)
            if fld is None:
                # Meant: a date field this procedure records (the fix then validates).
                meant = suggest(ref.name, [n for n in dated if n in recorded])
                yield Problem(
                    ID,
                    ref.pos,
                    {"name": ref.name, "known": listing(dated), "suggestion": meant},
                    fix=did_you_mean(ref.pos, meant),
                )
            elif fld.type not in DATED:
                yield Problem(ID, ref.pos, {"name": ref.name, "type": fld.type}, "type")
            elif ref.name not in recorded:
                yield Problem(ID, ref.pos, {"name": ref.name, "step": step.id}, "not-recorded")
