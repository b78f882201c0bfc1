"""What the typed guard checks may claim: a guard is called always or never
true only when the sampled cases stand for every value (comparisons of names
with literals); a filter, arithmetic or a substring test is never judged."""

from __future__ import annotations

import pytest

from engine.checks._types import Domain, branches_taken, outcomes

DOMS = {
    "surname": Domain("text"),
    "visitors": Domain("int", low=0, high=50),
    "kind": Domain("choice", options=("首次", "再次")),
    "armed": Domain("bool"),
}


@pytest.mark.parametrize(
    "guard",
    [
        "surname | length > 100",
        "'王' in surname",
        "visitors * 2 > 99",
        "visitors + 1 == 52",
        "(surname ~ 'x') == 'abcx'",
        "kind | lower == '首次'",
    ],
)
def test_guards_the_samples_cannot_decide_are_not_judged(guard: str) -> None:
    assert outcomes(guard, DOMS) is None
    assert branches_taken([guard, None], DOMS) is None


@pytest.mark.parametrize(
    ("guard", "seen"),
    [
        ("kind == '首次' and kind == '再次'", {"false"}),
        ("armed or not armed", {"true"}),
        ("visitors > 50", {"false"}),
        ("visitors in [1, 2] and kind != '再次'", {"true", "false"}),
        ("surname == '王' and surname != '王'", {"false"}),
    ],
)
def test_plain_comparisons_are_judged(guard: str, seen: set[str]) -> None:
    assert outcomes(guard, DOMS) == seen


@pytest.mark.parametrize(
    "guard",
    [
        "surname > 'a' and surname < 'b'",
        "surname >= '王' and surname < '王五'",
        "visitors > 1 and visitors < 3",
    ],
)
def test_a_value_between_two_literals_is_tried(guard: str) -> None:
    assert outcomes(guard, DOMS) == {"true", "false"}


def test_a_number_between_two_literals_is_tried() -> None:
    doms = {"score": Domain("number", low=0, high=10)}
    assert outcomes("score > 1 and score < 1.2", doms) == {"true", "false"}
    assert outcomes("score > 1.2 and score < 1", doms) == {"false"}


# ---------------------------------------------------------------- soundness

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from engine.expressions import Failed, guard_tree, value_of  # noqa: E402

RICH = {
    "visitors": Domain("int", low=0, high=50),
    "score": Domain("number", low=0, high=10),
    "surname": Domain("text"),
    "kind": Domain("choice", options=("首次", "再次", "团体")),
    "armed": Domain("bool"),
    "now": Domain("time"),
    "today": Domain("date"),
}
VALUES = {
    "visitors": st.integers(0, 50),
    "score": st.floats(0, 10, allow_nan=False),
    "surname": st.text(alphabet="王李张abcz", max_size=3),
    "kind": st.sampled_from(["首次", "再次", "团体"]),
    "armed": st.booleans(),
    "now": st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59)),
    "today": st.builds(lambda d: f"2026-01-{d:02d}", st.integers(1, 31)),
}
LITERALS = {
    "visitors": st.integers(-2, 55).map(str),
    "score": st.sampled_from(["0", "1", "1.2", "2.5", "9.9", "10", "11"]),
    "surname": st.sampled_from(["''", "'王'", "'李四'", "'a'", "'b'", "'z'"]),
    "kind": st.sampled_from(["'首次'", "'再次'", "'团体'"]),
    "armed": st.sampled_from(["true", "false"]),
    "now": st.sampled_from(["'00:00'", "'08:30'", "'12:00'", "'23:59'"]),
    "today": st.sampled_from(["'2026-01-01'", "'2026-01-15'", "'2026-01-31'"]),
}


@st.composite
def comparisons(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(sorted(RICH)))
    if name == "armed" and draw(st.booleans()):
        return name
    op = draw(st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "in"]))
    if op == "in":
        items = draw(st.lists(LITERALS[name], min_size=1, max_size=3))
        return f"{name} in [{', '.join(items)}]"
    return f"{name} {op} {draw(LITERALS[name])}"


guards = st.recursive(
    comparisons(),
    lambda inner: st.one_of(
        st.builds(lambda a, b: f"({a}) and ({b})", inner, inner),
        st.builds(lambda a, b: f"({a}) or ({b})", inner, inner),
        st.builds(lambda a: f"not ({a})", inner),
    ),
    max_leaves=4,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(guards, st.data())
def test_what_is_claimed_holds_for_any_value(guard: str, data: st.DataObject) -> None:
    claimed = outcomes(guard, RICH)
    if claimed is None or len(claimed - {"error"}) != 1:
        return  # nothing claimed: either way is possible, or it is not judged
    tree = guard_tree(guard)
    for _ in range(20):
        scope = {name: data.draw(VALUES[name]) for name in RICH}
        try:
            value = "true" if value_of(tree, scope) else "false"
        except Failed:
            value = "error"
        assert value in claimed, (guard, scope, claimed)
