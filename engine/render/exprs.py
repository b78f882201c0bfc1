"""Guards and text templates as words people read, filled in or not.

A printed script cannot show `{{ surname }}` or `returning and surname`: the
unfilled script shows 〔客户姓氏〕 and "客户是否二次以上来访? 是 且 客户姓氏 已知",
using each input's `ask`. With `--set` answers the same walk fills in what is
known and keeps the rest readable, so a script can be filled for one visitor
even when some answers are still open (a guard then stays "unknown", `None`).

Evaluation uses the engine's sandboxed environment on the validated
expression subset, leaf by leaf, so `and`/`or`/`not` work with partial
knowledge: `False and <unknown>` is False.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from engine.model import Expr, Input

if TYPE_CHECKING:
    from jinja2 import nodes

Values = Mapping[str, Any]

# What the built-in names are called on paper.
BUILTIN_LABELS = {"now": "当前时刻", "today": "今天", "weekday": "今天", "hour": "当前钟点"}
WEEKDAYS = "一二三四五六日"
_OPS = {"lt": "<", "lteq": "≤", "gt": ">", "gteq": "≥"}
_NEGATED = {
    "eq": "ne",
    "ne": "eq",
    "lt": "gteq",
    "gteq": "lt",
    "gt": "lteq",
    "lteq": "gt",
    "in": "notin",
    "notin": "in",
}
_SWAPPED = {"lt": "gt", "gt": "lt", "lteq": "gteq", "gteq": "lteq", "eq": "eq", "ne": "ne"}


class _Unreadable(Exception):
    """A construct with no natural wording; the caller shows the source instead."""


@lru_cache(maxsize=8192)
def guard_tree(source: str) -> nodes.Expr:
    from engine.expressions import parse_guard

    return parse_guard(source)


@lru_cache(maxsize=8192)
def template_tree(source: str) -> nodes.Template:
    from engine.expressions import parse_template

    return parse_template(source)


def names_in(node: nodes.Node) -> set[str]:
    from jinja2 import nodes as n

    found = {name.name for name in node.find_all(n.Name)}
    if isinstance(node, n.Name):  # find_all looks below a node, never at it
        found.add(node.name)
    return found


@lru_cache(maxsize=8192)
def _compiled(dump: str, node: nodes.Expr) -> Any:
    """A leaf expression compiled once (keyed by its dump, which is stable)."""
    from jinja2 import nodes as n

    from engine.expressions import environment

    # Compiling runs Jinja2's optimiser, which rewrites the tree in place (a
    # list of constants becomes one constant): compile a copy, so the cached
    # tree still reads the way it was written.
    body = [n.Assign(n.Name("result", "store"), copy.deepcopy(node), lineno=1)]
    return environment().from_string(n.Template(body, lineno=1))


def evaluate(node: nodes.Expr, values: Values) -> tuple[bool, Any]:
    """(known, value) of an expression node; unknown when a name has no value
    or the sandbox refuses (a value of the wrong type, say)."""
    if not names_in(node) <= values.keys():
        return False, None
    try:
        template = _compiled(repr(node), node)
        return True, template.make_module(dict(values)).result
    except Exception:  # any failure just means "cannot tell here"
        return False, None


def truth(node: nodes.Expr, values: Values) -> bool | None:
    """Three-valued truth of a guard: True, False or None (not known yet)."""
    from jinja2 import nodes as n

    if isinstance(node, n.Not):
        inner = truth(node.node, values)
        return None if inner is None else not inner
    if isinstance(node, n.And | n.Or):
        short = isinstance(node, n.Or)  # the value that decides at once
        left, right = truth(node.left, values), truth(node.right, values)
        if short in (left, right):
            return short
        return None if None in (left, right) else not short
    known, value = evaluate(node, values)
    return bool(value) if known else None


def holds(expr: Expr | None, values: Values) -> bool | None:
    return True if expr is None else truth(guard_tree(expr.source), values)


class Wording:
    """Turns expressions into text, naming inputs by their `ask`."""

    def __init__(self, inputs: Mapping[str, Input]) -> None:
        self.inputs = inputs

    # -- names -------------------------------------------------------------
    def label(self, name: str) -> str:
        """How a condition names an input: its question, as asked."""
        if name in BUILTIN_LABELS:
            return BUILTIN_LABELS[name]
        found = self.inputs.get(name)
        return (found.ask if found and found.ask else name).strip()

    def noun(self, name: str) -> str:
        """How a placeholder names an input: its question without the mark."""
        return self.label(name).rstrip("?？:： ")

    def placeholder(self, name: str) -> str:
        return f"〔{self.noun(name)}〕"

    # -- guards ------------------------------------------------------------
    def condition(self, expr: Expr | None, *, negate: bool = False) -> str:
        """A guard as words; the source itself when it has no natural wording."""
        if expr is None:
            return ""
        try:
            return self._describe(guard_tree(expr.source), negate)
        except _Unreadable:
            return ("并非 " if negate else "") + f"〔{expr.source.strip()}〕"

    def _describe(self, node: Any, negate: bool) -> str:
        from jinja2 import nodes as n

        if isinstance(node, n.Not):
            return self._describe(node.node, not negate)
        if isinstance(node, n.And | n.Or):
            conj = isinstance(node, n.And) != negate  # De Morgan under a `not`
            parts = [self._part(child, negate, conj) for child in (node.left, node.right)]
            return (" 且 " if conj else " 或 ").join(parts)
        if isinstance(node, n.Name):
            return self._truthy(node.name, negate)
        if isinstance(node, n.Compare) and len(node.ops) == 1:
            return self._compare(node.expr, node.ops[0].op, node.ops[0].expr, negate)
        if isinstance(node, n.Const) and isinstance(node.value, bool):
            return "总是" if node.value != negate else "从不"
        raise _Unreadable

    def _part(self, child: Any, negate: bool, conj: bool) -> str:
        from jinja2 import nodes as n

        text = self._describe(child, negate)
        inner = child
        flip = negate
        while isinstance(inner, n.Not):
            inner, flip = inner.node, not flip
        if isinstance(inner, n.And | n.Or) and (isinstance(inner, n.And) != flip) != conj:
            return f"({text})"
        return text

    def _truthy(self, name: str, negate: bool) -> str:
        label = self.label(name)
        kind = self.inputs[name].type if name in self.inputs else "text"
        if kind == "bool":
            answer = "否" if negate else "是"
        elif kind in ("int", "number"):
            answer = "为 0" if negate else "不为 0"
        else:
            answer = "未知" if negate else "已知"
        return f"{label} {answer}"

    def _compare(self, left: Any, op: str, right: Any, negate: bool) -> str:
        from jinja2 import nodes as n

        if not isinstance(left, n.Name) and isinstance(right, n.Name) and op in _SWAPPED:
            left, right, op = right, left, _SWAPPED[op]
        if not isinstance(left, n.Name):
            raise _Unreadable
        if negate:
            op = _NEGATED[op]
        name = left.name
        label = self.label(name)
        # A question reads "天气? 雨"; a noun reads "天气为雨".
        asked = label.endswith(("?", "？"))
        is_, is_not = (" ", " 不是 ") if asked else ("为", "不是")
        if op in ("in", "notin"):
            if not isinstance(right, n.List | n.Tuple):
                raise _Unreadable
            shown = "/".join(self._value(item, name) for item in right.items)
            return f"{label}{is_ if op == 'in' else is_not}{shown}"
        value = self._value(right, name)
        if op in ("eq", "ne"):
            return f"{label}{is_ if op == 'eq' else is_not}{value}"
        return f"{label} {_OPS[op]} {value}"

    def _value(self, node: Any, name: str) -> str:
        from jinja2 import nodes as n

        if not isinstance(node, n.Const):
            raise _Unreadable
        value = node.value
        if isinstance(value, bool):
            return "是" if value else "否"
        if name == "weekday" and isinstance(value, int) and 1 <= value <= 7:
            return f"星期{WEEKDAYS[value - 1]}"
        if value == "":
            return "(空)"
        return str(value)

    # -- templates ---------------------------------------------------------
    def fill(self, expr: Expr, values: Values | None = None) -> str:
        """A text template with what is known filled in and the rest as
        〔placeholders〕; with no values, the unfilled text for print."""
        tree = template_tree(expr.source)
        return "".join(self._stmt(node, values or {}) for node in tree.body).strip()

    def _stmt(self, node: Any, values: Values) -> str:
        from jinja2 import nodes as n

        if isinstance(node, n.Output):
            return "".join(
                child.data if isinstance(child, n.TemplateData) else self._expr(child, values)
                for child in node.nodes
            )
        if isinstance(node, n.If):
            return self._if(node, values)
        raise _Unreadable  # the validator admits nothing else

    def _body(self, body: list[Any], values: Values) -> str:
        return "".join(self._stmt(child, values) for child in body).strip()

    def _if(self, node: Any, values: Values) -> str:
        arms = [(node.test, node.body), *((e.test, e.body) for e in node.elif_)]
        shown: list[str] = []
        for test, body in arms:
            verdict = truth(test, values)
            if verdict is True and not shown:
                return self._body(body, values)
            if verdict is False:
                continue
            shown.append(f"若 {self._words(test)}: {self._body(body, values) or '(不说)'}")
            if verdict is True:
                break
        else:
            otherwise = self._body(node.else_, values)
            if not shown:
                return otherwise
            shown.append(f"否则: {otherwise or '(不说)'}")
        return "〔" + "；".join(shown) + "〕"

    def _words(self, node: Any) -> str:
        try:
            return self._describe(node, False)
        except _Unreadable:
            return "条件成立"

    def _expr(self, node: Any, values: Values) -> str:
        from jinja2 import nodes as n

        known, value = evaluate(node, values)
        if known:
            return "" if value is None else str(value)
        if isinstance(node, n.Name):
            return self.placeholder(node.name)
        if isinstance(node, n.Const):
            return str(node.value)
        if isinstance(node, n.Filter) and node.node is not None:
            return self._expr(node.node, values)
        if isinstance(node, n.Concat):
            return "".join(self._expr(part, values) for part in node.nodes)
        if isinstance(node, n.Add | n.Sub):
            return self._expr(node.left, values) + self._expr(node.right, values)
        if isinstance(node, n.CondExpr):
            verdict = truth(node.test, values)
            if verdict is not None:
                chosen = node.expr1 if verdict else node.expr2
                return "" if chosen is None else self._expr(chosen, values)
            other = "" if node.expr2 is None else self._expr(node.expr2, values)
            chosen_text = self._expr(node.expr1, values)
            return f"〔若 {self._words(node.test)}: {chosen_text}；否则: {other}〕"
        names = sorted(names_in(node))
        return "".join(self.placeholder(name) for name in names) or "〔…〕"
