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


@lru_cache(maxsize=16384)
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
_FULLWIDTH = {
    "“": "'",
    "”": "'",
    "‘": "'",
    "’": "'",
    "＝": "=",
    "＞": ">",
    "＜": "<",
    "！": "!",
    "（": "(",
    "）": ")",
    "［": "[",
    "］": "]",
    "，": ",",
    "\u3000": " ",
    "＆": "&",
    "｜": "|",
    "＋": "+",
    "－": "-",
}
_STRINGS = re.compile(r"('[^']*'|\"[^\"]*\")")
_OPERATORS = [
    (re.compile(r"\s*&&\s*"), " and "),
    (re.compile(r"\s*\|\|\s*"), " or "),
    (re.compile(r"!(?!=)\s*"), "not "),
]
_EQUALS = [(re.compile(r"===|(?<![=!<>])=(?!=)"), "==")]


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """What a guard or template that does not parse most likely meant."""

    variant: str  # the message variant of expression-syntax
    needle: str | None = None  # where in the text to point
    fixed: str | None = None  # the whole expression as meant, when it checks clean
    char: str = ""
    token: str = ""
    block: str = ""


def _outside_strings(source: str, rules: list[tuple[re.Pattern[str], str]]) -> str:
    parts = _STRINGS.split(source)
    for i in range(0, len(parts), 2):  # the even parts are outside quotes
        for pattern, replacement in rules:
            parts[i] = pattern.sub(replacement, parts[i])
    return " ".join("".join(parts).split())


def _checks_clean(source: str, known: frozenset[str]) -> bool:
    analysis = analyse(source, "guard")
    return not analysis.findings and set(analysis.names) <= known


def diagnose(source: str, kind: str, detail: str, known: frozenset[str]) -> Diagnosis:
    """Why an expression does not parse, in the designer's terms: a guard
    written as a template, full-width symbols, && || ! for and or not, = for
    ==; else what Jinja2 stumbled on, translated. `known`: the names the
    procedure declares (an offered fix must check clean with them)."""
    if kind == "guard":
        if "{{" in source or "{%" in source:
            fixed = _BRACES.sub(lambda m: m.group(1) or m.group(2) or "", source).strip()
            ok = fixed and "{" not in fixed and _checks_clean(fixed, known)
            return Diagnosis("braces" if ok else "braces-only", None, fixed if ok else None)
        wide = [c for c in dict.fromkeys(source) if c in _FULLWIDTH]
        fixed = "".join(_FULLWIDTH.get(c, c) for c in source)
        ops = _outside_strings(fixed, _OPERATORS)
        equals = _outside_strings(ops, _EQUALS)
        if equals != " ".join(source.split()) and _checks_clean(equals, known):
            if wide:
                return Diagnosis("fullwidth", wide[0], equals, char=" ".join(wide))
            if ops != " ".join(fixed.split()):
                needle = next(op for op in ("&&", "||", "!") if op in source)
                return Diagnosis("operator", needle, equals)
            return Diagnosis("equals", "=", equals)
    if kind == "template" and (
        source.count("{{") != source.count("}}") or source.count("{%") != source.count("%}")
    ):
        return Diagnosis("unpaired")
    block = re.search(r"innermost block that needs to be closed is '(\w+)'", detail)
    if block:
        return Diagnosis("unclosed-block", None, block=block.group(1))
    if "end of template" in detail:
        return Diagnosis("incomplete")
    char = re.match(r"unexpected char (['\"])(.)\1", detail)
    if char:
        c = char.group(2)
        if c in "'\"":
            return Diagnosis("unclosed-quote", c, char=c)
        if c in _FULLWIDTH:
            return Diagnosis("fullwidth-char", c, char=c, token=_FULLWIDTH[c])
        return Diagnosis("char", c, char=c)
    token = re.match(r"(?:unexpected|expected token '[^']*', got) '(.+)'$", detail)
    if token:
        return Diagnosis("token", token.group(1), token=token.group(1))
    return Diagnosis("")


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


# ---------------------------------------------------------------- values


class Unknowable(Exception):
    """The guard uses something the checker does not evaluate."""


class Failed(Exception):
    """The guard fails at run time under these values (say, "3" < 2)."""


