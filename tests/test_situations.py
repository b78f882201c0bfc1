"""The 23 situations of 002 篇三 (`site-situations`, a rule table) and the
standing rules of 000 §3.6, 001 篇4 §4.4–§4.5 and 002 策略四、六: every
situation an entry numbered as in the source with its heading verbatim, every
quoted phrase a `say` line, every prohibition a standing rule shown where it
applies, and no word never to say inside a line staff say."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from engine.model import Procedure, Rulebook
from engine.resources import bundled_rulebook
from engine.validate import load_rulebook
from tests.runtime_support import sop_in_process

# 002 篇三: each situation's heading, as the source writes it.
TITLES = {
    1: "遇到客户时怎么办?",
    2: "节日期间见到客户时怎么办?",
    3: "遇到服装奇异、举止特殊的客户时该怎么办?",
    4: "客户或小孩不小心摔倒时怎么办?",
    5: "客户提出的问题,自己不清楚,难以回答时该怎么办?",
    6: "工作时间亲友打电话找你时怎么办?",
    7: "客户正在谈话,我们有急事找销售员时怎么办?",
    8: "当你遇到同事与客户争吵时怎么办?",
    9: "置业顾问之间在销售卖场发生吵闹时怎么办?",
    10: "在行走中,有急事需要超越客户时怎么办?",
    11: "因工作需要,要与客户一同乘坐电梯时怎么办?",
    12: "客户有伤心或情绪激动的事,心情不好时怎么办?",
    13: "当客户在销售区域吐痰,弹烟灰时,应如何对待?",
    14: "在服务中,自己的心情欠佳怎么办?",
    15: "在服务工作中出现小差错时怎么办?",
    16: "饮品洒在客人的身上的处理",
    17: "客户请你外出(去玩或者看电影)时怎么办?",
    18: "客户要求与置业顾问合影时,怎么办?",
    19: "客户要赠送礼品,怎么办?",
    20: "客户出现不礼貌的言行怎么办?",
    21: "遇到刁难的客户时该怎么办?",
    22: "客户对我们提出批评意见时怎么办?",
    23: "客户向我们投诉时怎么办?",
}

# A word of each heading that staff would type, found in no other entry.
WORDS = {
    1: "遇到客户时",
    2: "节日",
    3: "服装奇异",
    4: "摔倒",
    5: "难以回答",
    6: "亲友",
    7: "找销售员",
    8: "争吵",
    9: "吵闹",
    10: "超越",
    11: "电梯",
    12: "伤心",
    13: "吐痰",
    14: "心情欠佳",
    15: "差错",
    16: "饮品",
    17: "看电影",
    18: "合影",
    19: "礼品",
    20: "不礼貌",
    21: "刁难",
    22: "批评",
    23: "投诉",
}

# The quoted phrases, by entry number ("先生(小姐)" is the input 称呼, "××" the
# customer's surname; "早晨好!(早上好)" two wordings, one line each).
PHRASES = {
    1: [
        "{{ surname }}{{ honorific }}早晨好!",
        "{{ surname }}{{ honorific }}早上好!",
        "{{ honorific }}早晨!",
        "{{ honorific }}早上好!",
        "您好。",
    ],
    2: ["祝您新年快乐", "祝您节日愉快", "祝您圣诞快乐", "恭喜发财", "新春快乐", "万事如意"],
    7: ["{{ honorific }}对不起,打扰您们一下。", "对不起,打扰您们了。"],
    10: ["{{ honorific }}对不起,请麻烦让一让。"],
    17: ["实在对不起,今晚我还要参加培训学习", "真抱歉,今天我还有别的事情要办"],
}

# 5: "切记: 客户提出的问题, 不能使用“我不知道”, “我不懂”或“我想”, “可能”等词语去答复客户。"
FORBIDDEN_5 = ["我不知道", "我不懂", "我想", "可能"]


# The property's posts of the sales site: 000 §3.6's 所有服务人员 (保安、保洁、客服).
PROPERTY_POSTS = (
    "image_guard",
    "parking_guide",
    "shuttle_attendant",
    "greeter",
    "bar_attendant",
    "service_staff",
    "showflat_host",
    "reception_lead",
    "centre_receptionist",
    "guard",
    "site_supervisor",
    "maintenance",
    "cleaner",
    "carpark_staff",
    "any_staff",
)


@lru_cache(maxsize=1)
def rulebook() -> Rulebook:
    return load_rulebook(bundled_rulebook())


def table() -> Procedure:
    return rulebook().procedures["site-situations"]


def test_every_situation_is_an_entry_numbered_and_titled_as_the_source() -> None:
    entries = table().entries
    assert table().is_table
    assert {e.number: e.title for e in entries} == TITLES
    assert [e.number for e in entries] == sorted(TITLES), "in the source's order"


def _found(tmp_path: Path, typed: str) -> str:
    """What `sop run site-situations` opens when staff type `typed` at its
    search prompt (the run is paused at the entry's first question)."""
    code, out = sop_in_process(
        "run",
        "site-situations",
        "--journal",
        str(tmp_path / "j.sqlite3"),
        "--operator",
        "李娜",
        stdin=f"{typed}\np\n",
    )
    assert code == 0, out
    after = out.rsplit("序号或文字 ›", 1)[1]
    assert "找到" not in after, after  # one entry, not a list to choose from
    return "".join(after.split())


@pytest.mark.parametrize("number", sorted(TITLES))
def test_staff_find_each_situation_by_its_number(number: int, tmp_path: Path) -> None:
    assert TITLES[number] in _found(tmp_path, str(number))


@pytest.mark.parametrize("number", sorted(WORDS))
def test_staff_find_each_situation_by_a_word(number: int, tmp_path: Path) -> None:
    assert TITLES[number] in _found(tmp_path, WORDS[number])


def test_a_word_of_several_situations_lists_them(tmp_path: Path) -> None:
    code, out = sop_in_process(
        "run",
        "site-situations",
        "--journal",
        str(tmp_path / "j.sqlite3"),
        "--operator",
        "李娜",
        stdin="道歉\n20\np\n",
    )
    assert code == 0, out
    listed = out.rsplit("序号或文字 ›", 2)[1]
    assert "找到 4 条" in listed
    for number in (8, 16, 20, 23):
        assert f"{number}. {TITLES[number]}" in listed


@pytest.mark.parametrize("number", sorted(PHRASES))
def test_quoted_phrases_are_verbatim_say_lines(number: int) -> None:
    entry = next(e for e in table().entries if e.number == number)
    assert [item.text.source for item in entry.step.say] == PHRASES[number]


def test_situations_without_quoted_phrases_have_no_say_lines() -> None:
    invented = [e.number for e in table().entries if e.step.say and e.number not in PHRASES]
    assert not invented, f"say lines where the source quotes nothing: {invented}"


def test_the_words_never_to_answer_with_are_those_of_situation_5() -> None:
    entry = next(e for e in table().entries if e.number == 5)
    assert [n.text for n in entry.never_say] == FORBIDDEN_5
    others = [e.number for e in table().entries if e.never_say and e.number != 5]
    assert not others


def test_every_entry_has_a_post_and_something_to_do() -> None:
    for e in table().entries:
        assert e.step.roles, e.id
        assert e.step.do, e.id


def test_entry_rules_are_shown_only_at_their_entry() -> None:
    rb = rulebook()
    proc = table()
    for rule in proc.rules:
        assert rule.steps, f"{rule.id}: a situation's rule belongs to its entry"
    lift, _ = rb.standing(proc, "share_lift")
    assert "no_squeezing_in" in {r.id for r in lift}
    assert "no_mocking" not in {r.id for r in lift}
    photo, _ = rb.standing(proc, "photo_request")
    assert {"no_photos_on_site", "never_alone_in_photo"} <= {r.id for r in photo}


def _say_lines(proc: Procedure) -> list[tuple[str, str]]:
    return [(sid, item.text.source) for sid, step in proc.steps.items() for item in step.say]


def test_no_word_never_to_say_appears_in_a_line_staff_say() -> None:
    rb = rulebook()
    found = []
    for proc in rb.procedures.values():
        for sid, line in _say_lines(proc):
            _, never = rb.standing(proc, sid)
            found += [(proc.id, sid, n.text, line) for n in never if n.text in line]
    assert not found, found
    # and the check would see one: the words of 5 are there to be found
    _, never = rb.standing(table(), "cannot_answer")
    assert [n.text for n in never] == FORBIDDEN_5


@pytest.mark.parametrize("post", PROPERTY_POSTS)
def test_every_property_post_keeps_the_other_areas_courtesy(post: str) -> None:
    rb = rulebook()
    ids = {r.id for r in rb.rules if post in {x.name for x in r.roles}}
    assert {"greet_everywhere", "offer_help", "keep_clean", "fence_works"} <= ids


def test_the_other_areas_phrases_are_in_the_rules_verbatim() -> None:
    texts = {r.id: r.text for r in rulebook().rules}
    assert "“您好!”或“欢迎光临(项目名称)”" in texts["greet_everywhere"]
    assert "“您好,有什么能帮到您的吗”" in texts["offer_help"]


def test_the_sales_consultants_are_not_bound_by_the_property_rules() -> None:
    rb = rulebook()
    proc = rb.procedures["opening-to-signing-care"]
    rules, _ = rb.standing(proc, None, ("sales_consultant",))
    assert "greet_everywhere" not in {r.id for r in rules}


def test_call_visit_conduct_is_standing_not_ticked() -> None:
    rb = rulebook()
    proc = rb.procedures["call-visit-reception"]
    rules, _ = rb.standing(proc, "classify", ("front_desk_receptionist",))
    texts = [r.text for r in rules]
    assert "不得推诿、扯皮、推卸责任及为难客户" in texts
    assert "不得乘机索取好处、利益等" in texts
    items = [i.text.source for s in proc.steps.values() for i in s.do]
    assert not [t for t in items if "推诿" in t or "索取好处" in t]


def test_consultants_keep_satisfaction_first_and_never_press_for_a_deposit() -> None:
    rb = rulebook()
    proc = rb.procedures["opening-to-signing-care"]
    rules, _ = rb.standing(proc, "opening_day", ("sales_consultant",))
    ids = {r.id for r in rules}
    assert {"satisfaction_matters", "think_of_consequences", "no_pressure_close"} <= ids
    close = next(r for r in rules if r.id == "no_pressure_close")
    assert "报销控及优惠方式取消" in close.text


def _entry_run(tmp_path: Path, number: int, stdin: str) -> str:
    journal = str(tmp_path / "j.sqlite3")
    code, out = sop_in_process(
        "run", "site-situations", "--entry", str(number), "--journal", journal,
        "--operator", "李娜", stdin=stdin,
    )  # fmt: skip
    assert code == 0, out
    code, report = sop_in_process("report", "1", "--journal", journal)
    assert code == 0, report
    return out + report


FORM = "《案场服务情况记录》"
FILLED = "2026-12-02 10:00\n销售中心\n客户赠送礼品\n客户坚持赠送月饼一盒\n已上缴\n张经理\n\n李娜\n"


def test_a_gift_is_registered_only_when_it_had_to_be_accepted(tmp_path: Path) -> None:
    """19 2): the registration is made only when the gift could not be declined."""
    declined = _entry_run(tmp_path / "a", 19, "n\ny\n")
    assert FORM not in declined
    accepted = _entry_run(tmp_path / "b", 19, "y\ny\ny\ny\n" + FILLED)
    assert "请记录: " + FORM in accepted
    assert "客户坚持赠送月饼一盒" in accepted.split("记录\n", 1)[1]  # in the report's forms


def test_a_complaint_is_written_down_only_when_staff_find_it_necessary(tmp_path: Path) -> None:
    """23 3) "必要时": asked after the items, and the form follows the answer."""
    left = _entry_run(tmp_path / "a", 23, "y\ny\ny\ny\nn\n")
    assert "是否有必要把客户的投诉意见记下来?" in left
    assert FORM not in left
    noted = _entry_run(tmp_path / "b", 23, "y\ny\ny\ny\ny\n" + FILLED)
    assert FORM in noted


@pytest.mark.parametrize(("number", "when"), [(19, "accepted"), (21, "unresolved")])
def test_conditional_records_follow_the_sources_condition(number: int, when: str) -> None:
    (entry,) = [e for e in table().entries if e.number == number]
    (rec,) = entry.step.record
    assert rec.form.name == "situation_record" and rec.all_fields
    assert rec.when is not None and rec.when.source == when
    # the item that says to register carries the same condition
    assert any(i.when is not None and i.when.source == when for i in entry.step.do)
