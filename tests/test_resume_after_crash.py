"""After a crash (kill -9) and `sop resume`, staff see what was already done
at the current step — items ticked, answers given — and the timeline marks
where the run was cut off."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from engine.journal import Journal
from tests.conftest import sop_command
from tests.runtime_support import FIXTURE, sop_in_process


def _events(path: Path) -> list[str]:
    if not path.exists():
        return []
    with Journal(str(path)) as journal:
        return [e.kind for e in journal.events(1)] if journal.run(1) else []


def test_resume_shows_what_was_done_and_show_marks_the_cut(tmp_path: Path) -> None:
    journal = tmp_path / "j.db"
    child = subprocess.Popen(
        [*sop_command(), "run", "visit", "--rulebook", str(FIXTURE), "--journal", str(journal)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "LANG": "C.UTF-8"},
    )
    assert child.stdin is not None
    child.stdin.write("是\n王\ny\n否\ny\n")  # ... up to the first item of shoe_covers
    child.stdin.flush()
    deadline = time.monotonic() + 30
    while _events(journal).count("item.checked") < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    child.send_signal(signal.SIGKILL)  # no pause: cut off
    child.wait()
    assert _events(journal)[-1] == "item.checked"

    code, out = sop_in_process("resume", "1", "--journal", str(journal), stdin="p\n")
    assert code == 0, out
    assert "上次没有正常暂停" in out
    assert "这一步已经回答的:\n    客户是否携带儿童? = 否" in out
    assert "[1] ✓ 将客户引领至鞋套箱前" in out  # the tick, in the checklist

    code, out = sop_in_process("show", "1", "--journal", str(journal))
    lines = out.splitlines()
    cut = next(i for i, line in enumerate(lines) if "⚡ 中断" in line)
    assert "▶ 继续" in lines[cut + 1] and "将客户引领至鞋套箱前" in lines[cut - 1]

    code, out = sop_in_process("resume", "1", "--journal", str(journal), stdin="p\n")
    assert "上次没有正常暂停" not in out  # paused properly this time