@lru_cache(maxsize=4096)
def guard_tree(source: str) -> Any:
    """A guard's syntax tree (None when it does not parse)."""
    from jinja2.exceptions import TemplateSyntaxError

    try:
        return parse_guard(source)
    except TemplateSyntaxError:
        return None


_COMPARE: dict[str, Any] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a < b,
    "lteq": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "gteq": lambda a, b: a >= b,
    "in": lambda a, b: a in b,
    "notin": lambda a, b: a not in b,
}


def _filter(name: str, value: Any, args: list[Any]) -> Any:
    if name == "default":
        return value
    if name == "length":
        return len(value)
    if name in ("lower", "upper"):
        return getattr(str(value), name)()
    if name == "trim":
        return str(value).strip()
    if name == "join":
        return (args[0] if args else "").join(str(v) for v in value)
    if name in ("first", "last"):
        seq = list(value)
        return (seq[0] if name == "first" else seq[-1]) if seq else None
    if name == "round":
        return round(float(value), int(args[0]) if args else 0)
    if name == "int":
        try:
            return int(float(value))
        except (TypeError, ValueError):
            return args[0] if args else 0
    if name == "replace" and len(args) >= 2:
        return str(value).replace(str(args[0]), str(args[1]))
    raise Unknowable(name)


def value_of(node: Any, scope: dict[str, Any]) -> Any:
    """The value of a guard's tree with the names in `scope`, as Jinja2's
    sandbox computes it for the allowed subset (engine.expressions)."""
    from jinja2 import nodes as n

    try:
        if isinstance(node, n.Const):
            return node.value
        if isinstance(node, n.Name):
            if node.name not in scope:
                raise Unknowable(node.name)
            return scope[node.name]
        if isinstance(node, n.List):
            return [value_of(i, scope) for i in node.items]
        if isinstance(node, n.Tuple):
            return tuple(value_of(i, scope) for i in node.items)
        if isinstance(node, n.And):
            left = value_of(node.left, scope)
            return value_of(node.right, scope) if left else left
        if isinstance(node, n.Or):
            left = value_of(node.left, scope)
            return left if left else value_of(node.right, scope)
        if isinstance(node, n.Not):
            return not value_of(node.node, scope)
        if isinstance(node, n.Compare):
            left = value_of(node.expr, scope)
            for op in node.ops:
                right = value_of(op.expr, scope)
                if not _COMPARE[op.op](left, right):
                    return False
                left = right
            return True
        if isinstance(node, n.CondExpr):
            if value_of(node.test, scope):
                return value_of(node.expr1, scope)
            return None if node.expr2 is None else value_of(node.expr2, scope)
        if isinstance(node, n.Neg):
            return -value_of(node.node, scope)
        if isinstance(node, n.Pos):
            return +value_of(node.node, scope)
        if isinstance(node, n.Add):
            return value_of(node.left, scope) + value_of(node.right, scope)
        if isinstance(node, n.Sub):
            return value_of(node.left, scope) - value_of(node.right, scope)
        if isinstance(node, n.Concat):
            return "".join(str(value_of(x, scope)) for x in node.nodes)
        if isinstance(node, n.Filter) and node.node is not None:
            args = [value_of(a, scope) for a in node.args]
            return _filter(node.name, value_of(node.node, scope), args)
    except (TypeError, ValueError, IndexError, KeyError, ZeroDivisionError) as exc:
        raise Failed(str(exc)) from exc
    raise Unknowable(type(node).__name__)


@lru_cache(maxsize=16384)
def literal_spans(source: str) -> tuple[tuple[Any, str], ...]:
    """Each literal (string, number, true/false) of a guard with the text
    that writes it, in order. Kept per text: the same guard is written at
    many steps, and the language server checks a file on every edit."""
    import ast

    out: list[tuple[Any, str]] = []
    for _, kind, raw in environment().lexer.tokeniter(source, None, state="variable"):
        if kind == "string":
            try:
                out.append((ast.literal_eval(raw), raw))
            except (ValueError, SyntaxError):
                out.append((raw[1:-1], raw))
        elif kind in ("integer", "float"):
            out.append((int(raw) if kind == "integer" else float(raw), raw))
        elif kind == "name" and raw.lower() in ("true", "false", "none"):
            out.append(({"true": True, "false": False}.get(raw.lower()), raw))
    return tuple(out)
