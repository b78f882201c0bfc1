"""Typed answers: what staff type (or a scenario gives) → a checked value.

One parser serves inputs (`Input`) and form fields (`Field`), the terminal
and scenario files, so a value means the same wherever it comes from. Values
are kept JSON-ready (dates and times as ISO text) because they go to the
journal as they are.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from engine.i18n import messages
from engine.model import Field, Input

TRUE_WORDS = frozenset({"是", "是的", "对", "有", "y", "yes", "true", "t", "1"})
FALSE_WORDS = frozenset({"否", "不", "不是", "没有", "无", "n", "no", "false", "f", "0"})
TEXT_TYPES = frozenset({"text", "longtext", "signature"})
_PHONE = re.compile(r"^\+?[0-9]{3,15}$")
_PHONE_SEPARATORS = re.compile(r"[\s\-()（）]")
_DATE_SEPARATORS = re.compile(r"[/.年月]")


class BadValue(ValueError):
    """An answer that does not fit; `zh`/`en` say why and what would fit."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh)
        self.zh = zh
        self.en = en

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True, slots=True)
class Spec:
    """What an answer must be: the common part of `Input` and `Field`."""

    name: str
    label: str
    type: str
    options: tuple[str, ...] = ()
    required: bool = True
    min: float | None = None
    max: float | None = None

    @classmethod
    def of_input(cls, inp: Input) -> Spec:
        return cls(
            inp.name, inp.ask or inp.name, inp.type, inp.options, inp.required, inp.min, inp.max
        )

    @classmethod
    def of_field(cls, fld: Field) -> Spec:
        low, high = fld.min, fld.max
        if fld.type == "score":
            low = 1 if low is None else low
            high = 5 if high is None else high
        return cls(fld.id, fld.label, fld.type, fld.options, fld.required, low, high)

    def hint(self, lang: str = "zh") -> str:
        """The answer format shown after the question, like [是/否]."""
        zh, en = _HINTS.get(self.type, ("", ""))
        if self.type == "choice":
            zh = en = "/".join(self.options)
        elif self.type in ("int", "number", "score") and (
            self.min is not None or self.max is not None
        ):
            zh = en = (
                f"{_num(self.min) if self.min is not None else ''}–"
                f"{_num(self.max) if self.max is not None else ''}"
            )
        if not self.required:
            zh, en = (
                f"{zh}, 可留空" if zh else "可留空",
                f"{en}, may be empty" if en else "optional",
            )
        return en if lang == "en" else zh


_HINTS: dict[str, tuple[str, str]] = {
    "bool": ("是/否", "yes/no"),
    "int": ("整数", "whole number"),
    "number": ("数字", "number"),
    "date": ("如 2026-12-01 或 今天", "like 2026-12-01, or today"),
    "time": ("如 14:30 或 现在", "like 14:30, or now"),
    "datetime": ("如 2026-12-01 14:30 或 现在", "like 2026-12-01 14:30, or now"),
    "phone": ("电话号码", "phone number"),
    "score": ("1–5", "1–5"),
    "signature": ("签名 (姓名)", "signature (name)"),
}


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def normalise(raw: str) -> str:
    """Full-width digits, letters and colons (common with Chinese input methods) → ASCII."""
    return unicodedata.normalize("NFKC", raw).strip()


def parse(spec: Spec, raw: Any, now: datetime) -> Any:
    """Check one answer. `raw` is typed text, or a YAML value from a scenario."""
    if isinstance(raw, bool) and spec.type == "bool":
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raw = str(raw)
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        raise BadValue(f"无法理解的答案 {raw!r}", f"cannot understand the answer {raw!r}")
    text = raw.strip() if spec.type in TEXT_TYPES else normalise(raw)
    if not text:
        if spec.required:
            raise BadValue("此项必须填写", "an answer is required")
        return "" if spec.type in TEXT_TYPES else None
    return _PARSERS[spec.type](spec, text, now)


def _text(spec: Spec, text: str, now: datetime) -> Any:
    return text


def _bool(spec: Spec, text: str, now: datetime) -> Any:
    word = text.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise BadValue(
        f'请回答 是 或 否 (y/n), 而不是 "{text}"', f'answer yes or no (y/n), not "{text}"'
    )


def _range(spec: Spec, value: float) -> None:
    if spec.min is not None and value < spec.min:
        raise BadValue(f"不能小于 {_num(spec.min)}", f"must be at least {_num(spec.min)}")
    if spec.max is not None and value > spec.max:
        raise BadValue(f"不能大于 {_num(spec.max)}", f"must be at most {_num(spec.max)}")


def _int(spec: Spec, text: str, now: datetime) -> Any:
    if not re.fullmatch(r"[+-]?[0-9]{1,12}", text):
        raise BadValue(f'请输入整数, 而不是 "{text}"', f'enter a whole number, not "{text}"')
    value = int(text)
    _range(spec, value)
    return value


