"""Expressions: the one place guards and text templates are parsed, checked
and evaluated.

`when` guards are Jinja2 expressions, `say`/`do`/`with` texts are Jinja2
templates. Jinja2 is used here only as a parser (imported lazily: `sop
--version` never loads it) and for the few filters' own functions. Each
text is parsed once and walked once: the walk checks every node against the
allowlist — names, literals, comparisons, and/or/not, in, if/else, +/-/~ and
a few filters; anything else (calls, attribute or item access, loops, `**`,
underscore names, huge constants) is a `Finding` — and builds the
expression's own syntax tree (the frozen nodes below), which is what every
other module reads, with `match`.

The same trees are evaluated by the one interpreter here (`value`, `truth`,
`render`), for the runner, the simulator, the printed scripts and the
validator's typed checks alike. It knows only the allowed nodes and the
allowed filters, so nothing in a rulebook can run code or reach a Python
object: the interpreter is the sandbox. Its semantics are Jinja2's for that
subset (Python's operators, Jinja2's filters, `None` printed as nothing); a
name without a value is a `NeedInput`, raised only where the value is used,
so `returning and surname` asks for the surname only when the visitor is
returning.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, cast

if TYPE_CHECKING:
    from jinja2 import Environment

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

ExprKind = Literal["guard", "template"]
CompareOp = Literal["eq", "ne", "lt", "lteq", "gt", "gteq", "in", "notin"]


# ---------------------------------------------------------------- the syntax tree


@dataclass(frozen=True, slots=True)
class Name:
    name: str


@dataclass(frozen=True, slots=True)
class Const:
    value: Any  # str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class List:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Tuple:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class And:
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Or:
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Not:
    node: Node


@dataclass(frozen=True, slots=True)
class Neg:
    node: Node


@dataclass(frozen=True, slots=True)
class Pos:
    node: Node


@dataclass(frozen=True, slots=True)
class Operand:
    op: CompareOp
    right: Node


@dataclass(frozen=True, slots=True)
class Compare:
    """`left op1 a op2 b …`, chained as in Python."""

    left: Node
    ops: tuple[Operand, ...]


@dataclass(frozen=True, slots=True)
class CondExpr:
    """`then if test else otherwise` (`otherwise` may be left out)."""

    test: Node
    then: Node
    otherwise: Node | None


@dataclass(frozen=True, slots=True)
class Add:
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Sub:
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Concat:
    """`a ~ b ~ …`: the parts as text, joined."""

    nodes: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Filter:
    node: Node
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Refused:
    """A construct outside the allowlist (its `Finding` says which); nothing
    evaluates it."""

    kind: str


Node: TypeAlias = (
    Name
    | Const
    | List
    | Tuple
    | And
    | Or
    | Not
    | Neg
    | Pos
    | Compare
    | CondExpr
    | Add
    | Sub
    | Concat
    | Filter
    | Refused
)


@dataclass(frozen=True, slots=True)
class Text:
    """Literal text of a template."""

    data: str


@dataclass(frozen=True, slots=True)
class If:
    """`{% if %}…{% elif %}…{% else %}…{% endif %}`: the arms in order."""

    arms: tuple[tuple[Node, Body], ...]
    otherwise: Body


Part: TypeAlias = Text | If | Node
Body: TypeAlias = tuple[Part, ...]


def children(node: Node) -> tuple[Node, ...]:
    """A node's sub-expressions, in the order they are written."""
    match node:
        case Name() | Const() | Refused():
            return ()
        case List(items) | Tuple(items) | Concat(items):
            return items
        case And(left, right) | Or(left, right) | Add(left, right) | Sub(left, right):
            return (left, right)
        case Not(inner) | Neg(inner) | Pos(inner):
            return (inner,)
        case Compare(left, ops):
            return (left, *(op.right for op in ops))
        case CondExpr(test, then, otherwise):
            return (test, then) if otherwise is None else (test, then, otherwise)
        case Filter(inner, _, args):
            return (inner, *args)
    raise TypeError(node)


def walk(node: Node) -> Iterator[Node]:
    """The node and everything below it, depth first, in written order."""
    yield node
    for child in children(node):
        yield from walk(child)


def names_in(node: Node) -> set[str]:
    return {x.name for x in walk(node) if isinstance(x, Name)}


