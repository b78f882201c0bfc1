"""Guards and text templates as words people read, filled in or not.

A printed script cannot show `{{ surname }}` or `returning and surname`: the
unfilled script shows 〔客户姓氏〕 and "客户是否二次以上来访? 是 且 客户姓氏 已知",
using each input's `ask`. With `--set` answers the same walk fills in what is
known and keeps the rest readable, so a script can be filled for one visitor
even when some answers are still open (a guard then stays "unknown", `None`).

The trees and their evaluation with partial answers (`known`, `truth3`:
`False and <unknown>` is False) are engine.expressions'; this module only
puts them into words.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.expressions import (
    Add,
    And,
    Body,
    Compare,
    Concat,
    CondExpr,
    Const,
    Filter,
    If,
    List,
    Name,
    Node,
    Not,
    Or,
    Sub,
    Text,
    Tuple,
    guard_tree,
    known,
    names_in,
    template_tree,
    truth3,
)
from engine.i18n import Lang
from engine.model import OUTCOME, Expr, Input
from engine.render.words import WEEKDAYS, Words

Values = Mapping[str, Any]

# The built-in names (what they are called on paper: VIEW["builtin.*"]).
BUILTINS = frozenset({"now", "today", "weekday", "hour"})
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


def _guard(source: str) -> Node:
    tree = guard_tree(source)
    if tree is None:  # the validator reports it; nothing to word here
        raise _Unreadable
    return tree


def holds(expr: Expr | None, values: Values) -> bool | None:
    """Whether a guard holds with the answers known so far (None: not known yet)."""
    if expr is None:
        return True
    tree = guard_tree(expr.source)
    return None if tree is None else truth3(tree, values)


class Wording:
    """Turns expressions into text, naming inputs by their `ask`; the words
    around them (且, 是, 否则 …) in `lang`."""

    def __init__(
        self,
        inputs: Mapping[str, Input],
        returned: tuple[str, Mapping[str, str]] | None = None,
        fields: Mapping[str, str] | None = None,
        lang: Lang = "zh",
    ) -> None:
        self.lang = lang
        self.w = Words(lang)
        self.inputs = inputs
        self.fields = fields or {}  # `form.field` -> the field's label
        # After a call: the callee's title and its outcomes (id → title), so
        # `outcome == 'escalated'` reads 《疑问回电》的结果为 已升级.
        self.returned = returned

    def after_call(self, title: str, outcomes: Mapping[str, str]) -> Wording:
        """The wording of a call's `next`, where `outcome` is the callee's."""
        return Wording(self.inputs, (title, outcomes), self.fields, self.lang)

    # -- names -------------------------------------------------------------
    def label(self, name: str) -> str:
        """How a condition names an input: its question, as asked."""
        if name in BUILTINS:
            return self.w.view(f"builtin.{name}")
        if name == OUTCOME and self.returned is not None:
            return self.w.view("result", title=self.returned[0])
        if name in self.fields:
            return self.fields[name]
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
            return self._describe(_guard(expr.source), negate)
        except _Unreadable:
            shown = f"〔{expr.source.strip()}〕"
            return self.w.view("not", text=shown) if negate else shown

    def _describe(self, node: Node, negate: bool) -> str:
        match node:
            case Not(inner):
                return self._describe(inner, not negate)
            case And(left, right) | Or(left, right):
                conj = isinstance(node, And) != negate  # De Morgan under a `not`
                parts = [self._part(child, negate, conj) for child in (left, right)]
                return self.w.view("and" if conj else "or").join(parts)
            case Name(name):
                return self._truthy(name, negate)
            case Compare(left, (op,)):
                return self._compare(left, op.op, op.right, negate)
            case Const(bool() as value):
                return self.w.view("always" if value != negate else "never")
        raise _Unreadable

    def _part(self, child: Node, negate: bool, conj: bool) -> str:
        text = self._describe(child, negate)
        inner = child
        flip = negate
        while isinstance(inner, Not):
            inner, flip = inner.node, not flip
        if isinstance(inner, And | Or) and (isinstance(inner, And) != flip) != conj:
            return f"({text})"
        return text

    def _truthy(self, name: str, negate: bool) -> str:
        label = self.label(name)
        kind = self.inputs[name].type if name in self.inputs else "text"
        if kind == "bool":
            key = "is-no" if negate else "is-yes"
        elif kind in ("int", "number"):
            key = "is-zero" if negate else "not-zero"
        else:
            key = "unknown" if negate else "known"
        return self.w.view(key, label=label)

    def _compare(self, left: Node, op: str, right: Node, negate: bool) -> str:
        if not isinstance(left, Name) and isinstance(right, Name) and op in _SWAPPED:
            left, right, op = right, left, _SWAPPED[op]
        if not isinstance(left, Name):
            raise _Unreadable
        if negate:
            op = _NEGATED[op]
        name = left.name
        label = self.label(name)
        # A question reads "天气? 雨"; a noun reads "天气为雨".
        asked = label.endswith(("?", "？"))
        is_, is_not = ("asked-is", "asked-is-not") if asked else ("noun-is", "noun-is-not")
        if op in ("in", "notin"):
            if not isinstance(right, List | Tuple):
                raise _Unreadable
            shown = "/".join(self._value(item, name) for item in right.items)
            return self.w.view(is_ if op == "in" else is_not, label=label, value=shown)
        value = self._value(right, name)
        if op in ("eq", "ne"):
            return self.w.view(is_ if op == "eq" else is_not, label=label, value=value)
        return f"{label} {_OPS[op]} {value}"

    def _value(self, node: Node, name: str) -> str:
        if not isinstance(node, Const):
            raise _Unreadable
        value = node.value
        if isinstance(value, bool):
            return self.w.yes_no(value)
        if name == OUTCOME and self.returned is not None and isinstance(value, str):
            return self.returned[1].get(value, value)  # its title: ids are never shown
        if name == "weekday" and isinstance(value, int) and 1 <= value <= 7:
            return self.w.view("weekday", day=self.w.say(WEEKDAYS[str(value)]))
        if value == "":
            return self.w.view("empty")
        return str(value)

    # -- templates ---------------------------------------------------------
    def fill(self, expr: Expr, values: Values | None = None) -> str:
        """A text template with what is known filled in and the rest as
        〔placeholders〕; with no values, the unfilled text for print."""
        tree = template_tree(expr.source)
        if tree is None:  # the validator reports it; print it as written
            return expr.source.strip()
        return self._body(tree, values or {})

    def _body(self, body: Body, values: Values) -> str:
        out: list[str] = []
        for part in body:
            match part:
                case Text(data):
                    out.append(data)
                case If():
                    out.append(self._if(part, values))
                case _:
                    out.append(self._expr(part, values))
        return "".join(out).strip()

    def _if(self, node: If, values: Values) -> str:
        shown: list[str] = []
        for test, body in node.arms:
            verdict = truth3(test, values)
            if verdict is True and not shown:
                return self._body(body, values)
            if verdict is False:
                continue
            said = self._body(body, values) or self.w.view("unsaid")
            shown.append(self.w.view("if", condition=self._words(test), text=said))
            if verdict is True:
                break
        else:
            otherwise = self._body(node.otherwise, values)
            if not shown:
                return otherwise
            shown.append(self.w.view("else", text=otherwise or self.w.view("unsaid")))
        return "〔" + self.w("sep").join(shown) + "〕"

    def _words(self, node: Node) -> str:
        try:
            return self._describe(node, False)
        except _Unreadable:
            return self.w.view("holds")

    def _expr(self, node: Node, values: Values) -> str:
        ok, value = known(node, values)
        if ok:
            return "" if value is None else str(value)
        match node:
            case Name(name):
                return self.placeholder(name)
            case Const(value):
                return str(value)
            case Filter(inner):
                return self._expr(inner, values)
            case Concat(parts):
                return "".join(self._expr(part, values) for part in parts)
            case Sub(left, right):
                return f"{self._expr(left, values)} − {self._expr(right, values)}"
            case Add(left, right) if _numeric(left) or _numeric(right):
                return f"{self._expr(left, values)} + {self._expr(right, values)}"
            case Add(left, right):
                return self._expr(left, values) + self._expr(right, values)
            case CondExpr(test, then, otherwise):
                verdict = truth3(test, values)
                if verdict is not None:
                    chosen = then if verdict else otherwise
                    return "" if chosen is None else self._expr(chosen, values)
                other = "" if otherwise is None else self._expr(otherwise, values)
                chosen_text = self._expr(then, values)
                arms = (
                    self.w.view("if", condition=self._words(test), text=chosen_text),
                    self.w.view("else", text=other),
                )
                return "〔" + self.w("sep").join(arms) + "〕"
        names = sorted(names_in(node))
        return "".join(self.placeholder(name) for name in names) or "〔…〕"


def _numeric(node: Node) -> bool:
    """A number written in the expression (so `+` adds, not joins text)."""
    return (
        isinstance(node, Const)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    )
