"""A journey's forms offer what the run already knows — the customer's name
and phone from the run, the operator as 接待人/回访人, the time now — and
Enter takes it; anything typed instead is taken as typed."""

from __future__ import annotations

from pathlib import Path

from engine.journal import Journal
from tests.runtime_support import BUNDLED, sop_in_process

TO_THE_FORM = ["y", "y"]  # record_question's items


def _run(journal: str, typed: list[str]) -> str:
    code, out = sop_in_process(
        "run", "property-question-callback", "--rulebook", str(BUNDLED), "--journal", journal,
        "--set", "customer=王先生", "--set", "phone=13800000000", "--operator", "李娜",
        stdin="\n".join([*TO_THE_FORM, *typed, "p"]) + "\n",
    )  # fmt: skip
    assert code == 0, out
    return out


def _recorded(journal: str) -> dict[str, str]:
    with Journal(journal) as j:
        return {e.data["field"]: e.data["value"] for e in j.events(1) if e.kind == "field.recorded"}


def test_enter_takes_what_the_run_knows(tmp_path: Path) -> None:
    journal = str(tmp_path / "j.db")
    out = _run(journal, ["", "", "", "物业费怎么算", ""])
    assert "客户姓名 [回车 = 王先生] ›" in out
    assert "客户联系方式 [回车 = 13800000000] ›" in out
    assert "接待人 [回车 = 李娜] ›" in out
    got = _recorded(journal)
    assert (got["customer_name"], got["phone"], got["received_by"]) == (
        "王先生",
        "13800000000",
        "李娜",
    )
    assert got["asked_at"][:4].isdigit()


def test_what_is_typed_wins(tmp_path: Path) -> None:
    journal = str(tmp_path / "j.db")
    _run(journal, ["", "王建国", "13912345678", "物业费怎么算", "张三"])
    got = _recorded(journal)
    assert (got["customer_name"], got["phone"], got["received_by"]) == (
        "王建国",
        "13912345678",
        "张三",
    )
