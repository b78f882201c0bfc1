"""`sop due --role/--site`: a role or site that matches nothing is an error
that says what there is and what was probably meant — not an empty list."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.runtime_support import BUNDLED, sop_in_process

CALLBACK = {
    "procedure": "property-question-callback",
    "steps": {
        "intake": {"choice": 1},
        "answer": {"choice": 2},
        "record_question": {
            "record": {
                "asked_at": "2026-11-22T10:00",
                "customer_name": "王先生",
                "phone": "13800000000",
                "question": "物业费",
                "received_by": "李",
            }
        },
        "call_back": {"pause": True},
    },
}


@pytest.fixture(scope="module")
def journal(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("due")
    scenario = folder / "cb.yaml"
    scenario.write_text(yaml.safe_dump(CALLBACK, allow_unicode=True), encoding="utf-8")
    path = str(folder / "j.db")
    code, out = sop_in_process(
        "run", "property-question-callback", "--rulebook", str(BUNDLED), "--answers",
        str(scenario), "--set", "customer=王先生", "--set", "phone=13800000000",
        "--site", "翠湖天地", "--journal", path,
    )  # fmt: skip
    assert code == 0, out
    return path


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--role", "呼叫中新"], '没有岗位 "呼叫中新"。是不是 "呼叫中心"?'),
        (
            ["--role", "callcentre", "--lang", "en"],
            'no role "callcentre". did you mean "call_centre"?',
        ),
        (["--site", "翠湖"], '日志中没有案场 "翠湖" 的运行。是不是 "翠湖天地"?'),
    ],
)
def test_a_typo_is_an_error_with_did_you_mean(journal: str, args: list[str], said: str) -> None:
    code, out = sop_in_process("due", "--journal", journal, *args)
    assert code == 2 and said in out, out


@pytest.mark.parametrize(
    "args", [["--role", "客服人员"], ["--role", "service_staff"], ["--site", "翠湖天地"]]
)
def test_a_known_name_lists(journal: str, args: list[str]) -> None:
    code, out = sop_in_process("due", "--journal", journal, "--days", "30", *args)
    assert code == 0 and "王先生" in out, out


def test_a_role_with_nothing_due_is_not_an_error(journal: str) -> None:
    code, out = sop_in_process("due", "--journal", journal, "--role", "呼叫中心")
    assert code == 0 and "王先生" not in out, out


def test_no_journal_filters_are_checked_too(tmp_path: Path) -> None:
    sop_in_process("run", "visit", "--rulebook", str(BUNDLED), "--journal", str(tmp_path / "j"))
    code, out = sop_in_process("due", "--journal", str(tmp_path / "j"), "--site", "任何")
    assert code == 2 and "(无)" in out, out
