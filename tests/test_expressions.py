"""The one expression interpreter (engine.expressions): Jinja2's meaning for
the allowed subset, names asked for only where their value is used, nothing
outside the allowlist evaluated, and Jinja2 imported nowhere else."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jinja2 import StrictUndefined, Undefined
from jinja2.sandbox import SandboxedEnvironment

from engine import expressions as ex

ROOT = Path(__file__).resolve().parents[1]

SCOPE: dict[str, Any] = {
    "returning": True,
    "party": 3,
    "score": 4.5,
    "surname": "王",
    "weather": "雨",
    "empty": "",
    "nothing": None,
    "hour": 9,
}
JINJA = SandboxedEnvironment(
    undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
)


def _result(value: Any) -> tuple[str, Any]:
    if isinstance(value, Undefined):  # an empty `first`, an `if` with no `else`
        return "undefined", type(value).__name__
    return "ok", value


def jinja_value(source: str, scope: dict[str, Any]) -> tuple[str, Any]:
    try:
        return _result(JINJA.compile_expression(source, undefined_to_none=False)(**scope))
    except Exception as exc:
        return "error", type(exc).__name__


def our_value(source: str, scope: dict[str, Any]) -> tuple[str, Any]:
    tree = ex.guard_tree(source)
    assert tree is not None and not ex.analyse(source, "guard").findings, source
    try:
        return _result(ex.value(tree, scope))
    except Exception as exc:
        return "error", type(exc).__name__


atoms = st.sampled_from(
    [
        "returning",
        "party",
        "score",
        "surname",
        "weather",
        "empty",
        "nothing",
        "hour",
        "1",
        "0",
        "2.5",
        "-1",
        "'雨'",
        "''",
        "true",
        "false",
        "none",
        "[1, 2, 3]",
        "['雨', '雪']",
        "('a', 'b')",
    ]
)
FILTERS = [
    "length",
    "lower",
    "upper",
    "trim",
    "first",
    "last",
    "round",
    "int",
    "join(',')",
    "default('x')",
    "default(1, true)",
    "replace('王', '李')",
]


def _combine(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.builds(lambda a, b: f"({a}) and ({b})", inner, inner),
        st.builds(lambda a, b: f"({a}) or ({b})", inner, inner),
        st.builds(lambda a: f"not ({a})", inner),
        st.builds(lambda a: f"-({a})", inner),
        st.builds(
            lambda a, op, b: f"({a}) {op} ({b})",
            inner,
            st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "in", "not in", "+", "-", "~"]),
            inner,
        ),
        st.builds(lambda a, b, c: f"({a}) if ({b}) else ({c})", inner, inner, inner),
        st.builds(lambda a, b: f"({a}) if ({b})", inner, inner),
        st.builds(lambda a, f: f"({a}) | {f}", inner, st.sampled_from(FILTERS)),
        st.builds(lambda a, b, c: f"({a}) < ({b}) < ({c})", inner, inner, inner),
    )


expressions = st.recursive(atoms, _combine, max_leaves=5)


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions)
def test_a_guard_means_what_jinja2_would_compute(source: str) -> None:
    assert our_value(source, SCOPE) == jinja_value(source, SCOPE), source


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions, expressions)
def test_a_template_reads_as_jinja2_renders_it(a: str, b: str) -> None:
    source = f"您好 {{{{ {a} }}}}{{% if {b} %}}!{{% elif party %}}?{{% else %}}.{{% endif %}}"
    if ex.analyse(source, "template").findings:
        return
    env = JINJA.overlay(finalize=lambda v: "" if v is None else v)
    try:
        theirs: tuple[str, Any] = ("ok", env.from_string(source).render(**SCOPE).strip())
    except Exception as exc:
        theirs = ("error", type(exc).__name__)
    try:
        ours: tuple[str, Any] = ("ok", ex.render(source, SCOPE))
    except ex.ExpressionFailed as exc:
        ours = ("error", exc.detail.split(":")[0])
    assert ours == theirs, source


def test_a_name_is_asked_for_only_where_its_value_is_used() -> None:
    assert ex.truth("returning and surname", {"returning": False}) is False
    with pytest.raises(ex.NeedInput) as need:
        ex.truth("returning and surname", {"returning": True})
    assert need.value.name == "surname"
    assert ex.render("{{ surname | default('您') }}好", {}) == "您好"
    with pytest.raises(ex.NeedInput):
        ex.render("{% if returning %}欢迎回来{% endif %}", {})
    assert ex.render("{{ nothing }}先生", {"nothing": None}) == "先生"


def test_what_cannot_be_evaluated_is_a_rulebook_problem_not_a_crash() -> None:
    with pytest.raises(ex.ExpressionFailed, match="TypeError"):
        ex.truth("party < '3'", {"party": 3})
    # A value no name stands for (the first of nothing) is not an input to ask.
    with pytest.raises(ex.ExpressionFailed):
        ex.render("{{ ([] | first) ~ 'x' }}", {})
    for refused in ("surname.upper()", "party ** 2", "x[0]", "range(3)", "_secret"):
        with pytest.raises(ex.ExpressionFailed, match="NotAllowed"):
            ex.truth(refused, {"surname": "王", "party": 1, "x": [1]})
    with pytest.raises(ex.ExpressionFailed, match="NotAllowed"):
        ex.render("{% for i in [1] %}x{% endfor %}", {})


def test_plain_text_needs_no_parser() -> None:
    analysis = ex.analyse("站在样板房主入口处\r\n迎接客户", "template")
    assert analysis == ex.Analysis((), (), (ex.Text("站在样板房主入口处\n迎接客户"),))


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_jinja2_is_the_expression_modules_own() -> None:
    """Rulebook expressions are parsed and checked in engine/expressions.py
    only; render/templating.py runs our own output templates (*.j2)."""
    users = {
        str(p.relative_to(ROOT))
        for p in sorted((ROOT / "engine").rglob("*.py"))
        if "jinja2" in _imports(p)
    }
    assert users == {"engine/expressions.py", "engine/render/templating.py"}


# The names read without Jinja2 (a guard that is one name, a text whose only
# expressions are names) give what Jinja2 gives, and anything near them that
# is not one goes to Jinja2.
_NEAR_PLAIN = [
    "您好,{{ project }}欢迎",
    "{{project}}",
    "a{{ x.y }}",
    "{{ x }}{{ y }}\n",
    "a }} b {{ c }}",
    "{{ x }}}",
    "{ {{ x }}",
    "x{{ a }}\r\ny\rz",
    "{{\tx\t}}",
    "{{ a.b.c }}",
    "{{ true }}",
    "{{ None }}",
    "{{ a.if }}",
    "{{ _x }}",
    "{{- x }}",
    "{{ x }} {# c #}",
    "returning",
    " x.y\n",
    "true",
    "False",
    "TRUE",
    "a.none",
    "x in y",
    "_x",
]


def _by_jinja(source: str, kind: str, monkeypatch: pytest.MonkeyPatch) -> ex.Analysis:
    with monkeypatch.context() as m:
        m.setattr(ex, "_plain", lambda s, k: None)
        return ex.analyse.__wrapped__(source, kind)


@pytest.mark.parametrize("kind", ["guard", "template"])
@pytest.mark.parametrize("source", _NEAR_PLAIN)
def test_plain_names_read_as_jinja2_reads_them(
    source: str, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ex.analyse.__wrapped__(source, kind) == _by_jinja(source, kind, monkeypatch)
    if kind == "guard" and ex._GUARD_NAME.fullmatch(source):
        with monkeypatch.context() as m:
            m.setattr(ex, "_GUARD_NAME", ex.re.compile(r"(?!)"))
            by_lexer = ex.literal_spans.__wrapped__(source)
        assert ex.literal_spans.__wrapped__(source) == by_lexer


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(["{{ ", " }}", "{{", "}}", "a", "x.y", " ", "in", "中", "\n", "_b", "."])
    )
)
def test_plain_names_agree_on_any_mix(parts: list[str]) -> None:
    source = "".join(parts)
    for kind in ("guard", "template"):
        plain = ex.analyse.__wrapped__(source, kind)
        original = ex._plain
        ex._plain = lambda s, k: None  # type: ignore[assignment]
        try:
            assert plain == ex.analyse.__wrapped__(source, kind)
        finally:
            ex._plain = original