# ---------------------------------------------------------------- parsing and checking


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
    # The expression's tree (a guard's Node, a template's Body); None when
    # it does not parse. Refused constructs stand in it as `Refused`.
    tree: Node | Body | None = None


@lru_cache(maxsize=1)
def environment() -> Environment:
    """Jinja2, as our parser (never as a compiler: nothing is compiled)."""
    from jinja2 import Environment, StrictUndefined

    return Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


def _parse_guard(source: str) -> Any:
    """A guard's Jinja2 tree, parsed the way `compile_expression` would."""
    from jinja2.exceptions import TemplateSyntaxError
    from jinja2.parser import Parser

    parser = Parser(environment(), source, state="variable")
    expr = parser.parse_expression()
    if not parser.stream.eos:
        tok = parser.stream.current
        raise TemplateSyntaxError(f"unexpected {tok.value!r}", tok.lineno)
    return expr


# A name or `form.field` written alone (not one of Jinja2's words): what most
# guards and every `{{ … }}` of most texts hold. These are read without
# Jinja2, to the tree it would give; anything else goes to Jinja2.
_PLAIN_NAME = r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)?"
_GUARD_NAME = re.compile(rf"[ \t\n]*({_PLAIN_NAME})[ \t\n]*")
_TEMPLATE_NAME = re.compile(rf"\{{\{{[ \t]*({_PLAIN_NAME})[ \t]*\}}\}}")
_NAMES_ONLY = re.compile(rf"(?:[^{{]+|{_TEMPLATE_NAME.pattern})*")
_JINJA_WORDS = frozenset(
    ("and", "or", "not", "in", "is", "if", "else", "true", "false", "none", "True", "False", "None")
)


def _lines(text: str) -> str:
    """Line breaks as Jinja2's lexer leaves them."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _plain(source: str, kind: ExprKind | str) -> Analysis | None:
    """The analysis of a guard that is one name, or of a text whose only
    expressions are names; None for anything else."""
    if kind == "guard":
        m = _GUARD_NAME.fullmatch(source)
        if m is None or not _plain_word(m.group(1)):
            return None
        return Analysis((m.group(1),), (), Name(m.group(1)))
    if _NAMES_ONLY.fullmatch(source) is None:
        return None
    parts = _TEMPLATE_NAME.split(source)  # text, name, text, name, …, text
    names = parts[1::2]
    if not all(_plain_word(name) for name in names):
        return None
    body: list[Part] = []
    for i, part in enumerate(parts):
        if i % 2:
            body.append(Name(part))
        elif part:
            body.append(Text(_lines(part)))
    return Analysis(tuple(dict.fromkeys(names)), (), tuple(body))


def _plain_word(name: str) -> bool:
    return not any(word in _JINJA_WORDS for word in name.split("."))


@lru_cache(maxsize=16384)
def analyse(source: str, kind: ExprKind | str) -> Analysis:
    """Check one guard ("guard") or template ("template") and build its
    tree; cached by text, since the same phrase recurs across steps and files."""
    if kind == "template" and "{" not in source:
        # Plain text (most lines): nothing to parse. Jinja2's lexer would
        # only have normalised its line breaks.
        return Analysis((), (), (Text(_lines(source)),))
    plain = _plain(source, kind)
    if plain is not None:
        return plain
    from jinja2.exceptions import TemplateSyntaxError

    try:
        tree: Any = _parse_guard(source) if kind == "guard" else environment().parse(source)
    except TemplateSyntaxError as exc:
        finding = Finding("syntax", exc.lineno or 1, None, exc.message or "")
        return Analysis(_names_in_broken(source, kind), (finding,))
    walk = _Walk(guard=kind == "guard")
    built: Node | Body = walk.expr(tree) if kind == "guard" else walk.body(tree.body)
    return Analysis(tuple(walk.names), tuple(walk.findings), built)


def guard_tree(source: str) -> Node | None:
    """A guard's tree (None when it does not parse)."""
    tree = analyse(source, "guard").tree
    assert tree is None or not isinstance(tree, tuple)
    return tree


def template_tree(source: str) -> Body | None:
    """A template's parts (None when it does not parse)."""
    tree = analyse(source, "template").tree
    assert tree is None or isinstance(tree, tuple)
    return tree


