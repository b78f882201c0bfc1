"""Guards and templates in words, and three-valued evaluation with partial answers."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from engine.expressions import guard_tree
from engine.expressions import truth3 as truth
from engine.model import Expr, Input
from engine.problems import Pos
from engine.render.exprs import Wording, holds

P = Pos("t.yaml", 1, 1)
INPUTS = {
    "returning": Input("returning", "bool", P, ask="客户是否二次以上来访?"),
    "surname": Input("surname", "text", P, ask="客户姓氏"),
    "weather": Input("weather", "choice", P, ask="天气", options=("晴", "雨", "雪")),
    "party": Input("party", "int", P, ask="来访人数"),
    "project": Input("project", "text", P, ask="项目名称", default="翠湖"),
}
W = Wording(INPUTS)


def guard(text: str) -> Expr:
    return Expr(text, "guard", P)


def template(text: str) -> Expr:
    return Expr(text, "template", P)


def test_conditions_read_as_the_questions_staff_are_asked() -> None:
    assert (
        W.condition(guard("returning and surname")) == "客户是否二次以上来访? 是 且 客户姓氏 已知"
    )
    # `not` is pushed inward (De Morgan), so nobody has to parse "并非 (A 且 B)".
    assert W.condition(guard("not (returning and surname)")) == (
        "客户是否二次以上来访? 否 或 客户姓氏 未知"
    )
    assert W.condition(guard("weather == '雨'")) == "天气为雨"
    assert W.condition(guard("weather != '晴'")) == "天气不是晴"
    assert W.condition(guard("weather in ['雨', '雪']")) == "天气为雨/雪"
    assert W.condition(guard("party >= 5")) == "来访人数 ≥ 5"
    assert W.condition(guard("5 > party")) == "来访人数 < 5"
    assert W.condition(guard("not party >= 5")) == "来访人数 < 5"
    assert W.condition(guard("weekday in [6, 7]")) == "今天为星期六/星期日"
    # Mixed 且/或 are always bracketed: readers should not need precedence rules.
    assert W.condition(guard("returning or (surname and party > 2)")) == (
        "客户是否二次以上来访? 是 或 (客户姓氏 已知 且 来访人数 > 2)"
    )
    assert W.condition(guard("returning and (surname or party > 2)")) == (
        "客户是否二次以上来访? 是 且 (客户姓氏 已知 或 来访人数 > 2)"
    )


def test_a_condition_without_natural_words_shows_its_source() -> None:
    assert W.condition(guard("surname | length > 2")) == "〔surname | length > 2〕"


def test_unfilled_templates_show_placeholders_named_by_ask() -> None:
    assert W.fill(template("您好,{{ surname }}先生")) == "您好,〔客户姓氏〕先生"
    assert W.fill(template("{% if returning %}欢迎回来{% else %}欢迎{% endif %}")) == (
        "〔若 客户是否二次以上来访? 是: 欢迎回来；否则: 欢迎〕"
    )


def test_filled_templates_use_what_is_known_and_keep_the_rest() -> None:
    t = template("{{ surname }}{{ '先生' if returning else '女士' }},欢迎光临{{ project }}")
    assert (
        W.fill(t, {"surname": "王", "returning": True, "project": "翠湖"}) == "王先生,欢迎光临翠湖"
    )
    assert W.fill(t, {"returning": False}) == "〔客户姓氏〕女士,欢迎光临〔项目名称〕"


def test_partial_answers_decide_what_they_can() -> None:
    g = guard("returning and surname")
    assert holds(g, {"returning": False}) is False
    assert holds(g, {"returning": True}) is None
    assert holds(g, {"returning": True, "surname": "王"}) is True
    assert holds(guard("returning or party > 3"), {"party": 5}) is True
    assert holds(None, {}) is True


NAMES = ("a", "b", "c")
leaf = st.sampled_from(NAMES)


def _expr(depth: int) -> st.SearchStrategy[str]:
    if depth == 0:
        return leaf
    sub = _expr(depth - 1)
    return st.one_of(
        leaf,
        st.builds(lambda x: f"not ({x})", sub),
        st.builds(lambda x, y: f"({x}) and ({y})", sub, sub),
        st.builds(lambda x, y: f"({x}) or ({y})", sub, sub),
    )


@given(_expr(3), st.dictionaries(st.sampled_from(NAMES), st.booleans()))
def test_a_decided_guard_never_changes_when_more_is_known(
    source: str, known: dict[str, bool]
) -> None:
    """Soundness of three-valued evaluation: if partial answers decide a guard,
    every way of answering the rest agrees; with all answers it is decided."""
    tree = guard_tree(source)
    verdict = truth(tree, known)
    missing = [n for n in NAMES if n not in known]
    for values in itertools.product([False, True], repeat=len(missing)):
        full = {**known, **dict(zip(missing, values, strict=True))}
        complete = truth(tree, full)
        assert complete is not None
        if verdict is not None:
            assert complete == verdict
