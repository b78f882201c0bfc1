"""Standing rules, words never to say and rule tables at run time and on
paper (issue 13 §2, §4): shown where they concern, never asked; a table's
entry found by number or words; a code of conduct printed, never run."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import CASES, Runner

OK = str(CASES / "ok")


def run(sop: Runner, tmp_path: Path, *args: str, input: str = "") -> tuple[int, str]:
    journal = str(tmp_path / "j.sqlite3")
    result = sop(
        "run", *args, "--rulebook", OK, "--journal", journal, "--operator", "李娜", input=input
    )
    return result.returncode, result.stdout + result.stderr


def test_an_entry_is_found_by_words_and_its_rules_shown_never_asked(
    sop: Runner, tmp_path: Path
) -> None:
    code, out = run(sop, tmp_path, "table", input="吸烟\ny\ny\n")
    assert code == 0, out
    assert "客户在样板房吸烟怎么办" in out and "已完成" in out
    # The table's never_say at its first step, the entry's own and its rule at the entry.
    assert "不说「不准」" in out and "不说「这里不能抽烟」" in out and "处理时始终保持礼貌" in out
    assert "处理时始终保持礼貌  完成?" not in out and out.count("完成?") == 2


def test_an_entry_is_found_by_number_or_opened_with_entry(sop: Runner, tmp_path: Path) -> None:
    code, out = run(sop, tmp_path, "table", input="1\ny\ny\n")
    assert code == 0 and "引导客户到室外吸烟区" in out, out
    code, out = run(sop, tmp_path, "table", "--entry", "1", input="y\ny\n")
    assert code == 0 and "序号或文字 ›" not in out, out


def test_words_that_match_several_entries_list_them(sop: Runner, tmp_path: Path) -> None:
    code, out = run(sop, tmp_path, "table", input="客户\n1\ny\ny\n")
    assert code == 0 and "找到 2 条" in out, out


def test_an_unknown_entry_number_is_refused_before_the_run(sop: Runner, tmp_path: Path) -> None:
    code, out = run(sop, tmp_path, "table", "--entry", "9")
    assert code == 2 and "没有序号为 9 的条目" in out and "1、2" in out, out


def test_a_decision_table_picks_the_first_entry_that_holds(sop: Runner, tmp_path: Path) -> None:
    code, out = run(sop, tmp_path, "decision", input="3\ny\n")
    assert code == 0 and "其他参观团" in out and "20人以上" not in out.split("参观团人数")[-1], out


def test_a_code_of_conduct_is_printed_not_run(sop: Runner, tmp_path: Path) -> None:
    code, out = run(sop, tmp_path, "conduct")
    assert code == 2 and "行为规范" in out and "Traceback" not in out, out
    card = sop("render", "checklist", "conduct", "--rulebook", OK)
    assert card.returncode == 0 and "不得让客户坐在样板房的家具上" in card.stdout
    assert "□ 不得" not in card.stdout  # a rule is never a box to tick
    sim = sop("simulate", "conduct", "--rulebook", OK)
    assert sim.returncode == 2 and "行为规范" in sim.stderr


def test_step_bound_rules_are_shown_at_their_steps_whole_ones_at_the_first(
    sop: Runner, tmp_path: Path
) -> None:
    code, out = run(sop, tmp_path, "rules", input="y\n")
    assert code == 0, out
    tour, farewell = out.split("送客", 1)
    assert "不得让客户坐在样板房的家具上" in tour and "提示: 客户要坐时" in tour
    assert "保持标准站姿" in tour and "保持标准站姿" not in farewell


def test_the_manual_prints_a_table_and_the_rules(sop: Runner, tmp_path: Path) -> None:
    out = tmp_path / "m.md"
    result = sop("render", "manual", OK, "--format", "md", "-o", str(out))
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "| 序号 | 情形 | 做法和说法 | 禁用语 |" in text
    assert "| 1 | 客户在样板房吸烟怎么办" in text and "「这里不能抽烟」" in text
    assert "✗ 禁用语: 「我不知道」 → 应当说「请稍等, 我帮您确认一下」" in text


def test_the_graph_has_one_node_per_entry(sop: Runner) -> None:
    result = sop("graph", "decision", "--rulebook", OK)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("begin -->") == 2 and "参观团人数 ≥ 20" in result.stdout
