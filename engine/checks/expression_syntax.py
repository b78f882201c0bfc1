"""`when` guards and text templates parse as Jinja2."""

from __future__ import annotations

import json
from collections.abc import Iterator

from engine.checks._expr import what, whole
from engine.checks.context import Context
from engine.checks.rule import ERROR, Rule
from engine.expressions import diagnose
from engine.problems import Problem, Said

ID = "expression-syntax"
RULE = Rule(
    id=ID,
    level=ERROR,
    description=("条件和话术模板必须能解析", "guards and templates parse"),
    messages={
        "": (
            "{what} {text} 写法有误, 无法解析。请检查括号、引号和运算符{detail}",
            "{what} {text} does not parse. check brackets, quotes and operators{detail}",
        ),
        "braces": (
            "条件不用写 {{{{ }}}} 或 {{% %}}: when 的内容本身就是表达式。请写成 when: {fixed}",
            "a guard takes no {{{{ }}}} or {{% %}}: what follows when: is an expression already. write when: {fixed}",
        ),
        "braces-only": (
            '条件 {text} 中不用写 {{{{ }}}} 或 {{% %}}: when 的内容本身就是表达式。请去掉括号 (如 when: "{{{{ vip }}}}" 写成 when: vip)',
            'a guard takes no {{{{ }}}} or {{% %}}: {text} is an expression already. drop the braces (when: "{{{{ vip }}}}" is written when: vip)',
        ),
        "fullwidth": (
            "{what} {text} 中有全角符号 {char}。请用半角符号: when: {fixed}",
            "{what} {text} has full-width symbols {char}. use ASCII ones: when: {fixed}",
        ),
        "operator": (
            "{what} {text} 中请用 and、or、not, 不用 &&、||、!。请写成 when: {fixed}",
            "{what} {text}: write and, or, not instead of &&, ||, !: when: {fixed}",
        ),
        "equals": (
            '{what} {text} 中的 "=" 不是比较: 比较是否相等要写 "=="。请写成 when: {fixed}',
            'in {what} {text}, "=" does not compare: equality is "==". write when: {fixed}',
        ),
        "incomplete": (
            "{what} {text} 不完整: 结尾缺少内容 (如 and、or、== 之后缺少值, 或括号没有闭合)",
            "{what} {text} is incomplete: something is missing at its end (after and, or or ==, or a bracket left open)",
        ),
        "unclosed-quote": (
            "{what} {text} 中的引号 {char} 没有闭合",
            "the quote {char} in {what} {text} is not closed",
        ),
        "fullwidth-char": (
            '{what} {text} 中的 "{char}" 是全角符号。请改用半角的 "{token}"',
            '"{char}" in {what} {text} is a full-width symbol. use the ASCII "{token}"',
        ),
        "char": (
            '{what} {text} 中不能使用字符 "{char}"',
            '{what} {text} cannot hold the character "{char}"',
        ),
        "token": (
            '{what} {text} 在 "{token}" 处写法有误。请检查它前后的运算符和引号',
            '{what} {text} goes wrong at "{token}". check the operators and quotes around it',
        ),
        "unpaired": (
            "{what} {text} 中的 {{{{ 和 }}}} (或 {{% 和 %}}) 没有成对",
            "{{{{ and }}}} (or {{% and %}}) in {what} {text} do not pair up",
        ),
        "unclosed-block": (
            "{what} {text} 中的 {{% {block} %}} 没有结束。请在后面加上 {{% end{block} %}}",
            "{{% {block} %}} in {what} {text} is not closed. add {{% end{block} %}} after it",
        ),
    },
)


def check(ctx: Context) -> Iterator[Problem]:
    for proc in ctx.procedures:
        for expr, analysis in ctx.exprs(proc):
            for f in analysis.findings:
                if f.kind != "syntax":
                    continue
                meant = diagnose(expr.source, expr.kind, f.detail, ctx.names_for(proc))
                args = {
                    "what": what(expr),
                    "text": json.dumps(expr.source, ensure_ascii=False),
                    "detail": Said("", f" ({f.detail})"),
                    "fixed": json.dumps(meant.fixed, ensure_ascii=False),
                    "char": meant.char,
                    "token": meant.token,
                    "block": meant.block,
                }
                yield Problem(
                    ID,
                    ctx.locate(expr, f.line, meant.needle),
                    args,
                    meant.variant,
                    fix=whole(expr, meant.fixed) if meant.fixed else None,
                )
