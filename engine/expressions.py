"""Expressions: the safe subset of Jinja2 that rulebooks may use.

`when` guards are Jinja2 expressions, `say`/`do`/`with` texts are Jinja2
templates. Both are parsed (never compiled here: compiling is the most
expensive thing a validator could do) and their syntax tree is checked
against an allowlist: names, literals, comparisons, and/or/not, in, if/else,
+/-/~ and a few filters. Anything else — calls, attribute or item access,
loops, `**`, underscore names, huge constants — is refused, so nothing in a
rulebook can run code or reach Python objects. The runtime evaluates the
same trees in Jinja2's sandbox as a second wall.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import nodes
    from jinja2.sandbox import SandboxedEnvironment

ALLOWED_FILTERS = frozenset(
    {
        "default",
        "length",
        "lower",
        "upper",
        "trim",
        "join",
        "first",
        "last",
        "round",
        "int",
        "replace",
    }
)
ALLOWED_COMPARE = frozenset({"eq", "ne", "lt", "lteq", "gt", "gteq", "in", "notin"})
MAX_STRING = 200
MAX_NUMBER = 1_000_000_000

# What a person would call each refused construct (zh, en).
_CONSTRUCTS: dict[str, tuple[str, str]] = {
    "Call": ("函数调用", "a function call"),
    "Getattr": ("属性访问 (a.b)", "attribute access (a.b)"),
    "Getitem": ("下标访问 (a[0])", "item access (a[0])"),
    "Slice": ("切片", "a slice"),
    "Pow": ("乘方 **", "the power operator **"),
    "Mul": ("乘法 *", "multiplication *"),
    "Div": ("除法 /", "division /"),
    "FloorDiv": ("整除 //", "floor division //"),
    "Mod": ("取余 %", "the modulo operator %"),
    "Dict": ("字典 {…}", "a dict literal {…}"),
    "Test": ("is 测试", "an `is` test"),
    "For": ("循环 {% for %}", "a loop {% for %}"),
    "Macro": ("宏 {% macro %}", "a macro"),
    "CallBlock": ("调用块", "a call block"),
    "FilterBlock": ("过滤块", "a filter block"),
    "With": ("{% with %}", "{% with %}"),
    "Assign": ("赋值 {% set %}", "an assignment {% set %}"),
    "AssignBlock": ("赋值 {% set %}", "an assignment {% set %}"),
    "Include": ("{% include %}", "{% include %}"),
    "Import": ("{% import %}", "{% import %}"),
    "FromImport": ("{% from … import %}", "{% from … import %}"),
    "Extends": ("{% extends %}", "{% extends %}"),
    "Block": ("{% block %}", "{% block %}"),
    "Scope": ("作用域块", "a scope block"),
    "NSRef": ("命名空间引用", "a namespace reference"),
    "Keyword": ("关键字参数", "a keyword argument"),
}


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem inside one expression; `line` is 1-based within the text,
    `needle` is the text to point the caret at (when known)."""

    kind: str  # "syntax" | "forbidden" | "oversized" | "underscore" | "filter"
    line: int
    needle: str | None
    detail: str = ""
    construct: tuple[str, str] = ("", "")


@dataclass(frozen=True, slots=True)
class Analysis:
    names: tuple[str, ...]  # every free name, first use first
    findings: tuple[Finding, ...]


@lru_cache(maxsize=1)
def environment() -> SandboxedEnvironment:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(
        undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
    )


def parse_guard(source: str) -> nodes.Expr:
    """Parse an expression the way `compile_expression` does, without compiling."""
    from jinja2.exceptions import TemplateSyntaxError
    from jinja2.parser import Parser

    parser = Parser(environment(), source, state="variable")
    expr = parser.parse_expression()
    if not parser.stream.eos:
        tok = parser.stream.current
        raise TemplateSyntaxError(f"unexpected {tok.value!r}", tok.lineno)
    return expr


def parse_template(source: str) -> nodes.Template:
    return environment().parse(source)


@lru_cache(maxsize=65536)
def analyse(source: str, kind: str) -> Analysis:
    """Check one guard ("guard") or template ("template"); cached by text, since
    the same phrase recurs across steps and files."""
    from jinja2.exceptions import TemplateSyntaxError

    try:
        tree: Any = parse_guard(source) if kind == "guard" else parse_template(source)
    except TemplateSyntaxError as exc:
        finding = Finding("syntax", exc.lineno or 1, None, exc.message or "")
        return Analysis(_names_in_broken(source, kind), (finding,))
    names: dict[str, None] = {}
    findings = list(_walk(tree, names, top=kind))
    return Analysis(tuple(names), tuple(findings))


