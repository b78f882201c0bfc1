"""`sop runs` as a table: a header row, columns that line up whatever the
characters' widths, long titles cut with "…" and never into the next
column, within the terminal's width (40, 60, 120 columns)."""

from __future__ import annotations

import pytest

from engine.runtime.layout import table, width
from tests.runtime_support import BUNDLED, FIXTURE, sop_in_process


@pytest.fixture(scope="module")
def journal(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("runs") / "j.db")
    sop_in_process("run", "visit", "--rulebook", str(FIXTURE), "--journal", path, stdin="是\n")
    sop_in_process(
        "run", "property-question-callback", "--rulebook", str(BUNDLED), "--journal", path,
        "--set", "customer=欧阳先生", "--set", "phone=13800000000", "--operator", "李娜",
        stdin="1\n",
    )  # fmt: skip
    return path


@pytest.mark.parametrize("columns", [40, 60, 120])
def test_runs_fit_and_line_up(journal: str, columns: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    code, out = sop_in_process("runs", "--journal", journal)
    assert code == 0, out
    lines = out.rstrip("\n").split("\n")
    assert lines[0].split()[:3] == ["编号", "状态", "流程"]
    assert all(width(line) <= columns for line in lines), out
    # Every row's status starts under the header's.
    head = lines[0]
    at = width(head[: head.index("状态")])
    for line in lines[1:]:
        assert width(line[: line.index("已暂停")]) == at, out
    if columns >= 120:
        assert "客户物业疑问 24 小时内致电回复" in out and "欧阳先生" in out
    else:
        assert "…" in out


def test_english_header(journal: str) -> None:
    code, out = sop_in_process("runs", "--journal", journal, "--lang", "en")
    assert code == 0
    assert out.split("\n")[0].split()[:3] == ["run", "status", "procedure"]
    assert "paused" in out


def test_a_cell_is_cut_not_run_into_the_next() -> None:
    rows = [["#1", "样板房服务流程" * 5, "迎宾服务"], ["#22", "短", "礼貌送客"]]
    lines = table(["编号", "流程", "步骤"], rows, flexible=(1, 2), limit=40)
    assert all(width(line) <= 40 for line in lines)
    starts = {
        width(line[: line.index(word)])
        for line, word in zip(lines[1:], ["迎宾", "礼貌"], strict=True)
    }
    assert len(starts) == 1 and "…" in lines[1]
