"""A mistaken answer is corrected by appending a correction (never an
edit): 更正 at any prompt, pick the answer, give the new value; the new
value is used from then on, sop show and reports show it with the first
one still visible, and the journal verifies."""

from __future__ import annotations

from pathlib import Path

from engine.journal import Journal
from tests.runtime_support import FIXTURE, sop_in_process

WALK = [
    "是",  # returning
    "王",  # surname
    "更正",
    "2",  # 客户姓氏 = 王
    "李",
    "y",  # greet
    "否",  # with_children
    "y",
    "y",
    "是",  # sales_present
    "1",  # visit over -> register
    "王先生",  # customer_name
    "13800000000",
    "2",  # party_size
    "更正",
    "7",  # 人数 = 2 (after returning, surname, with_children, sales_present, name, phone)
    "3",
    "是",  # satisfied
    "p",
]


def test_a_correction_is_appended_used_and_shown(tmp_path: Path) -> None:
    journal = str(tmp_path / "j.db")
    code, out = sop_in_process(
        "run", "visit", "--rulebook", str(FIXTURE), "--journal", journal,
        stdin="\n".join(WALK) + "\n",
    )  # fmt: skip
    assert code == 0, out
    assert "已更正 客户姓氏: 王 → 李" in out
    assert "已更正 人数: 2 → 3" in out, out

    with Journal(journal) as j:
        events = j.events(1)
        kinds = [e.kind for e in events]
        firsts = [e.data["value"] for e in events if e.kind == "input.answered"]
        assert "王" in firsts  # the first answer is still there, unedited
        assert kinds.count("answer.corrected") == 2
        assert j.verify().ok

    code, show = sop_in_process("show", "1", "--journal", journal)
    assert "✎ 更正 客户姓氏: 王 → 李" in show and "客户姓氏 = 王" in show
    code, report = sop_in_process("report", "1", "--journal", journal)
    assert "3 (更正, 原为 2)" in report, report

    code, out = sop_in_process("run", "visit", "--rulebook", str(FIXTURE), "--journal", journal,
                               "--lang", "en", stdin="是\n王\ncorrect\n0\np\n")  # fmt: skip
    assert "Correct which answer?" in out and "0) cancel" in out


def test_a_resumed_step_lists_its_answers_as_corrected(tmp_path: Path) -> None:
    journal = str(tmp_path / "j.db")
    at_register = [*WALK[: WALK.index("2", 12) + 1], "更正", "7", "3", "p"]  # paused there
    code, out = sop_in_process(
        "run", "visit", "--rulebook", str(FIXTURE), "--journal", journal,
        stdin="\n".join(at_register) + "\n",
    )  # fmt: skip
    assert code == 0 and "已更正 人数: 2 → 3" in out, out
    code, resumed = sop_in_process("resume", "1", "--journal", journal, stdin="p\n")
    assert "这一步已经回答的:" in resumed and "人数 = 3" in resumed, resumed
    assert "人数 = 2" not in resumed


def test_nothing_to_correct_yet(tmp_path: Path) -> None:
    _, out = sop_in_process(
        "run", "visit", "--rulebook", str(FIXTURE), "--journal", str(tmp_path / "j.db"),
        stdin="更正\np\n",
    )  # fmt: skip
    assert "这次运行还没有可以更正的回答。" in out
