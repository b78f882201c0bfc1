"""Power failure in the middle of a walk-through: `sop run` killed with SIGKILL.

After each kill, every answer the screen acknowledged (the next prompt had
appeared) is in the journal, the store's own checks (SQLite's integrity
check; PostgreSQL's guards) and the hash chain pass, and `sop resume`
continues at exactly the next question: resumed with
the answers not yet journaled, the run ends with the same answers, in the
same order, as a run never interrupted. On both stores: an SQLite file, and
a PostgreSQL database (where the killed client's transaction is rolled back
by the server).
"""

from __future__ import annotations

import os
import random
import selectors
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from engine.cli.inprocess import invoke
from engine.journal import Journal
from tests.conftest import sop_command
from tests.runtime_support import FIXTURE

# One line per answer; each is exactly one journal event (no follow-up questions).
ANSWERS = [
    "是",  # returning
    "王",  # surname
    "y",  # greet: item
    "n 客户提前到了",  # a note
    "否",  # with_children
    "y",
    "y",  # shoe covers: two items
    "否",  # sales_present -> explain, then during_visit
    "2",  # refill
    "y",
    "1",  # visit over -> register
    "王先生",
    "13800000000",
    "2",
    "是",
    "y",  # shuttle: board
]
ANSWER_KINDS = ("input.answered", "item.checked", "field.recorded", "choice.made", "note.added")
PROMPT = "› ".encode()


def _env(tmp: Path) -> dict[str, str]:
    return {
        **os.environ,
        "LANG": "C.UTF-8",
        "SOP_CACHE_DIR": str(tmp / "cache"),
        "SOP_JOURNAL": str(tmp / "not-this.db"),
    }


def _answers(journal: str) -> list[tuple[str, Any]]:
    with Journal(journal, write=False) as j:
        events = j.events(1)
    out: list[tuple[str, Any]] = []
    for e in events:
        if e.kind in ANSWER_KINDS:
            d = e.data
            value = d.get("value", d.get("status", d.get("label", d.get("text"))))
            out.append((e.kind, value))
    return out


class _Session:
    def __init__(self, args: list[str], tmp: Path) -> None:
        self.proc = subprocess.Popen(
            args,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_env(tmp),
            bufsize=0,
        )
        assert self.proc.stdout is not None
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.proc.stdout, selectors.EVENT_READ)
        self.out = b""

    def wait_prompt(self, timeout: float = 20) -> bool:
        """Until a prompt waits for an answer (True) or the process ends (False)."""
        deadline = time.monotonic() + timeout
        assert self.proc.stdout is not None
        while time.monotonic() < deadline:
            if self.out.endswith(PROMPT):
                return True
            if self.sel.select(timeout=0.5):
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    return False
                self.out += chunk
        raise AssertionError("no prompt within the timeout:\n" + self.out.decode()[-800:])

    def answer(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.out = b""
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)


def _reference(tmp: Path) -> list[tuple[str, Any]]:
    journal = tmp / "reference.db"
    result = subprocess.run(
        [*sop_command(), "run", "visit", "--rulebook", str(FIXTURE), "--journal", str(journal)],
        input="\n".join(ANSWERS) + "\n",
        capture_output=True,
        text=True,
        env=_env(tmp),
        timeout=60,
    )
    assert "已完成 (礼貌送客)" in result.stdout, result.stdout + result.stderr
    return _answers(str(journal))


def _trial(tmp: Path, seed: int, reference: list[tuple[str, Any]], journal: str) -> None:
    rng = random.Random(seed)
    session = _Session(
        [*sop_command(), "run", "visit", "--rulebook", str(FIXTURE), "--journal", journal], tmp
    )
    kill_at = rng.randrange(len(ANSWERS))
    racing = rng.random() < 0.5  # kill while the answer may be being committed
    acknowledged = 0
    assert session.wait_prompt()
    for i, line in enumerate(ANSWERS):
        if i == kill_at and not racing:
            break
        session.answer(line)
        if i == kill_at:
            time.sleep(rng.random() * 0.004)
            break
        assert session.wait_prompt(), session.out.decode()
        acknowledged += 1
    session.kill()

    journaled = _answers(journal)
    where = f"seed {seed}, killed at answer {kill_at} ({'racing' if racing else 'at a prompt'})"
    assert journaled[:acknowledged] == reference[:acknowledged], where
    assert len(journaled) in (acknowledged, acknowledged + 1), where
    assert journaled == reference[: len(journaled)], where
    with Journal(journal, write=False) as j:
        assert j.file_problems() == [], where
    # After the kill, verify and resume run in this process (a process each
    # cost most of a trial); only the walk that is killed needs its own.
    env: dict[str, str | None] = {
        "LANG": "C.UTF-8",
        "SOP_CACHE_DIR": str(tmp / "cache"),
        "SOP_JOURNAL": str(tmp / "not-this.db"),
        "SOP_LANG": None,
    }
    verify = invoke(["journal", "verify", "--journal", journal], env=env)
    assert verify.code == 0, where + verify.out + verify.err

    with Journal(journal, write=False) as j:
        row = j.run(1)
    assert row is not None
    if row.status == "finished":  # the last answer won the race: nothing left to resume
        assert journaled == reference, where
        return
    rest = ANSWERS[len(journaled) :]
    resumed = invoke(["resume", "1", "--journal", journal], stdin="\n".join(rest) + "\n", env=env)
    assert "已完成 (礼貌送客)" in resumed.out, where + resumed.out[-1500:] + resumed.err
    assert _answers(journal) == reference, where


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, Any]]:
    return _reference(tmp_path_factory.mktemp("reference"))


@pytest.mark.parametrize("seed", range(5))
def test_sigkill_loses_no_acknowledged_answer(
    tmp_path: Path, seed: int, reference: list[tuple[str, Any]], store: str
) -> None:
    assert len(reference) == len(ANSWERS)
    _trial(tmp_path, seed, reference, store)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(100, 125))
def test_sigkill_many_trials(
    tmp_path: Path, seed: int, reference: list[tuple[str, Any]], store: str
) -> None:
    _trial(tmp_path, seed, reference, store)
