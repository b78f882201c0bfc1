"""Scenario files of the wrong shape (`operator: 7`, `set: [a, b]`, a step
that is a list of lists, a checklist answer that is a number …) are refused
with a message naming the file and line:col, the line quoted — never an
internal error. Wrong shapes are generated: any node of a good scenario
replaced by a value of another kind."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import i18n
from engine.errors import ScenarioError
from engine.runtime.scenario import parse_scenario
from tests.runtime_support import FIXTURE, VISIT_HAPPY, sop_in_process

WRONG_VALUES = st.one_of(
    st.integers(-3, 99),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False, width=16),
    st.lists(st.sampled_from(["a", 1, True]), max_size=3),
    st.lists(st.lists(st.integers(0, 3), max_size=2), min_size=1, max_size=2),
    st.dictionaries(st.sampled_from(["x", "skip", "do", "1"]), st.integers(0, 3), max_size=2),
    st.text("ab王", max_size=4),
)


def _paths(node: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in the scenario a value sits (the root excluded)."""
    out = [here] if here else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*here, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*here, i))
    return out


def _replace(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    data = copy.deepcopy(data)
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


PATHS = _paths(VISIT_HAPPY)
WHERE = re.compile(r"scenario\.yaml:\d+:\d+[: ]")


def _run(folder: Path, data: Any) -> tuple[int, str]:
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return sop_in_process(
        "run",
        "visit",
        "--rulebook",
        str(FIXTURE),
        "--answers",
        str(path),
        "--journal",
        str(folder / "j.db"),
    )


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.sampled_from(PATHS), WRONG_VALUES)
def test_a_wrong_shape_is_named_by_file_and_line(
    tmp_path_factory: pytest.TempPathFactory, where: tuple[Any, ...], value: Any
) -> None:
    folder = tmp_path_factory.mktemp("shape")
    code, out = _run(folder, _replace(VISIT_HAPPY, where, value))
    assert code in (0, 1), out
    assert "内部错误" not in out and "Traceback" not in out, out
    if code == 1:
        assert WHERE.search(out), out
        assert " | " in out, out  # the line quoted, with a caret


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (
            {"operator": 7},
            'operator 应为文本, 这里是整数 7; 如果就是这个值, 请加引号: operator: "7"',
        ),
        ({"set": ["a", "b"]}, "set 应为映射 (键: 值), 这里是列表"),
        ({"steps": ["greet"]}, "steps 应为映射 (键: 值), 这里是列表"),
        ({"steps": {"greet": [["done"]]}}, "steps.greet 应为这一步的答案"),
        ({"steps": {"greet": {"do": "done"}}}, "steps.greet.do 应为列表, 这里是文本"),
        ({"steps": {"greet": {"choise": 1}}}, '不认识的键 "choise"。是不是 "choice"?'),
        ({"steps": {"greet": {"pause": "yes"}}}, "steps.greet.pause 应为是非值 (true 或 false)"),
        ({"now": "yesterday"}, 'now 的时间 "yesterday" 无效'),
        ({"inputs": {"returning": [1]}}, "inputs.returning 应为一个值"),
    ],
)
def test_the_messages_say_what_is_wrong(tmp_path: Path, change: dict[str, Any], said: str) -> None:
    code, out = _run(tmp_path, {**VISIT_HAPPY, **change})
    assert code == 1
    assert WHERE.search(out) and said in out, out


def test_in_english_too(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text("procedure: visit\noperator: 7\n", encoding="utf-8")
    code, out = sop_in_process(
        "run", "visit", "--rulebook", str(FIXTURE), "--answers", str(path), "--lang", "en",
        "--journal", str(tmp_path / "j.db"),
    )  # fmt: skip
    assert code == 1
    assert "scenario.yaml:2:11: the scenario file is wrong: operator should be text" in out
    assert 'quote it: operator: "7"' in out


def test_a_scenario_built_in_code_is_named_by_its_keys() -> None:
    """Simulations and tests build scenarios as data, with no file behind them."""
    i18n.use("zh")
    with pytest.raises(ScenarioError) as failed:
        parse_scenario({"steps": {"greet": {"do": [7]}}}, "<场景 1>")
    assert str(failed.value).startswith("<场景 1>: steps.greet.do[0]: 场景文件有误")