class _Walk:
    """One pass over a Jinja2 tree: what is refused (the allowlist, the one
    statement of what a rulebook expression may contain), the free names in
    order of first use, and our own tree."""

    def __init__(self, guard: bool) -> None:
        self.guard = guard
        self.names: dict[str, None] = {}
        self.findings: list[Finding] = []

    def refuse(self, node: Any) -> Refused:
        kind = type(node).__name__
        line = getattr(node, "lineno", 1) or 1
        construct = _CONSTRUCTS.get(kind, (kind, kind))
        self.findings.append(Finding("forbidden", line, _needle(node), kind, construct))
        return Refused(kind)

    def body(self, nodes: list[Any]) -> Body:
        from jinja2 import nodes as n

        out: list[Part] = []
        for node in nodes:
            if isinstance(node, n.Output):
                for child in node.nodes:
                    out.append(
                        Text(child.data) if isinstance(child, n.TemplateData) else self.expr(child)
                    )
            elif isinstance(node, n.If) and not self.guard:
                arms: list[tuple[Node, Body]] = []
                arm = node
                test = self.expr(arm.test)
                first = self.body(arm.body)
                arms.append((test, first))
                for elif_ in node.elif_:
                    arms.append((self.expr(elif_.test), self.body(elif_.body)))
                    # An elif's own elif_/else_ are always empty: the parser
                    # puts every arm on the first If.
                out.append(If(tuple(arms), self.body(node.else_)))
            else:
                out.append(self.refuse(node))
        return tuple(out)

    def expr(self, node: Any) -> Node:
        from jinja2 import nodes as n

        line = getattr(node, "lineno", 1) or 1
        if isinstance(node, n.Name):
            if node.name.startswith("_"):
                self.findings.append(Finding("underscore", line, node.name))
                return Refused("underscore")
            self.names.setdefault(node.name, None)
            return Name(node.name)
        if (
            isinstance(node, n.Getattr)
            and isinstance(node.node, n.Name)
            and not node.node.name.startswith("_")
            and not node.attr.startswith("_")
        ):
            # `form.field`: the latest value recorded in the run, the one
            # attribute access allowed (on declared forms: the checks say).
            name = f"{node.node.name}.{node.attr}"
            self.names.setdefault(name, None)
            return Name(name)
        if isinstance(node, n.Const):
            value = node.value
            if isinstance(value, str) and len(value) > MAX_STRING:
                self.findings.append(Finding("oversized", line, None, f"{len(value)}"))
                return Refused("oversized")
            if (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and abs(value) > MAX_NUMBER
            ):
                self.findings.append(Finding("oversized", line, str(value), str(value)))
                return Refused("oversized")
            return Const(value)
        if isinstance(node, n.Filter):
            allowed = node.name in ALLOWED_FILTERS
            if not allowed:
                self.findings.append(Finding("filter", line, node.name, node.name))
            keywords = node.dyn_args is not None or node.dyn_kwargs is not None or node.kwargs
            if keywords:
                self.findings.append(
                    Finding("forbidden", line, None, construct=_CONSTRUCTS["Keyword"])
                )
            inner = self.expr(node.node) if node.node is not None else Refused("Filter")
            args = tuple(self.expr(arg) for arg in node.args)
            if not allowed or keywords:
                return Refused("Filter")
            return Filter(inner, node.name, args)
        if isinstance(node, n.Compare):
            left = self.expr(node.expr)
            ops: list[Operand] = []
            refused = False
            for op in node.ops:
                if op.op not in ALLOWED_COMPARE:
                    construct = ("比较 " + op.op, op.op)
                    self.findings.append(Finding("forbidden", line, None, op.op, construct))
                    refused = True
                right = self.expr(op.expr)
                ops.append(Operand(cast(CompareOp, op.op), right))
            return Refused("Compare") if refused else Compare(left, tuple(ops))
        if isinstance(node, n.And):
            return And(self.expr(node.left), self.expr(node.right))
        if isinstance(node, n.Or):
            return Or(self.expr(node.left), self.expr(node.right))
        if isinstance(node, n.Not):
            return Not(self.expr(node.node))
        if isinstance(node, n.Neg):
            return Neg(self.expr(node.node))
        if isinstance(node, n.Pos):
            return Pos(self.expr(node.node))
        if isinstance(node, n.CondExpr):
            test, then = self.expr(node.test), self.expr(node.expr1)
            otherwise = None if node.expr2 is None else self.expr(node.expr2)
            return CondExpr(test, then, otherwise)
        if isinstance(node, n.Add):
            return Add(self.expr(node.left), self.expr(node.right))
        if isinstance(node, n.Sub):
            return Sub(self.expr(node.left), self.expr(node.right))
        if isinstance(node, n.Concat):
            return Concat(tuple(self.expr(x) for x in node.nodes))
        if isinstance(node, n.List):
            return List(tuple(self.expr(x) for x in node.items))
        if isinstance(node, n.Tuple):
            return Tuple(tuple(self.expr(x) for x in node.items))
        return self.refuse(node)


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


