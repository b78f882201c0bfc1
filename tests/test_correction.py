"""A mistaken answer is corrected by appending a correction (never an
edit): 更正 at any prompt, pick the answer, give the new value; the new
value is used from then on, sop show and reports show it with the first
one still visible, and the journal verifies."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from engine.journal import Journal
from tests.conftest import sop_command
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


# -- a tick of the current step --------------------------------------------------------------
TO_SHOE_COVERS = ["是", "王", "y", "否"]  # returning, surname, greet's item, with_children


def _flat(text: str) -> str:
    """Text without its layout (lines are wrapped to the width, CJK anywhere)."""
    return "".join(text.split())


def _spawn(tmp: Path, *args: str, columns: int = 60) -> Any:
    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "LANG": "C.UTF-8", "SOP_CACHE_DIR": str(tmp / "cache"), "TERM": "xterm"}
    env["SOP_JOURNAL"] = str(tmp / "j.db")
    cmd = sop_command()
    return pexpect.spawn(
        cmd[0], [*cmd[1:], *args, "--no-color"], env=env, encoding="utf-8", timeout=20,
        dimensions=(40, columns),
    )  # fmt: skip


def test_a_tick_given_by_mistake_is_corrected_at_the_terminal(tmp_path: Path) -> None:
    """As staff would: 未完成 by mistake, 更正 at the next item, the item asked
    again, 完成; the record shows the first tick and the correction."""
    pexpect = pytest.importorskip("pexpect")
    t = _spawn(tmp_path, "run", "visit", "--rulebook", str(FIXTURE), "--operator", "李娜")
    for answer in TO_SHOE_COVERS:
        t.expect("›")
        t.sendline(answer)
    t.expect(r"\[1\] 将客户引领至鞋套箱前的座…  完成\? \[Y/n/跳过\] ›")
    t.sendline("n")
    t.expect("未完成的原因 ›")
    t.sendline("")
    t.expect(r"\[2\] 确认地面无水渍  完成\?")
    t.sendline("更正")
    t.expect(r"选择 \[1-4, 0 取消\] ›")
    listed = t.before or ""
    assert "4) 将客户引领至鞋套箱前的座椅,递上干净的鞋套 = 未完成" in listed, listed
    assert "站在样板房主入口处迎接客户" not in listed  # the step before is not offered
    t.sendline("4")
    t.expect(r"\[1\] 将客户引领至鞋套箱前的座…  完成\? \[Y/n/跳过\] ›")
    t.sendline("y")
    t.expect(r"\[2\] 确认地面无水渍  完成\?")  # then the step goes on where it was
    said = t.before or ""
    assert _flat("已更正 将客户引领至鞋套箱前的座椅,递上干净的鞋套: 未完成 → 完成") in _flat(
        said
    ), said
    t.sendline("y")
    t.expect("销售人员是否在场")
    t.sendline("p")
    t.expect(pexpect.EOF)

    journal = str(tmp_path / "j.db")
    with Journal(journal) as j:
        events = j.events(1)
        ticks = [e.data["status"] for e in events if e.kind == "item.checked"]
        fixes = [e.data for e in events if e.kind == "answer.corrected"]
        assert ticks == ["done", "not_done", "done"]  # the first tick stays as given
        assert [(f["kind"], f["before"], f["value"], f["index"]) for f in fixes] == [
            ("item", "not_done", "done", 0)
        ]
        assert j.verify().ok
    _, show = sop_in_process("show", "1", "--journal", journal)
    assert _flat("✗ 将客户引领至鞋套箱前的座椅,递上干净的鞋套 — 未完成 (更正为 已完成)") in _flat(
        show
    )
    assert _flat("✎ 更正 将客户引领至鞋套箱前的座椅,递上干净的鞋套: 未完成 → 已完成") in _flat(show)
    _, report = sop_in_process("report", "1", "--journal", journal, "--lang", "en")
    assert _flat("将客户引领至鞋套箱前的座椅,递上干净的鞋套 (corrected, was not done)") in _flat(
        report
    ), report


def test_a_critical_tick_corrected_to_not_done_needs_its_reason(tmp_path: Path) -> None:
    journal = str(tmp_path / "j.db")
    walk = [*TO_SHOE_COVERS, "y", "y", "correct", "5", "n", "", "地面有水", "是", "p"]
    code, out = sop_in_process(
        "run", "visit", "--rulebook", str(FIXTURE), "--journal", journal, "--lang", "en",
        stdin="\n".join(walk) + "\n",
    )  # fmt: skip
    assert code == 0, out
    assert "5) 确认地面无水渍 = done" in out, out
    assert "a critical item was not done: give the reason" in out
    assert _flat("corrected 确认地面无水渍: done → not done (reason: 地面有水)") in _flat(out)
    _, show = sop_in_process("show", "1", "--journal", journal, "--format", "json")
    deviations = json.loads(show)["deviations"]
    assert [(d["text"], d["status"], d["reason"], d["corrected_from"]) for d in deviations] == [
        ("确认地面无水渍", "not_done", "地面有水", "done")
    ]
    _, report = sop_in_process("report", "1", "--journal", journal)
    assert _flat("确认地面无水渍 — 未完成: 地面有水 (更正, 原为 已完成)") in _flat(report), report


def test_a_tick_corrected_elsewhere_is_refused_on_replay(tmp_path: Path) -> None:
    """The fold takes an item's correction only at its step, from the tick it
    had: anything else is not as sop writes (verify and resume say so)."""
    from engine.runtime.events import AnswerCorrected
    from engine.runtime.pinning import restore
    from engine.runtime.state import replay

    journal = str(tmp_path / "j.db")
    sop_in_process(
        "run", "visit", "--rulebook", str(FIXTURE), "--journal", journal,
        stdin="\n".join([*TO_SHOE_COVERS, "n", "", "p"]) + "\n",
    )  # fmt: skip
    with Journal(journal) as j:
        events = j.events(1)
        run = j.run(1)
        assert run is not None
        pinned = restore(j.snapshot(run.rulebook_sha), run.rulebook_sha)
    st = replay(1, pinned.rulebook, events)
    tick = next(e for e in events if e.kind == "item.checked" and e.data["status"] == "not_done")
    fix = dict(of=tick.seq, answer="item", name="x", label="x", form=None, form_title=None,
               procedure="visit", depth=0, step="shoe_covers", index=0)  # fmt: skip
    right = AnswerCorrected(**fix, value="done", before="not_done")
    for wrong in (
        AnswerCorrected(**{**fix, "step": "greet"}, value="done", before="not_done"),
        AnswerCorrected(**fix, value="done", before="done"),  # not the tick it had
        AnswerCorrected(**fix, value="skipped", before="not_done"),  # skipped without a reason
        AnswerCorrected(**fix, value="finished", before="not_done"),
    ):
        with pytest.raises(ValueError):
            st.copy().apply(wrong, "t")
    st.apply(right, "t")
    assert st.top.items[0] == ("done", None)
