"""A count said with its unit: English says "1 day" and "2 days", Chinese
"1天" for both. The words come from counted messages (engine/i18n.py's
`counted`), one text for a count of one and one for any other."""

from __future__ import annotations

import importlib
import pkgutil
import re
from datetime import date

import pytest

import engine
from engine import i18n
from engine.model import Due, Duration
from engine.notify.send import _late
from engine.problems import Pos
from engine.render.calls import _title
from engine.render.view import due_words, duration_words
from engine.render.words import Words
from engine.runtime.texts import DAYS_LATE, DAYS_LEFT, WAIT_UNTIL
from engine.schedule import describe
from engine.timetable import Ref, Schedule
from tests.render_golden import BUNDLED, rulebook

EN, ZH = Words("en"), Words("zh")
AT = Pos("f", 1, 1)


def test_a_counted_message_picks_by_the_count() -> None:
    apples = i18n.counted("test.apples", "{n} 个苹果", "{n} apple", "{n} apples")
    assert [apples.say(n, "en") for n in (0, 1, 2)] == ["0 apples", "1 apple", "2 apples"]
    assert [apples.say(n, "zh") for n in (1, 2)] == ["1 个苹果", "2 个苹果"]
    assert i18n.catalogue()["test.apples.one"].en == "{n} apple"
    with pytest.raises(ValueError, match="count"):
        i18n.counted("test.no-count", "苹果", "apple", "apples")


@pytest.mark.parametrize(
    ("text", "en", "zh"),
    [
        ("1d", "1 day", "1天"),
        ("2d", "2 days", "2天"),
        ("1w", "1 week", "1周"),
        ("3w", "3 weeks", "3周"),
        ("1h", "1 h", "1小时"),
        ("15min", "15 min", "15分钟"),
        ("1-2d", "1–2 days", "1~2天"),
    ],
)
def test_a_duration(text: str, en: str, zh: str) -> None:
    d = Duration(0, 0, text)
    assert (duration_words(d, EN), duration_words(d, ZH)) == (en, zh)


@pytest.mark.parametrize(
    ("amount", "unit", "en", "zh"),
    [
        (1, "days", "1 day before {m}", "{m}前1天"),
        (2, "days", "2 days before {m}", "{m}前2天"),
        (1, "hours", "1 hour before {m}", "{m}前1小时"),
        (1, "months", "1 month before {m}", "{m}前1个月"),
        (6, "months", "6 months before {m}", "{m}前6个月"),
        (1, "years", "1 year before {m}", "{m}前1年"),
    ],
)
def test_a_due_date(amount: int, unit: str, en: str, zh: str) -> None:
    proc = rulebook(BUNDLED).procedures["sales-support-training"]
    anchor, milestone = next(iter(proc.milestones.items()))
    due = Due(Ref(anchor, AT), "before", amount, unit)  # type: ignore[arg-type]
    m = milestone.title
    assert due_words(due, proc, EN) == en.format(m=m)
    assert due_words(due, proc, ZH) == zh.format(m=m)


def test_a_due_after_in_english() -> None:
    proc = rulebook(BUNDLED).procedures["sales-support-training"]
    anchor, milestone = next(iter(proc.milestones.items()))
    due = Due(Ref(anchor, AT), "after", 1, "weeks")
    assert due_words(due, proc, EN) == f"1 week after {milestone.title}"


@pytest.mark.parametrize(
    ("every", "en", "zh"),
    [
        ("1d", "every 1 day", "每 1 天"),
        ("3d", "every 3 days", "每 3 天"),
        ("1w", "every 1 week", "每 1 周"),
    ],
)
def test_a_schedule_cadence(every: str, en: str, zh: str) -> None:
    entry = Schedule(AT, every=Ref(every, AT))
    assert (describe(entry, "en"), describe(entry, "zh")) == (en, zh)


def test_how_late_a_notice_says() -> None:
    assert _late(0, 1, "en") == "1 day"
    assert _late(0, 3, "en") == "3 days"
    assert _late(60 * 60 * 49, None, "en") == "2 days"
    assert _late(60 * 60 * 2, None, "en") == "2 hours"
    assert _late(60, None, "en") == "1 minute"
    assert _late(90 * 60, None, "en") == "90 minutes"
    assert _late(60, None, "zh") == " 1 分钟"


def test_the_call_list_and_a_journey_count_days() -> None:
    counts = {"overdue": 0, "today": 1, "upcoming": 2}
    on = date(2026, 1, 1)
    assert _title(on, 1, "en", None, counts)[0].endswith("2 in the next 1 day")
    assert _title(on, 7, "en", None, counts)[0].endswith("2 in the next 7 days")
    assert _title(on, 1, "zh", None, counts)[0].endswith("1 天内将到期 2")
    assert (DAYS_LEFT.say(1, "en"), DAYS_LATE.say(1, "en")) == ("in 1 day", "by 1 day")
    assert (DAYS_LEFT.say(3, "en"), DAYS_LATE.say(3, "en")) == ("in 3 days", "by 3 days")
    assert WAIT_UNTIL.say(1, "en", text="revisit", date="2026-01-02").endswith("(in 1 day)")
    assert WAIT_UNTIL.say(1, "zh", text="回访", date="2026-01-02").endswith("(还有 1 天)")


_UNIT = r"(day|week|month|year|hour|minute)s\b"


def test_every_english_count_of_time_is_counted() -> None:
    """No plain message puts a count before a plural unit ("{n} days"): such
    a text is the `other` of a counted message, so a count of one reads
    "1 day"."""
    for info in pkgutil.walk_packages(engine.__path__, "engine."):
        if info.name != "engine.__main__":
            importlib.import_module(info.name)
    plain = sorted(
        f"{mid}: {msg.en}"
        for mid, msg in i18n.catalogue().items()
        if re.search(r"\{\w+\}\s*" + _UNIT, msg.en)
        and not mid.endswith(".other")
        and not mid.startswith("test.")
    )
    assert plain == []
