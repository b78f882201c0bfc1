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
