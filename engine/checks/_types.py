"""Guards under the declared types: what each name can be (an input's type,
options and range; the built-ins), each comparison of a name with a literal,
and the values a guard can take over every case that matters.

Shared by compare-value, guard-never-true, guard-always-true and
branch-never-taken; computed once per guard text and set of types."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from engine.expressions import (
    And,
    Compare,
    CondExpr,
    Const,
    Failed,
    List,
    Name,
    Neg,
    Node,
    Not,
    Or,
    Tuple,
    Unknowable,
    analyse,
    guard_tree,
    literal_spans,
    value_of,
    walk,
)
from engine.model import Procedure, Rulebook
from engine.problems import Said

LIMIT = 4096  # cases evaluated per guard or branch list; beyond it nothing is claimed


@dataclass(frozen=True, slots=True)
class Domain:
    """What a name can be: an input type (or a built-in's), its options and range."""

    kind: str  # bool choice int number text phone date time
    options: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    empty: bool = False  # an optional input left empty (None; "" for text)


BUILTINS: Mapping[str, Domain] = {
    "hour": Domain("int", low=0, high=23),
    "weekday": Domain("int", low=1, high=7),
    "now": Domain("time"),
    "today": Domain("date"),
}

KINDS: Mapping[str, Said] = {
    "bool": Said("是/否", "yes/no"),
    "choice": Said("选项", "a choice"),
    "int": Said("整数", "a whole number"),
    "number": Said("数字", "a number"),
    "text": Said("文字", "text"),
    "phone": Said("电话号码", "a phone number"),
    "date": Said("日期", "a date"),
    "time": Said("时刻", "a clock time"),
}


_FIELD_KINDS = {"score": "int", "longtext": "text", "signature": "text", "datetime": "text"}


def domains(rulebook: Rulebook, proc: Procedure) -> dict[str, Domain]:
    out = dict(BUILTINS)
    for fid, form in rulebook.forms.items():
        for k, fld in form.fields.items():
            low, high = fld.min, fld.max
            if fld.type == "score":
                low, high = (1 if low is None else low), (5 if high is None else high)
            kind = _FIELD_KINDS.get(fld.type, fld.type)
            # Empty until the run records it.
            out[f"{fid}.{k}"] = Domain(kind, tuple(fld.options), low, high, empty=True)
    for name, inp in rulebook.inputs_for(proc).items():
        out[name] = Domain(
            inp.type,
            tuple(inp.options),
            inp.min,
            inp.max,
            empty=not inp.required and inp.default is None,
        )
    return out


# ---------------------------------------------------------------- comparisons

_TRUE = frozenset({"true", "yes", "y", "是", "对", "有", "要", "需要"})
_FALSE = frozenset({"false", "no", "n", "否", "错", "无", "没有", "不", "不要", "不需要"})
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CLOCK = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
_TO_ASCII = str.maketrans("０１２３４５６７８９：．／－", "0123456789:./-")


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A literal that a name, by its declared type, can never equal (or be
    compared with as meant)."""

    name: str
    domain: Domain
    value: Any
    raw: str  # the literal as written in the guard
    variant: str  # compare-value's message variant
    text: str | None = None  # the literal as it should be written (the fix)
    suggestion: str | None = None


def _quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _number_text(value: str) -> str | None:
    text = value.translate(_TO_ASCII).strip()
    return text if re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text) else None


def _clock_text(value: str) -> str | None:
    m = re.fullmatch(r"([0-9]{1,2})\s*[:.点时]\s*([0-9]{2})分?", value.translate(_TO_ASCII).strip())
    if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
        return f"{int(m.group(1)):02d}:{m.group(2)}"
    return None


def _date_text(value: str) -> str | None:
    m = re.fullmatch(
        r"([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})日?",
        value.translate(_TO_ASCII).strip(),
    )
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


def _judge(name: str, d: Domain, op: str, value: Any, raw: str) -> Mismatch | None:
    def bad(variant: str, text: str | None = None, suggestion: str | None = None) -> Mismatch:
        return Mismatch(name, d, value, raw, variant, text, suggestion)

    if value is None:
        return None  # an optional input compared with none: fine
    equality = op in ("eq", "ne", "in", "notin")
    if d.kind == "bool":
        if isinstance(value, bool):
            return None
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return bad("bool", "true" if value.strip().lower() in _TRUE else "false")
        if isinstance(value, int) and value in (0, 1):
            return None  # True == 1 in Jinja2, as in Python
        return bad("kind")
    if d.kind in ("int", "number"):
        if isinstance(value, bool):
            return bad("kind")
        if isinstance(value, str):
            number = _number_text(value)
            return bad("number", number) if number else bad("kind")
        if equality and (
            (d.low is not None and value < d.low) or (d.high is not None and value > d.high)
        ):
            return bad("range")
        return None
    if d.kind == "choice":
        if isinstance(value, str):
            if value in d.options:
                return None
            from engine.messages import suggest

            meant = suggest(value, d.options)
            return bad("option", _quote(meant) if meant else None, meant)
        if str(value) in d.options:
            return bad("option-quote", _quote(str(value)))
        return bad("option")
    if d.kind in ("text", "phone"):
        if isinstance(value, str):
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return bad("text", _quote(raw))
        return bad("kind")
    if d.kind == "date":
        if isinstance(value, str) and _DATE.fullmatch(value):
            return None
        fixed = _date_text(str(value))
        return bad("date", _quote(fixed)) if fixed else bad("kind")
    if d.kind == "time":
        if isinstance(value, str) and _CLOCK.fullmatch(value):
            return None
        fixed = _clock_text(str(value))
        return bad("clock", _quote(fixed)) if fixed else bad("kind")
    return None


def _pairs(tree: Node) -> Iterator[tuple[Node, str, Node]]:
    for compare in walk(tree):
        if isinstance(compare, Compare):
            left = compare.left
            for op in compare.ops:
                yield left, op.op, op.right
                left = op.right


def _literals(node: Node) -> list[Const | Neg] | None:
    match node:
        case Const():
            return [node]
        case Neg(Const()):
            return [node]
        case List(items) | Tuple(items) if all(isinstance(i, Const) for i in items):
            return [i for i in items if isinstance(i, Const)]
    return None


@lru_cache(maxsize=4096)
def _mismatches(source: str, doms: tuple[tuple[str, Domain], ...]) -> tuple[Mismatch, ...]:
    tree = guard_tree(source)
    if tree is None:
        return ()
    known = dict(doms)
    used: set[int] = set()

    def raw_of(value: Any) -> str:
        # Lexed only when a comparison needs it (a guard that is one name has none).
        for i, (v, raw) in enumerate(literal_spans(source)):
            if i not in used and type(v) is type(value) and v == value:
                used.add(i)
                return raw
        return repr(value)

    found: list[Mismatch] = []
    for left, op, right in _pairs(tree):
        if isinstance(left, Name) and left.name in known:
            name, other = left.name, right
        elif isinstance(right, Name) and right.name in known and op not in ("in", "notin"):
            name, other = right.name, left
        else:
            continue
        literals = _literals(other)
        if literals is None or (op in ("in", "notin") and not isinstance(other, List | Tuple)):
            continue
        for lit in literals:
            const: Any = lit.node if isinstance(lit, Neg) else lit
            value = -const.value if isinstance(lit, Neg) else const.value
            raw = raw_of(const.value)
            verdict = _judge(name, known[name], op, value, raw)
            if verdict is not None:
                found.append(verdict)
    return tuple(found)


def _relevant(source: str, doms: Mapping[str, Domain]) -> tuple[tuple[str, Domain], ...]:
    names = analyse(source, "guard").names
    return tuple(sorted((k, doms[k]) for k in names if k in doms))


def mismatches(source: str, doms: Mapping[str, Domain]) -> tuple[Mismatch, ...]:
    return _mismatches(source, _relevant(source, doms))


# ---------------------------------------------------------------- outcomes


def _samples(d: Domain, literals: Sequence[Any]) -> list[Any]:
    """The values of a name that tell apart every outcome of guards comparing
    it with `literals`."""
    out: list[Any] = []
    if d.kind == "bool":
        out = [True, False]
    elif d.kind == "choice":
        out = list(d.options)
    elif d.kind in ("int", "number"):
        step = 1 if d.kind == "int" else 0.5
        nums = [x for x in literals if isinstance(x, int | float) and not isinstance(x, bool)]
        out = [0, 1, *(v + k * step for v in nums for k in (-1, 0, 1))]
        out += [b for b in (d.low, d.high) if b is not None]
        if d.low is not None:
            out = [v for v in out if v >= d.low]
        if d.high is not None:
            out = [v for v in out if v <= d.high]
        if d.kind == "int":
            out = [int(v) for v in out if float(v).is_integer()]
        else:  # a value between any two, for x > 1 and x < 1.2
            ordered = sorted(set(out))
            out += [(a + b) / 2 for a, b in itertools.pairwise(ordered)]
        out = out or [d.low if d.low is not None else 0]
    elif d.kind in ("text", "phone"):
        out = ["", "\0其他"]
        for x in literals:
            if isinstance(x, str):
                # The literal and a text just above and just below it, so that
                # name > 'a' and name < 'b' finds one in between.
                out += [x, x + "\0"]
                if x and x[-1] > "\0":
                    out.append(x[:-1] + chr(ord(x[-1]) - 1) + "\U0010ffff")
    elif d.kind == "date":
        out = ["2000-01-01", "2999-12-31"]
        for x in literals:
            if isinstance(x, str) and _DATE.fullmatch(x):
                day = date.fromisoformat(x)
                out += [(day + timedelta(days=k)).isoformat() for k in (-1, 0, 1)]
    elif d.kind == "time":
        out = ["00:00", "23:59"]
        for x in literals:
            if isinstance(x, str) and _CLOCK.fullmatch(x):
                at = datetime(2000, 1, 1, int(x[:2]), int(x[3:]))
                out += [(at + timedelta(minutes=k)).strftime("%H:%M") for k in (-1, 0, 1)]
    else:
        out = [None]
    if d.empty:
        out.append("" if d.kind in ("text", "phone") else None)
    return list(dict.fromkeys(out))


def _cases(
    names: Sequence[str], doms: Mapping[str, Domain], literals: Sequence[Any]
) -> list[dict[str, Any]] | None:
    axes = [_samples(doms[k], literals) for k in names]
    size = 1
    for axis in axes:
        size *= len(axis)
    if size > LIMIT:
        return None
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*axes)]


_ORDER_OPS = frozenset({"eq", "ne", "lt", "gt", "lteq", "gteq"})


def decidable(tree: Node) -> bool:
    """Whether the sampled cases decide this guard: it only compares names
    with literals (=, <, in a literal list) and joins the comparisons with
    and/or/not/if-else. Filters, arithmetic, concatenation and substring
    tests (`'王' in surname`) can take values no sample stands for, so a
    guard using them is never claimed always or never true."""

    def plain(node: Node) -> bool:
        match node:
            case Name() | Const():
                return True
            case Neg(inner):
                return isinstance(inner, Const)
            case List(items) | Tuple(items):
                return all(isinstance(i, Const) for i in items)
        return False

    def ok(node: Node) -> bool:
        if plain(node):
            return True
        match node:
            case And(left, right) | Or(left, right):
                return ok(left) and ok(right)
            case Not(inner):
                return ok(inner)
            case CondExpr(test, then, otherwise):
                return ok(test) and ok(then) and (otherwise is None or ok(otherwise))
            case Compare(left, ops):
                if not plain(left):
                    return False
                for op in ops:
                    if op.op in ("in", "notin"):
                        if not isinstance(op.right, List | Tuple) or not plain(op.right):
                            return False
                    elif op.op not in _ORDER_OPS or not plain(op.right):
                        return False
                return True
        return False

    return ok(tree)


def _truth(tree: Node, scope: dict[str, Any]) -> str:
    try:
        return "true" if value_of(tree, scope) else "false"
    except Failed:
        return "error"


@lru_cache(maxsize=4096)
def _outcomes(source: str, doms: tuple[tuple[str, Domain], ...]) -> frozenset[str] | None:
    tree = guard_tree(source)
    if tree is None or len(doms) == 0 or not decidable(tree):
        return None
    known = dict(doms)
    cases = _cases(list(known), known, [v for v, _ in literal_spans(source)])
    if cases is None:
        return None
    try:
        return frozenset(_truth(tree, case) for case in cases)
    except Unknowable:
        return None


def outcomes(source: str, doms: Mapping[str, Domain]) -> frozenset[str] | None:
    """ "true", "false" and/or "error" (a run-time failure): what the guard
    can come to over every case of its names (None: not known)."""
    names = analyse(source, "guard").names
    if any(k not in doms for k in names):
        return None
    return _outcomes(source, _relevant(source, doms))


def branches_taken(
    guards: Sequence[str | None], doms: Mapping[str, Domain]
) -> frozenset[int] | None:
    """Which of an automatic `next`'s branches some case takes (the first
    whose guard holds; None is an otherwise). Worked out once for the same
    guards over the same types of the names they read."""
    names: set[str] = set()
    for g in guards:
        if g is not None:
            names.update(analyse(g, "guard").names)
    if any(k not in doms for k in names):
        return None
    return _branches_taken(tuple(guards), tuple(sorted((k, doms[k]) for k in names)))


@lru_cache(maxsize=4096)
def _branches_taken(
    guards: tuple[str | None, ...], relevant: tuple[tuple[str, Domain], ...]
) -> frozenset[int] | None:
    doms = dict(relevant)
    names: dict[str, None] = {}
    literals: list[Any] = []
    trees: list[Node | None] = []
    for g in guards:
        if g is None:
            trees.append(None)
            continue
        tree = guard_tree(g)
        analysis = analyse(g, "guard")
        if tree is None or not decidable(tree) or any(k not in doms for k in analysis.names):
            return None
        trees.append(tree)
        names.update(dict.fromkeys(analysis.names))
        literals += [v for v, _ in literal_spans(g)]
    cases = _cases(list(names), doms, literals)
    if cases is None:
        return None
    taken: set[int] = set()
    try:
        for case in cases:
            for i, tree in enumerate(trees):
                if tree is None or _truth(tree, case) == "true":
                    taken.add(i)
                    break
    except Unknowable:
        return None
    return frozenset(taken)


class Typed:
    """One procedure's guards under its declared types, each worked out once
    for all the checks that ask."""

    def __init__(self, rulebook: Rulebook, proc: Procedure) -> None:
        self.doms = domains(rulebook, proc)
        self._mismatches: dict[str, tuple[Mismatch, ...]] = {}
        self._outcomes: dict[str, frozenset[str] | None] = {}

    def mismatches(self, source: str) -> tuple[Mismatch, ...]:
        found = self._mismatches.get(source)
        if found is None:
            found = self._mismatches[source] = mismatches(source, self.doms)
        return found

    def outcomes(self, source: str) -> frozenset[str] | None:
        if source not in self._outcomes:
            self._outcomes[source] = outcomes(source, self.doms)
        return self._outcomes[source]


def typed(ctx: Any, proc: Procedure) -> Typed:
    """The procedure's Typed, shared by the checks of one context."""
    result: Typed = ctx.memo("typed", proc, lambda: Typed(ctx.rulebook, proc))
    return result
