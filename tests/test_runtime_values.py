"""Typed answers and deadlines: the small pieces the walk-through relies on."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.runtime.dues import add_months, reminder
from engine.runtime.values import BadValue, Spec, parse

NOW = datetime(2026, 11, 22, 14, 30).astimezone()
TYPES = [
    "text",
    "longtext",
    "bool",
    "int",
    "number",
    "choice",
    "date",
    "time",
    "datetime",
    "phone",
    "score",
    "signature",
]


@pytest.mark.parametrize(
    "raw, value",
    [
        ("是", True),
        ("y", True),
        ("YES", True),
        ("否", False),
        ("n", False),
        ("不是", False),
        ("ｙ", True),  # full-width, as a Chinese input method types it
    ],
)
def test_booleans_accept_chinese_and_english(raw: str, value: bool) -> None:
    assert parse(Spec("x", "x", "bool"), raw, NOW) is value


@pytest.mark.parametrize(
    "spec, raw, value",
    [
        (Spec("n", "人数", "int", min=1, max=20), "１２", 12),
        (Spec("d", "日期", "date"), "2026/12/1", "2026-12-01"),
        (Spec("d", "日期", "date"), "今天", "2026-11-22"),
        (Spec("t", "时刻", "time"), "9：05", "09:05"),
        (Spec("t", "时刻", "time"), "现在", "14:30"),
        (Spec("p", "电话", "phone"), "138 0000-0000", "13800000000"),
        (Spec("c", "称呼", "choice", options=("先生", "女士")), "2", "女士"),
        (Spec("s", "姓氏", "text", required=False), "  ", ""),
        (Spec("k", "金额", "number", required=False), "", None),
    ],
)
def test_answers_are_checked_and_normalised(spec: Spec, raw: str, value: object) -> None:
    assert parse(spec, raw, NOW) == value


@pytest.mark.parametrize(
    "spec, raw, message",
    [
        (Spec("n", "人数", "int", min=1), "0", "不能小于 1"),
        (Spec("n", "人数", "int"), "两个", "请输入整数"),
        (Spec("d", "日期", "date"), "2026-02-30", '日期 "2026-02-30" 无效'),
        (Spec("c", "称呼", "choice", options=("先生", "女士")), "3", "请选择: 1) 先生 2) 女士"),
        (Spec("x", "名称", "text"), "", "此项必须填写"),
    ],
)
def test_bad_answers_say_why(spec: Spec, raw: str, message: str) -> None:
    with pytest.raises(BadValue, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(spec, raw, NOW)


@given(kind=st.sampled_from(TYPES), raw=st.text(max_size=40))
def test_any_typed_text_is_a_value_or_a_reason(kind: str, raw: str) -> None:
    spec = Spec("x", "x", kind, options=("甲", "乙"), required=False, min=0, max=100)
    try:
        parse(spec, raw, NOW)
    except BadValue as exc:
        assert exc.zh and exc.en


def test_months_clamp_to_the_end_of_the_month() -> None:
    assert add_months(datetime(2026, 1, 31), 1) == datetime(2026, 2, 28)
    assert add_months(datetime(2026, 11, 30), 3) == datetime(2027, 2, 28)


def test_recurring_reminders_come_round_and_deadlines_go_overdue() -> None:
    since = NOW
    every = {
        "kind": "every",
        "since": since.isoformat(),
        "low": 480,
        "high": 600,
        "text": "8-10min",
        "procedure_title": "样板房",
        "title": "续杯",
    }
    early = reminder(1, every, since + timedelta(minutes=3), True)
    assert not early.overdue and early.at == since + timedelta(minutes=8)
    due_now = reminder(1, every, since + timedelta(minutes=9), True)
    assert due_now.overdue and due_now.at == since + timedelta(minutes=8)
    later = reminder(1, every, since + timedelta(minutes=11), True)
    assert not later.overdue and later.at == since + timedelta(minutes=16)
    within = {
        "kind": "within",
        "due": (since + timedelta(hours=24)).isoformat(),
        "text": "24h",
        "procedure_title": "大厅",
        "title": "回复",
    }
    assert not reminder(1, within, since + timedelta(hours=23), True).overdue
    assert reminder(1, within, since + timedelta(hours=25), True).overdue
