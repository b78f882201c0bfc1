"""`--set name=value` answers, typed by the input each one answers.

A script filled in for one visitor must compare `returning` as a boolean and
`party_size` as a number, exactly as the runner will; a mistyped answer is a
usage error that names the input and what it accepts.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from engine.errors import UsageError
from engine.i18n import message, messages
from engine.model import Input

TRUE_WORDS = frozenset({"true", "是", "yes", "y", "1", "对", "有"})
FALSE_WORDS = frozenset({"false", "否", "no", "n", "0", "不", "没有", "无"})
# Built-in names may be given too, e.g. to fill a script for an evening visit.
BUILTIN_TYPES = {"now": "time", "today": "date", "weekday": "int", "hour": "int"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^([01]?\d|2[0-3]):[0-5]\d$")


SET_PAIR = message(
    "set.pair",
    '--set 应写成 名称=值, 例如 --set surname=王 (收到 "{value}")',
    '--set expects name=value, e.g. --set surname=王 (not "{value}")',
)
SET_NEAR = message("set.did-you-mean", '是不是 "{near}"? ', 'did you mean "{near}"? ')
SET_UNKNOWN = message(
    "set.unknown",
    '--set: 没有名为 "{name}" 的输入项。{hint}可用: {known}',
    '--set: there is no input named "{name}". {hint}known: {known}',
)
SET_BAD = message("set.bad", "--set {name}={value}: {expected}", "--set {name}={value}: {expected}")
SET_CHOICE = message(
    "set.choice",
    "--set {name}={value}: 应为以下之一: {options}",
    "--set {name}={value}: expected one of: {options}",
)
SET_EXPECTED = messages(
    "set.expected",
    {
        "bool": ("应为 是/否 (true/false)", "expected true or false"),
        "int": ("应为整数", "expected a whole number"),
        "number": ("应为数字", "expected a number"),
        "date": ("应为日期 YYYY-MM-DD", "expected a date YYYY-MM-DD"),
        "time": ("应为时刻 HH:MM", "expected a time HH:MM"),
    },
)


def parse_sets(pairs: Iterable[str], inputs: Mapping[str, Input]) -> dict[str, Any]:
    """`["surname=王", "returning=true"]` → typed values; unknown names and
    badly typed values raise UsageError with the fix."""
    values: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(SET_PAIR, value=pair)
        if name in inputs:
            values[name] = coerce(inputs[name], raw.strip())
        elif name in BUILTIN_TYPES:
            values[name] = _coerce_type(name, BUILTIN_TYPES[name], raw.strip(), ())
        else:
            known = sorted({*inputs, *BUILTIN_TYPES})
            close = difflib.get_close_matches(name, known, n=1)
            hint = SET_NEAR.say(near=close[0]) if close else ""
            raise UsageError(SET_UNKNOWN, name=name, hint=hint, known=", ".join(known))
    return values


_PLACEHOLDER = re.compile(r"^[Xx×*＊]{2,}$")


def is_placeholder(value: object) -> bool:
    """A default copied from a source's blank, like XXXX (项目名称) or ***: not a
    value anyone should hear, so a card shows the input's name 〔项目名称〕 instead."""
    return isinstance(value, str) and bool(_PLACEHOLDER.match(value.strip()))


def defaults(inputs: Mapping[str, Input]) -> dict[str, Any]:
    """What the runner would use without asking (a placeholder default is no value)."""
    return {
        name: spec.default
        for name, spec in inputs.items()
        if spec.default is not None and not is_placeholder(spec.default)
    }


def coerce(spec: Input, raw: str) -> Any:
    return _coerce_type(spec.name, spec.type, raw, spec.options)


def _coerce_type(name: str, kind: str, raw: str, options: tuple[str, ...]) -> Any:
    def bad(expected: str) -> UsageError:
        return UsageError(SET_BAD, name=name, value=raw, expected=SET_EXPECTED[expected].say())

    if kind == "bool":
        low = raw.lower()
        if low in TRUE_WORDS:
            return True
        if low in FALSE_WORDS:
            return False
        raise bad("bool")
    if kind == "int":
        try:
            return int(raw)
        except ValueError:
            raise bad("int") from None
    if kind == "number":
        try:
            return float(raw)
        except ValueError:
            raise bad("number") from None
    if kind == "choice" and raw not in options:
        listed = " / ".join(options)
        raise UsageError(SET_CHOICE, name=name, value=raw, options=listed)
    if kind == "date" and not _DATE.match(raw):
        raise bad("date")
    if kind == "time" and not _TIME.match(raw):
        raise bad("time")
    return raw
