"""A guard compares a name only with values its declared type can take."""

from __future__ import annotations

from collections.abc import Iterator

from engine.checks._types import KINDS, typed
from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.messages import listing
from engine.problems import Fix, Problem, Said

ID = "compare-value"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=(
        "条件中与输入项比较的值必须符合它的类型和选项",
        "guards compare names with values of their declared type and options",
    ),
    messages={
        "bool": (
            '"{name}" 是 是/否 输入项, 值只会是 true 或 false, 不会是 {value}。请写成 {text}',
            '"{name}" is a yes/no input: it is true or false, never {value}. write {text}',
        ),
        "number": (
            '"{name}" 是数字, 不会等于文字 {value}。请去掉引号: {text}',
            '"{name}" is a number, never the text {value}. drop the quotes: {text}',
        ),
        "text": (
            '"{name}" 是文字, 不会等于数字 {value}。请加引号: {text}',
            '"{name}" is text, never the number {value}. quote it: {text}',
        ),
        "option": (
            '"{name}" 的选项中没有 {value}, 这个比较永远不成立。{hint}可选: {options}',
            '{value} is not an option of "{name}", so this comparison never holds. {hint}options: {options}',
        ),
        "option-quote": (
            '"{name}" 的选项是文字, 请加引号: {text}',
            'the options of "{name}" are text; quote it: {text}',
        ),
        "date": (
            '"{name}" 是日期, 写作 "2026-12-01"; 写成 {value} 比较的结果会不对。请写成 {text}',
            '"{name}" is a date written "2026-12-01"; compared with {value} it goes wrong. write {text}',
        ),
        "clock": (
            '"{name}" 是时刻, 写作 "08:30"; 写成 {value} 比较的结果会不对。请写成 {text}',
            '"{name}" is a clock time written "08:30"; compared with {value} it goes wrong. write {text}',
        ),
        "range": (
            '"{name}" 的值在 {low} 到 {high} 之间{note}, 不会等于 {value}',
            '"{name}" lies between {low} and {high}{note}, never {value}',
        ),
        "kind": (
            '"{name}" 的类型是 {kind}, 不会等于 {value}。请和 {kind} 类型的值比较',
            '"{name}" is {kind}, never {value}. compare it with a value of that type',
        ),
    },
    keys=("inputs", "steps"),
)

_NOTES = {"weekday": Said(" (周一为 1, 周日为 7)", " (Monday is 1, Sunday 7)")}


def _number(value: float | None) -> str:
    if value is None:
        return "…"
    return str(int(value)) if float(value).is_integer() else str(value)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        types = typed(ctx, proc)
        for expr, analysis in ctx.exprs(proc):
            if expr.kind != "guard" or analysis.findings:
                continue
            for m in types.mismatches(expr.source):
                pos = ctx.locate(expr, 1, m.raw)
                exact = pos.end_col - pos.col == len(m.raw) and pos.line == pos.end_line
                yield Problem(
                    ID,
                    pos,
                    {
                        "name": m.name,
                        "value": m.raw,
                        "text": m.text or "",
                        "options": listing(m.domain.options, 12),
                        "low": _number(m.domain.low),
                        "high": _number(m.domain.high),
                        "note": _NOTES.get(m.name, Said("", "")),
                        "kind": KINDS.get(m.domain.kind, Said(m.domain.kind, m.domain.kind)),
                        "suggestion": m.suggestion,
                    },
                    m.variant,
                    fix=Fix(pos, m.text) if m.text and exact else None,
                )