_WORDS = frozenset(
    {"and", "or", "not", "in", "is", "if", "else", "elif", "endif", "true", "false", "none"}
)
_QUOTED = re.compile(r"""'[^']*'|"[^"]*"|“[^”]*”|‘[^’]*’""")
_NAME = re.compile(r"(?<![\w.])[A-Za-z_][A-Za-z0-9_]*")
_BLOCKS = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}", re.DOTALL)


def _names_in_broken(source: str, kind: str) -> tuple[str, ...]:
    """The names an expression that does not parse seems to use: it still
    uses them (an input named there is not "unused"), though it cannot be
    checked further until it parses."""
    parts = [source] if kind == "guard" else [a or b for a, b in _BLOCKS.findall(source)]
    names: dict[str, None] = {}
    for part in parts:
        for m in _NAME.finditer(_QUOTED.sub(" ", part)):
            if m.group().lower() not in _WORDS:
                names.setdefault(m.group(), None)
    return tuple(names)


_BRACES = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}|\{%-?\s*(?:if\s+)?(.*?)\s*-?%\}", re.DOTALL)


def braces_fix(source: str, known: frozenset[str]) -> str | None:
    """A guard written as a template (`{{ returning }}`, `{% if vip %}`): the
    same guard without the braces, when that is a guard that checks clean
    with the names `known`."""
    if "{{" not in source and "{%" not in source:
        return None
    fixed = _BRACES.sub(lambda m: m.group(1) or m.group(2) or "", source).strip()
    if not fixed or "{" in fixed:
        return None
    analysis = analyse(fixed, "guard")
    if analysis.findings or not set(analysis.names) <= known:
        return None
    return fixed


def _walk(node: Any, names: dict[str, None], top: str) -> Iterator[Finding]:
    from jinja2 import nodes as n

    line = getattr(node, "lineno", 1) or 1
    kind = type(node).__name__
    if isinstance(node, n.Name):
        if node.name.startswith("_"):
            yield Finding("underscore", line, node.name)
        else:
            names.setdefault(node.name, None)
        return
    if isinstance(node, n.Const):
        value = node.value
        if isinstance(value, str) and len(value) > MAX_STRING:
            yield Finding("oversized", line, None, f"{len(value)}")
        elif (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and abs(value) > MAX_NUMBER
        ):
            yield Finding("oversized", line, str(value), str(value))
        return
    if isinstance(node, n.Filter):
        if node.name not in ALLOWED_FILTERS:
            yield Finding("filter", line, node.name, node.name)
        if node.dyn_args is not None or node.dyn_kwargs is not None or node.kwargs:
            yield Finding("forbidden", line, None, construct=_CONSTRUCTS["Keyword"])
        if node.node is not None:
            yield from _walk(node.node, names, top)
        for arg in node.args:
            yield from _walk(arg, names, top)
        return
    if isinstance(node, n.Operand):
        if node.op not in ALLOWED_COMPARE:
            yield Finding("forbidden", line, None, node.op, ("比较 " + node.op, node.op))
        yield from _walk(node.expr, names, top)
        return
    allowed = (
        n.Template,
        n.Output,
        n.TemplateData,
        n.If,
        n.And,
        n.Or,
        n.Not,
        n.Neg,
        n.Pos,
        n.Compare,
        n.CondExpr,
        n.Add,
        n.Sub,
        n.Concat,
        n.List,
        n.Tuple,
    )
    if not isinstance(node, allowed) or (top == "guard" and isinstance(node, n.If)):
        construct = _CONSTRUCTS.get(kind, (kind, kind))
        yield Finding("forbidden", line, _needle(node), kind, construct)
        return
    for child in node.iter_child_nodes():
        yield from _walk(child, names, top)


_OPERATOR_TEXT = {
    "Pow": "**",
    "Mul": "*",
    "Div": "/",
    "FloorDiv": "//",
    "Mod": "%",
    "Getitem": "[",
    "Slice": ":",
}


def _needle(node: Any) -> str | None:
    """The text of a refused construct to point the caret at."""
    kind = type(node).__name__
    if kind == "Call":
        func = getattr(node, "node", None)
        name = getattr(func, "attr", None) or getattr(func, "name", None)
        return f"{name}(" if isinstance(name, str) else "("
    if kind == "Getattr":
        return f".{node.attr}"
    if kind in _OPERATOR_TEXT:
        return _OPERATOR_TEXT[kind]
    name = getattr(node, "name", None)
    return name if isinstance(name, str) else None
