"""Real signals against a real `sop run` in a pseudo-terminal: Ctrl-C, a
closed terminal (SIGHUP) and a kill (SIGTERM) pause the run, journal it and
exit at once, wherever they land — at a prompt, while the prompt is being
written, during start-up, just after the run is created."""

from __future__ import annotations

import os
import random
import re
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from engine.journal import Journal
from tests.conftest import sop_command
from tests.runtime_support import FIXTURE

pexpect = pytest.importorskip("pexpect")


def _spawn(tmp: Path, *args: str, journal: str = "j.db") -> Any:
    cmd = sop_command()
    env = {
        **os.environ,
        "LANG": "C.UTF-8",
        "SOP_CACHE_DIR": str(tmp / "cache"),
        "SOP_JOURNAL": str(tmp / "not-this.db"),
        "TERM": "xterm",
    }
    return pexpect.spawn(
        cmd[0],
        [*cmd[1:], *args, "--journal", str(tmp / journal), "--no-color"],
        env=env,
        encoding="utf-8",
        timeout=20,
        dimensions=(24, 80),
    )


def _visit(tmp: Path, journal: str = "j.db") -> Any:
    return _spawn(tmp, "run", "visit", "--rulebook", str(FIXTURE), journal=journal)


def _ended(child: Any, within: float) -> float:
    """Seconds until the child exited; fails if it takes longer than `within`."""
    start = time.monotonic()
    child.expect(pexpect.EOF, timeout=within)
    child.close()
    return time.monotonic() - start


def _runs(path: Path) -> list[Any]:
    if not path.exists():
        return []
    with Journal(str(path)) as journal:
        return journal.runs()


def _pauses(path: Path, run: int) -> list[str]:
    with Journal(str(path)) as journal:
        return [e.data["how"] for e in journal.events(run) if e.kind == "run.paused"]


@pytest.mark.parametrize(
    ("sig", "how", "status"),
    [(signal.SIGTERM, "terminated", 143), (signal.SIGHUP, "hangup", 129)],
)
def test_a_signal_at_a_prompt_pauses_the_run(
    tmp_path: Path, sig: signal.Signals, how: str, status: int
) -> None:
    t = _visit(tmp_path)
    t.expect("客户是否二次以上来访")
    t.kill(sig)
    t.expect("已暂停运行 #1")
    _ended(t, 5)
    assert t.exitstatus == status
    assert _pauses(tmp_path / "j.db", 1) == [how]
    assert "Traceback" not in (t.before or "")


def test_a_signal_while_the_prompt_is_written_acts_at_once(tmp_path: Path) -> None:
    """The signal lands anywhere between an answer and the next prompt's
    wait for a key (where it used to wait for that key); each must end the
    run within a few seconds, paused and journaled."""
    rng = random.Random(11)
    for trial in range(8):
        journal = f"j{trial}.db"
        t = _visit(tmp_path, journal)
        t.expect("客户是否二次以上来访")
        t.sendline("是")
        time.sleep(rng.uniform(0, 0.03))
        t.kill(signal.SIGTERM)
        took = _ended(t, 5)
        assert took < 3, (trial, took)
        assert t.exitstatus == 143, (trial, t.before)
        runs = _runs(tmp_path / journal)
        assert [r.status for r in runs] == ["paused"], trial
        assert _pauses(tmp_path / journal, 1) == ["terminated"]


def test_ctrl_c_during_start_up_is_quiet_and_leaves_no_run_in_progress(tmp_path: Path) -> None:
    """Ctrl-C at any moment of start-up: no traceback; no run is left 进行中 —
    a run that was created by then is paused, with its reason. (The first
    few milliseconds are Python's own start-up, before any of sop's code
    runs: a Ctrl-C there gets Python's traceback, with no frame of ours.)"""
    rng = random.Random(7)
    for trial in range(8):
        journal = f"s{trial}.db"
        t = _visit(tmp_path, journal)
        time.sleep(rng.uniform(0, 1.2))
        t.kill(signal.SIGINT)
        _ended(t, 10)
        out = t.before or ""
        if "Traceback" in out:
            assert not re.search(r'File "[^"]*/engine/', out), out
            continue
        assert t.exitstatus == 130, (trial, out)
        for run in _runs(tmp_path / journal):
            assert run.status == "paused", (trial, run)
            assert _pauses(tmp_path / journal, run.id) == ["interrupt"]


def test_two_signals_pause_once(tmp_path: Path) -> None:
    """A closed terminal sends SIGHUP and often SIGTERM after it: one pause."""
    t = _visit(tmp_path)
    t.expect("客户是否二次以上来访")
    t.kill(signal.SIGHUP)
    t.kill(signal.SIGTERM)
    _ended(t, 5)
    assert _pauses(tmp_path / "j.db", 1) == ["hangup"]
    with Journal(str(tmp_path / "j.db")) as journal:
        assert journal.verify().ok