# ---------------------------------------------------------------- syntax errors explained

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


def _checks_clean(source: str, known: frozenset[str]) -> bool:
    analysis = analyse(source, "guard")
    return not analysis.findings and set(analysis.names) <= known


# ---------------------------------------------------------------- evaluating


class NeedInput(Exception):
    """An expression used a name that has no value yet."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class ExpressionFailed(Exception):
    """An expression could not be evaluated (say, comparing text with a number)."""

    def __init__(self, source: str, detail: str) -> None:
        super().__init__(f"{source}: {detail}")
        self.source = source
        self.detail = detail


class NotAllowed(Exception):
    """The tree holds a construct or filter outside the allowlist."""


_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a < b,
    "lteq": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "gteq": lambda a, b: a >= b,
    "in": lambda a, b: a in b,
    "notin": lambda a, b: a not in b,
}


@lru_cache(maxsize=1)
def _undefined() -> tuple[type[Any], type[Any]]:
    """Jinja2's undefined values, as our interpreter uses them: a missing name
    is an undefined that raises `NeedInput` wherever it is used (and that the
    `default` filter recognises); an `if` without `else` that is false gives
    the lenient kind, which reads as empty."""
    from jinja2 import StrictUndefined, Undefined

    class Missing(StrictUndefined):
        __slots__ = ()

        def __init__(self, name: str) -> None:
            super().__init__(None, None, name, cast(Any, NeedInput))

        @property
        def _undefined_message(self) -> str:
            return self._undefined_name or ""

    return Missing, Undefined


def value(node: Node, scope: Mapping[str, Any]) -> Any:
    """The value of an expression with the names in `scope`, as Jinja2
    computes it for the allowed subset. A missing name raises `NeedInput`
    where its value is used; `NotAllowed` for a refused construct; anything
    else a value of the wrong kind raises (TypeError…) goes to the caller."""
    match node:
        case Const(v):
            return v
        case Name(name):
            if name in scope:
                return scope[name]
            return _undefined()[0](name)
        case And(left, right):
            return value(left, scope) and value(right, scope)
        case Or(left, right):
            return value(left, scope) or value(right, scope)
        case Not(inner):
            return not value(inner, scope)
        case Compare(left, ops):
            a = value(left, scope)
            for op in ops:
                b = value(op.right, scope)
                if not _COMPARE[op.op](a, b):
                    return False
                a = b
            return True
        case CondExpr(test, then, otherwise):
            if value(test, scope):
                return value(then, scope)
            if otherwise is None:
                return _undefined()[1]()
            return value(otherwise, scope)
        case List(items):
            return [value(i, scope) for i in items]
        case Tuple(items):
            return tuple(value(i, scope) for i in items)
        case Neg(inner):
            return -value(inner, scope)
        case Pos(inner):
            return +value(inner, scope)
        case Add(left, right):
            return value(left, scope) + value(right, scope)
        case Sub(left, right):
            return value(left, scope) - value(right, scope)
        case Concat(parts):
            values = [value(p, scope) for p in parts]  # all first, then text: as Jinja2
            return "".join(str(v) for v in values)
        case Filter(inner, name, args):
            if name not in ALLOWED_FILTERS:
                raise NotAllowed(name)
            subject = value(inner, scope)
            given = [value(a, scope) for a in args]
            return environment().call_filter(name, subject, given)
        case Refused(kind):
            raise NotAllowed(kind)
    raise NotAllowed(type(node).__name__)


def _render(body: Body, scope: Mapping[str, Any]) -> str:
    out: list[str] = []
    for part in body:
        match part:
            case Text(data):
                out.append(data)
            case If(arms, otherwise):
                for test, inner in arms:
                    if value(test, scope):
                        out.append(_render(inner, scope))
                        break
                else:
                    out.append(_render(otherwise, scope))
            case _:
                shown = value(part, scope)
                out.append("" if shown is None else str(shown))  # None prints as nothing
    return "".join(out)


def builtins(now: datetime) -> dict[str, Any]:
    """The names every expression may use besides inputs."""
    return {
        "now": now.strftime("%H:%M"),
        "today": now.date().isoformat(),
        "weekday": now.isoweekday(),
        "hour": now.hour,
    }


def _failed(source: str, exc: Exception) -> ExpressionFailed:
    return ExpressionFailed(source, f"{type(exc).__name__}: {exc}")


def truth(source: str, scope: Mapping[str, Any]) -> bool:
    """A guard's value as a real bool, for the runner: `NeedInput` when it
    reaches a name with no value, `ExpressionFailed` when it cannot be
    evaluated (a rulebook problem, never a crash)."""
    analysis = analyse(source, "guard")
    tree = analysis.tree
    if tree is None or isinstance(tree, tuple) or analysis.findings:
        detail = analysis.findings[0].detail if analysis.findings else "not a guard"
        raise ExpressionFailed(source, f"NotAllowed: {detail}")
    try:
        return bool(value(tree, scope))
    except NeedInput:
        raise
    except Exception as exc:
        raise _failed(source, exc) from exc


def render(source: str, scope: Mapping[str, Any]) -> str:
    """A script line or item text with its inputs filled in."""
    if "{" not in source:  # most lines are plain text
        return source.strip()
    analysis = analyse(source, "template")
    tree = analysis.tree
    if not isinstance(tree, tuple) or analysis.findings:
        detail = analysis.findings[0].detail if analysis.findings else "not a template"
        raise ExpressionFailed(source, f"NotAllowed: {detail}")
    try:
        return _render(tree, scope).strip()
    except NeedInput:
        raise
    except Exception as exc:
        raise _failed(source, exc) from exc


def known(node: Node, values: Mapping[str, Any]) -> tuple[bool, Any]:
    """(known, value) of an expression with partial answers: unknown when a
    name it reads has no value, or when it fails (a value of the wrong kind)."""
    if not names_in(node) <= values.keys():
        return False, None
    try:
        return True, value(node, values)
    except Exception:  # any failure just means "cannot tell here"
        return False, None


def truth3(node: Node, values: Mapping[str, Any]) -> bool | None:
    """Three-valued truth of a guard with partial answers: True, False or
    None (not known yet); `False and <unknown>` is False."""
    match node:
        case Not(inner):
            verdict = truth3(inner, values)
            return None if verdict is None else not verdict
        case And(left, right) | Or(left, right):
            short = isinstance(node, Or)  # the value that decides at once
            a, b = truth3(left, values), truth3(right, values)
            if short in (a, b):
                return short
            return None if None in (a, b) else not short
    ok, result = known(node, values)
    if not ok:
        return None
    try:
        return bool(result)
    except Exception:
        return None


# ---------------------------------------------------------------- for the typed checks


class Unknowable(Exception):
    """The guard uses something the checker does not evaluate."""


class Failed(Exception):
    """The guard fails at run time under these values (say, "3" < 2)."""


def value_of(node: Node, scope: dict[str, Any]) -> Any:
    """`value` for the validator's typed checks: `Unknowable` for a name
    without a value or a refused construct, `Failed` for what would fail at
    run time."""
    try:
        return value(node, scope)
    except (NeedInput, NotAllowed) as exc:
        raise Unknowable(str(exc)) from exc
    except (TypeError, ValueError, IndexError, KeyError, ZeroDivisionError) as exc:
        raise Failed(str(exc)) from exc
    except Exception as exc:
        # Jinja2's undefined values (made only once it is imported) raise
        # its UndefinedError: not imported, the error is none of its.
        jinja = sys.modules.get("jinja2.exceptions")
        if jinja is not None and isinstance(exc, jinja.UndefinedError):
            raise Failed(str(exc)) from exc
        raise


@lru_cache(maxsize=16384)
def literal_spans(source: str) -> tuple[tuple[Any, str], ...]:
    """Each literal (string, number, true/false) of a guard with the text
    that writes it, in order. Kept per text: the same guard is written at
    many steps, and the language server checks a file on every edit."""
    plain = _GUARD_NAME.fullmatch(source)
    if plain is not None and not any(
        word.lower() in ("true", "false", "none") for word in plain.group(1).split(".")
    ):
        return ()  # one name: no literal
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