def _number(spec: Spec, text: str, now: datetime) -> Any:
    if not re.fullmatch(r"[+-]?(?:[0-9]{1,12}(?:\.[0-9]*)?|\.[0-9]+)", text):
        raise BadValue(f'请输入数字, 而不是 "{text}"', f'enter a number, not "{text}"')
    value = float(text)
    _range(spec, value)
    return int(value) if value.is_integer() else value


def _choice(spec: Spec, text: str, now: datetime) -> Any:
    if text in spec.options:
        return text
    if text.isdigit() and 1 <= int(text) <= len(spec.options):
        return spec.options[int(text) - 1]
    listed = " ".join(f"{i}) {o}" for i, o in enumerate(spec.options, 1))
    raise BadValue(f"请选择: {listed}", f"choose one of: {listed}")


def _date(spec: Spec, text: str, now: datetime) -> Any:
    if text.lower() in ("今天", "today"):
        return now.date().isoformat()
    cleaned = _DATE_SEPARATORS.sub("-", text).rstrip("日").rstrip("-")
    try:
        year, month, day = (int(p) for p in cleaned.split("-"))
        return date(year, month, day).isoformat()
    except ValueError:
        raise BadValue(
            f'日期 "{text}" 无效, 请写成 2026-12-01',
            f'date "{text}" is not valid; write it like 2026-12-01',
        ) from None


def _time(spec: Spec, text: str, now: datetime) -> Any:
    if text.lower() in ("现在", "now"):
        return now.strftime("%H:%M")
    m = re.fullmatch(r"([0-9]{1,2})[:点]([0-9]{2})分?", text)
    if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
        return time(int(m.group(1)), int(m.group(2))).strftime("%H:%M")
    raise BadValue(
        f'时刻 "{text}" 无效, 请写成 14:30', f'time "{text}" is not valid; write it like 14:30'
    )


def _datetime(spec: Spec, text: str, now: datetime) -> Any:
    if text.lower() in ("现在", "now"):
        return now.strftime("%Y-%m-%d %H:%M")
    parts = text.replace("T", " ").split()
    if len(parts) == 2:
        try:
            return f"{_date(spec, parts[0], now)} {_time(spec, parts[1], now)}"
        except BadValue:
            pass
    raise BadValue(
        f'"{text}" 无效, 请写成 2026-12-01 14:30',
        f'"{text}" is not valid; write it like 2026-12-01 14:30',
    )


def _phone(spec: Spec, text: str, now: datetime) -> Any:
    compact = _PHONE_SEPARATORS.sub("", text)
    if not _PHONE.fullmatch(compact):
        raise BadValue(
            f'电话号码 "{text}" 无效, 只能有数字 (可带 + - 空格)',
            f'phone number "{text}" is not valid; digits only (+, - and spaces allowed)',
        )
    return compact


_PARSERS = {
    "text": _text,
    "longtext": _text,
    "signature": _text,
    "bool": _bool,
    "int": _int,
    "score": _int,
    "number": _number,
    "choice": _choice,
    "date": _date,
    "time": _time,
    "datetime": _datetime,
    "phone": _phone,
}


BOOL_WORDS = messages("value.bool", {"yes": ("是", "yes"), "no": ("否", "no")})


def show(value: Any, lang: str = "zh") -> str:
    """A value as a person reads it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return BOOL_WORDS["yes" if value else "no"].say("en" if lang == "en" else "zh")
    return str(value)


def sample(spec: Spec, now: datetime) -> Any:
    """A valid answer, for generated scenarios."""
    if spec.type == "choice":
        return spec.options[0] if spec.options else ""
    if spec.type in ("int", "number", "score"):
        low = spec.min if spec.min is not None else 1
        return int(low) if float(low).is_integer() else low
    samples: dict[str, Any] = {
        "bool": True,
        "date": now.date().isoformat(),
        "time": now.strftime("%H:%M"),
        "datetime": now.strftime("%Y-%m-%d %H:%M"),
        "phone": "13800000000",
        "signature": "张三",
        "longtext": "测试记录",
        "text": "测试",
    }
    return samples.get(spec.type, "测试")


def candidates(spec: Spec, constants: Sequence[Any], now: datetime) -> list[Any]:
    """Values worth trying when searching for a path: each kind of answer once,
    plus the constants the procedure's conditions compare against."""
    out: list[Any] = []
    if spec.type == "bool":
        out = [True, False]
    elif spec.type == "choice":
        out = list(spec.options)
    elif spec.type in ("int", "number", "score"):
        out = [sample(spec, now)]
        for c in constants:
            if isinstance(c, int | float) and not isinstance(c, bool):
                out += [c - 1, c, c + 1]
        out = [
            v
            for v in out
            if (spec.min is None or v >= spec.min) and (spec.max is None or v <= spec.max)
        ]
    else:
        out = [sample(spec, now)] + [c for c in constants if isinstance(c, str)]
    if not spec.required:
        out.append(None if spec.type not in TEXT_TYPES else "")
    unique: list[Any] = []
    for v in out:
        if not any(v == u and type(v) is type(u) for u in unique):
            unique.append(v)
    return unique