_ANSWERS = ("input.answered", "item.checked", "field.recorded", "choice.made")


def _question(child: Any) -> str:
    """Wait for the next prompt; the question it asks (its line before ' › ')."""
    child.expect(" › ")
    return str(child.before).rsplit("\n", 1)[-1].strip()


def _reply(question: str) -> str:
    """An answer a person at the post would give to that question."""
    if "[是/否]" in question:
        return "是"
    if "完成?" in question:
        return "y"
    if "选择 [" in question:
        return "2"  # 续杯: the visit goes round, there is always a next prompt
    return "王"


def _answered(path: Path) -> int:
    with Journal(str(path)) as journal:
        return sum(e.kind in _ANSWERS for e in journal.events(1))


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        for child in (task / "children").read_text().split():
            found += [int(child), *_descendants(int(child))]
    return found


def _gone(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def _hang_up(child: Any) -> None:
    """Close the terminal (as a closed tmux window or a lost ssh session
    does) and wait until the process and any it started have ended."""
    family = _descendants(child.pid)
    child.ptyproc.fileobj.close()  # the terminal's side goes away: a hangup
    os.waitpid(child.pid, 0)
    child.ptyproc.terminated = True  # reaped here; pexpect must not wait for it
    deadline = time.monotonic() + 10
    while not all(_gone(pid) for pid in family):
        assert time.monotonic() < deadline, "still running after the terminal closed"
        time.sleep(0.02)


def _terminal(tmp: Path, journal: Path, args: tuple[str, ...], shell: bool) -> Any:
    """`sop` in a terminal of its own, or (`shell`) as the job of a shell
    that holds the terminal, as in a tmux window."""
    if not shell:
        return _spawn(tmp, *args, journal=journal.name)
    cmd = " ".join([*sop_command(), *args, "--journal", str(journal), "--no-color"])
    return pexpect.spawn(
        "bash",
        ["--norc", "--noprofile", "-c", f"{cmd}; true"],
        env={**os.environ, "LANG": "C.UTF-8", "TERM": "xterm", "SOP_CACHE_DIR": str(tmp / "cache")},
        encoding="utf-8",
        timeout=20,
    )


def test_closing_the_terminal_at_a_prompt_pauses_the_run_every_time(tmp_path: Path) -> None:
    """The terminal is closed while `sop run` / `sop resume` waits at a
    prompt, twenty times over one run. Its read then ends before any SIGHUP
    arrives — at once when sop owns the terminal, or a moment later, or
    never, when a shell holds it and passes the signal on (tmux, ssh) —
    which used to leave the run 进行中 with only "已中断" on stderr. Each
    time the run is paused for the hangup, every answer whose next prompt
    was shown is kept, and resume asks again the question left open."""
    journal = tmp_path / "j.db"
    left_open = ""
    for trial in range(20):
        args = ("run", "visit", "--rulebook", str(FIXTURE)) if trial == 0 else ("resume", "1")
        t = _terminal(tmp_path, journal, args, shell=trial % 2 == 1)
        asked = _question(t)
        if trial:
            assert asked == left_open, trial  # resume asks what was left open
        t.sendline(_reply(asked))
        left_open = _question(t)  # the answer is acknowledged: the next prompt is shown
        _hang_up(t)
        assert [r.status for r in _runs(journal)] == ["paused"], (trial, t.before)
        assert _pauses(journal, 1)[-1] == "hangup", trial
        assert len(_pauses(journal, 1)) == trial + 1, trial
        assert _answered(journal) >= trial + 1, trial
    with Journal(str(journal)) as j:
        assert j.verify().ok


def test_closing_the_terminal_while_the_prompt_is_written_pauses_the_run(tmp_path: Path) -> None:
    """The terminal closes anywhere between an answer and the next prompt's
    wait for a key — writing to it then fails (EIO) — and the run is paused
    for the hangup all the same, its journal whole."""
    rng = random.Random(12)
    for trial in range(8):
        journal = tmp_path / f"w{trial}.db"
        t = _terminal(
            tmp_path, journal, ("run", "visit", "--rulebook", str(FIXTURE)), trial % 2 == 1
        )
        t.expect("客户是否二次以上来访")
        t.sendline("是")
        time.sleep(rng.uniform(0, 0.03))
        _hang_up(t)
        assert [r.status for r in _runs(journal)] == ["paused"], trial
        assert _pauses(journal, 1) == ["hangup"], trial
        with Journal(str(journal)) as j:
            assert j.verify().ok
