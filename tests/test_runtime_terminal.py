"""The interactive walk-through driven as a person would, in a pseudo-terminal:
bad answers, help, an emergency from a prompt, Ctrl-C, resume, Ctrl-D."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest

from engine.journal import Journal
from tests.conftest import sop_command
from tests.runtime_support import BUNDLED, FIXTURE

pexpect = pytest.importorskip("pexpect")  # Unix pseudo-terminals (in the test extras)


def _spawn(tmp: Path, *args: str, color: bool = False, columns: int = 80) -> Any:
    cmd = sop_command()
    env = {
        **os.environ,
        "LANG": "C.UTF-8",
        "SOP_CACHE_DIR": str(tmp / "cache"),
        "SOP_JOURNAL": str(tmp / "not-this.db"),
        "TERM": "xterm",
    }
    args = (*args, "--journal", str(tmp / "j.db"), *(() if color else ("--no-color",)))
    child = pexpect.spawn(
        cmd[0],
        [*cmd[1:], *args],
        env=env,
        encoding="utf-8",
        timeout=20,
        dimensions=(24, columns),
    )
    return child


def test_a_person_at_the_terminal(tmp_path: Path) -> None:
    t = _spawn(tmp_path, "run", "visit", "--rulebook", str(FIXTURE), "--operator", "李四")
    t.expect("开始运行 #1")
    t.expect("客户是否二次以上来访")
    t.sendline("也许")
    t.expect("请回答 是 或 否")
    t.sendline("是")
    t.expect("客户姓氏")
    t.sendline("王")
    t.expect("您好,王先生,欢迎再次光临")
    t.expect("完成")
    t.sendline("?")
    t.expect("在任何提问处都可以输入")
    t.expect("完成")
    t.sendline("")  # Enter: done
    t.expect("客户是否携带儿童")
    t.sendline("!")
    t.expect("应急流程 \\(按优先级\\)")
    t.expect("火情处理")
    t.expect("意外停电")
    t.sendline("9")
    t.expect("请输入 1 到 2 之间的编号")
    t.sendline("2")
    t.expect("启动应急流程: 意外停电")
    t.expect("打开应急照明")
    t.expect("完成")
    t.sendline("y")
    t.expect("应急流程 意外停电 已结束 \\(启用应急照明\\)。继续 样板房服务流程")
    t.expect("客户是否携带儿童")  # the interrupted question, asked again
    t.sendintr()  # Ctrl-C
    t.expect("已暂停运行 #1")
    t.expect(pexpect.EOF)
    t.close()
    assert t.exitstatus == 130
    assert "Traceback" not in (t.before or "")

    t = _spawn(tmp_path, "resume", "1")
    t.expect("继续运行 #1: 样板房服务流程, 当前步骤: 指引客户就座穿鞋套")
    t.expect("客户是否携带儿童")
    t.sendline("否")
    # Items in the order written: the critical one, written last, stays last.
    t.expect(r"\[1\] 将客户引领至鞋套箱前")
    t.expect("完成")
    t.sendline("s")
    t.expect("跳过的原因")
    t.sendline("鞋套用完")
    t.expect(r"\[2\] 确认地面无水渍")
    t.expect("完成")
    t.sendline("n")
    t.expect("未完成的原因")
    t.sendline("")
    t.expect("关键项未完成, 必须写明原因")
    t.sendline("拖把不在")
    t.expect("销售人员是否在场")
    t.sendline("n 主管稍后到")
    t.expect("备注已记录")
    t.expect("销售人员是否在场")
    t.sendline("p")
    t.expect("已暂停运行 #1")
    t.expect(pexpect.EOF)
    t.close()
    assert t.exitstatus == 0

    t = _spawn(tmp_path, "resume", "1")
    t.expect("销售人员是否在场")
    t.sendeof()  # Ctrl-D
    t.expect("已暂停运行 #1")
    t.expect(pexpect.EOF)
    t.close()
    assert t.exitstatus == 0

    with Journal(str(tmp_path / "j.db")) as journal:
        visit, power = journal.run(1), journal.run(2)
        assert visit is not None and power is not None
        assert visit.status == "paused" and visit.operator == "李四"
        assert power.parent == 1 and power.status == "finished"
        events = journal.events(1)
        checked = [(e.data["status"], e.data["reason"]) for e in events if e.kind == "item.checked"]
        assert checked == [("done", None), ("skipped", "鞋套用完"), ("not_done", "拖把不在")]
        assert [e.data["how"] for e in events if e.kind == "run.paused"] == [
            "interrupt",
            "asked",
            "eof",
        ]
        assert journal.verify().ok


def test_colour_only_on_a_terminal(tmp_path: Path) -> None:
    t = _spawn(tmp_path, "run", "visit", "--rulebook", str(FIXTURE), color=True)
    t.expect("客户是否二次以上来访")
    assert "\x1b[" in (t.before or "")
    t.sendintr()
    t.expect(pexpect.EOF)


@pytest.mark.parametrize("columns", [40, 60, 120])
def test_output_fits_the_terminal_width(tmp_path: Path, columns: int) -> None:
    """The bundled show-flat walked in a terminal of 40, 60 and 120 columns:
    every line fits, the separator spans the width, and a role or a step's
    title is never broken in the middle."""
    t = _spawn(
        tmp_path, "run", "show-flat", "--rulebook", str(BUNDLED), "--operator", "李娜",
        "--set", "project=翠湖天地", columns=columns,
    )  # fmt: skip
    seen = io.StringIO()
    t.logfile_read = seen
    t.expect("样板房是否有私家花园")
    t.sendline("否")
    for _ in range(3):
        t.expect("完成")
        t.sendline("y")
    t.expect("定做的布鞋套是否不够用")
    t.sendline("!")
    t.expect("0 取消")
    t.sendline("0")
    t.expect("定做的布鞋套是否不够用")
    t.sendintr()
    t.expect(pexpect.EOF)
    from engine.runtime.layout import width

    lines = seen.getvalue().replace("\r", "").split("\n")
    assert len(lines) > 10 and any("─" * columns == line for line in lines)
    assert all(width(line) <= columns for line in lines), max(lines, key=width)
    text = "\n".join(lines)
    for name in ("样板房客服人员", "指引客户就座穿鞋套", "样板房服务流程"):
        assert name in text, (name, text)  # whole, on one line
    assert "\n。" not in text and "\n，" not in text  # no line starts with closing punctuation
