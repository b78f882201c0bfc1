"""`sop due --role/--site`: a role or site that matches nothing is an error
that says what there is and what was probably meant — not an empty list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.runtime_support import BUNDLED, sop_in_process

CALLBACK = {
    "procedure": "property-question-callback",
    "steps": {
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


def test_ahead_lists_what_a_parked_journey_will_meet(tmp_path: Path) -> None:
    """A journey parked at its first step with a signing date booked: its
    touchpoints after signing are projected from that date; the next one
    that hangs on an unknown milestone is listed as waiting for it."""
    scenario = tmp_path / "v.yaml"
    scenario.write_text(
        'procedure: vanke-6plus2\nnow: "2026-03-01T10:00:00+08:00"\n'
        "milestones: {signed: 2026-03-20}\nsteps:\n  viewing: {pause: true}\n",
        encoding="utf-8",
    )
    journal = str(tmp_path / "j.db")
    code, out = sop_in_process(
        "run", "vanke-6plus2", "--rulebook", str(BUNDLED), "--answers", str(scenario),
        "--set", "customer=王建国", "--set", "phone=13912345678", "--journal", journal,
    )  # fmt: skip
    assert code == 0, out
    window = ["--at", "2026-03-01", "--days", "60"]
    code, out = sop_in_process("due", "--journal", journal, *window)
    assert "旅程尚未到达" not in out  # only when asked
    code, out = sop_in_process("due", "--journal", journal, *window, "--ahead")
    assert code == 0 and "旅程尚未到达的触点 (预计)" in out and "2026-03-27" in out, out
    code, out = sop_in_process("due", "--journal", journal, *window, "--ahead", "--format", "json")
    ahead = json.loads(out)["ahead"]
    callback = next(a for a in ahead if a["step"] == "呼叫中心销售(签约)满意度回访")
    assert (callback["projected"], callback["rule"]) == ("2026-03-27", "签约日后 7 天")
    assert callback["customer"] == "王建国 13912345678"
    assert any(a["projected"] is None and a["waits_for"] for a in ahead)
    code, out = sop_in_process(
        "due", "--journal", journal, *window, "--ahead", "--role", "呼叫中心", "--format", "json"
    )
    assert {a["role"] for a in json.loads(out)["ahead"]} == {"呼叫中心 (集团呼叫中心)"}


@pytest.mark.parametrize("limit", [40, 60, 120])
def test_on_a_terminal_the_list_fits_its_width(tmp_path: Path, limit: int) -> None:
    """A manager's terminal of 40, 60 or 120 columns: no line is wider, and
    every item still says when, what, who and the rule it comes from."""
    from datetime import date

    from engine.cache import duties
    from engine.journal import Journal
    from engine.render.calls import as_text
    from engine.runtime.calls import call_list
    from engine.runtime.layout import width
    from tests.runtime_support import BUNDLED

    with Journal(str(tmp_path / "j.db")) as journal:
        items = call_list(journal, date(2026, 12, 2), 1, book=duties(str(BUNDLED)).plan).items
    assert len(items) > 10
    wide = as_text(items, date(2026, 12, 2), 1)
    fitted = as_text(items, date(2026, 12, 2), 1, limit=limit)
    assert max(width(line) for line in wide.splitlines()) > 120  # so fitting is needed
    assert all(width(line) <= limit for line in fitted.splitlines()), fitted
    squeeze = "".join(fitted.split())
    for item in items:
        for said in (item.role_title or item.role, item.procedure_title, item.text):
            assert "".join(said.split()) in squeeze, said
    assert as_text(items, date(2026, 12, 2), 1, limit=10_000) == wide


def test_a_company_of_many_sites_is_named_briefly(tmp_path: Path) -> None:
    """An unknown site among hundreds names the closest ten and how many
    there are, not all of them; a numbered site is found by its number."""
    from engine.journal import Journal, NewRun, snapshot_sha

    path = str(tmp_path / "j.db")
    files = {"rulebook.yaml": "title: x\n"}
    with Journal(path) as journal:
        for n in range(1, 31):
            journal.start_run(
                NewRun("visit", "到访", "service", "2026-11-22T10:00:00+08:00",
                       snapshot_sha(files), "0" * 64, files, site=f"{n:04d}号案场"),
                lambda run: [],
            )  # fmt: skip
    code, out = sop_in_process("due", "--journal", path, "--site", "案场1")
    assert code == 2, out
    assert '是不是 "0001号案场"?' in out, out  # not 0011 or 0021
    assert "等, 共 30 个" in out and out.count("号案场") == 11, out  # the hint and ten
    code, out = sop_in_process("due", "--journal", path, "--site", "0031", "--lang", "en")
    assert code == 2 and "and more, 30 in all" in out, out
