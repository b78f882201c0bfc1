"""Every name in a guard or template is a declared input or a built-in."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.messages import listing, suggest
from engine.model import OUTCOME, Expr, Procedure, branches_of
from engine.problems import Problem, did_you_mean

ID = "undeclared-name"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=("条件和话术中的名称必须已声明", "names in guards and templates are declared"),
    messages={
        "": (
            '名称 "{name}" 未声明。请在 inputs 中声明它。{hint}可用的名称: {known}',
            'name "{name}" is not declared. declare it in inputs. {hint}known names: {known}',
        ),
        "field": (
            '"{name}" 不是已声明表单的字段 (条件中读记录写作 表单编号.字段编号)。{hint}可用的字段: {known}',
            '"{name}" is not a field of a declared form (a record is read as form_id.field_id). '
            "{hint}fields: {known}",
        ),
        "outcome": (
            '"outcome" (被调用流程的结果) 只能在调用了流程 (call) 的步骤的 next 条件中读取',
            '"outcome" (the called procedure\'s outcome) is readable only in the guards of the '
            "next of a step that calls a procedure",
        ),
    },
)


def _after_call(proc: Procedure) -> set[int]:
    """The guards of a call's `next`, by identity: where `outcome` may be read."""
    return {
        id(branch.when)
        for step in proc.steps.values()
        for call in step.calls
        for branch in branches_of(call)
        if branch.when is not None
    }


def _known(base: frozenset[str], expr: Expr, after_call: set[int]) -> frozenset[str]:
    return base | {OUTCOME} if id(expr) in after_call else base


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        base = ctx.names_for(proc)
        after_call = _after_call(proc)
        for expr, analysis in ctx.exprs(proc):
            if analysis.findings and any(f.kind == "syntax" for f in analysis.findings):
                continue  # its names are a guess until it parses: expression-syntax says so
            known = _known(base, expr, after_call)
            for name in analysis.names:
                if name in known:
                    continue
                exact = ctx.locate_name(expr, name)
                where = exact or ctx.locate(expr, 1, name)
                if name == OUTCOME:
                    yield Problem(ID, where, {}, "outcome")
                    continue
                among = ctx.rulebook.field_names if "." in name else known
                meant = suggest(name, among)
                yield Problem(
                    ID,
                    where,
                    {"name": name, "known": listing(among, 12), "suggestion": meant},
                    "field" if "." in name else "",
                    fix=did_you_mean(exact, meant) if exact else None,
                )
