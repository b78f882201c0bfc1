"""Benchmark: what journaling one answer costs above a bare commit, on both
stores (a script that prints figures, not a test).

    python tests/bench/bench_answer.py [--steps 200] [--store sqlite|postgres|both] [--dir DIR]

A run walks a linear procedure (each step: a say line with an input filled
in, one checklist answer, a guarded next) through the terminal driver, its
answers typed on a pipe and everything it shows laid out at 80 columns as on
a terminal: the answer is staged and written together with the move to the
next step, one commit per step. Just before each journaled commit
(`Recorder.commit`: the state preview, the events with their hash chain, the
run's summary and deadline index) a bare commit is made on the same store —
one small row inserted and committed, nothing else — so both meet the same
disk, cache and machine load. Figures, medians over the steps:

- "bare": the bare commit;
- "commit over": the journaled commit minus the bare one;
- "answer over": the whole answer — from the answer typed to the next prompt
  on the screen (its commit, the runner, the next step's header, script and
  checklist laid out) — minus the bare commit. Goal: at most 1 ms on SQLite;
- "cpu over": the same, in processor time of this process (other load on the
  machine changes it little).

- SQLite: WAL, synchronous=FULL, BEGIN IMMEDIATE … COMMIT, on the temporary
  folder's disk (`--dir` for another; `--dir /dev/shm` leaves the disk out).
- PostgreSQL: a throwaway cluster from the machine's binaries with its
  durable defaults (fsync, synchronous_commit on), over TCP on 127.0.0.1; the
  bare commit is one INSERT in its own transaction. Across a network, each
  round trip adds its latency: the journal's write takes two.
"""

from __future__ import annotations

import argparse
import io
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "bench"))

from bench_run import write_rulebook  # noqa: E402

from engine.journal import Journal  # noqa: E402
from engine.runtime.dues import Reminder  # noqa: E402
from engine.runtime.pinning import pin  # noqa: E402
from engine.runtime.prompts import Question, Reply  # noqa: E402
from engine.runtime.recorder import Recorder  # noqa: E402
from engine.runtime.runner import Runner  # noqa: E402
from engine.runtime.terminal import Printer, TerminalDriver  # noqa: E402
from tests import pg  # noqa: E402


def sqlite_bare(folder: Path) -> Callable[[], None]:
    db = sqlite3.connect(folder / "bare.db", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE IF NOT EXISTS t (seq INTEGER PRIMARY KEY, run INTEGER, data TEXT)")

    def commit() -> None:
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO t(run, data) VALUES (?, ?)", (1, '{"i":1}'))
        db.execute("COMMIT")

    return commit


def pg_bare(url: str) -> Callable[[], None]:
    import psycopg

    db = psycopg.connect(url, autocommit=True)
    db.execute("CREATE TABLE IF NOT EXISTS bare (seq BIGSERIAL PRIMARY KEY, run INT, data TEXT)")

    def commit() -> None:
        db.execute("INSERT INTO bare(run, data) VALUES (%s, %s)", (1, '{"i":1}'))

    return commit


class Timed(TerminalDriver):
    """The terminal driver, timing each answer to the next prompt."""

    def __init__(self, answers: str, bare: list[tuple[float, float]]) -> None:
        super().__init__(Printer(io.StringIO(), columns=80), io.StringIO(answers), tty=False)
        self.bare = bare  # (seconds, cpu) of the bare commits made so far
        # seconds, cpu, and the bare commits made in between
        self.gaps: list[tuple[float, float, list[tuple[float, float]]]] = []
        self._answered: tuple[float, float, int] | None = None

    def ask(self, question: Question, reminders: Sequence[Reminder], now: datetime) -> Reply:
        if self._answered is not None:
            t, c, n = self._answered
            seconds, cpu = time.perf_counter() - t, time.process_time() - c
            self.gaps.append((seconds, cpu, self.bare[n:]))
        reply = super().ask(question, reminders, now)
        self._answered = (time.perf_counter(), time.process_time(), len(self.bare))
        return reply


def measure(target: str, bare: Callable[[], None], folder: Path, steps: int) -> dict[str, Any]:
    book = folder / f"book{steps}"
    if not book.exists():
        write_rulebook(book, steps)
    pinned = pin(str(book))
    bares: list[tuple[float, float]] = []
    commits: list[tuple[float, float]] = []
    original = Recorder.commit

    def paired(self: Recorder, *args: Any, **kw: Any) -> None:
        c0, t0 = time.process_time(), time.perf_counter()
        bare()
        c1, t1 = time.process_time(), time.perf_counter()
        original(self, *args, **kw)
        c2, t2 = time.process_time(), time.perf_counter()
        bares.append((t1 - t0, c1 - c0))
        commits.append((t2 - t1, c2 - c1))

    driver = Timed("\ny\n" * steps, bares)
    Recorder.commit = paired  # type: ignore[method-assign]
    try:
        with Journal(target) as journal:
            outcome = Runner(journal, driver, operator="bench").start(pinned, f"line{steps}", {})
            assert outcome.status == "finished", outcome
    finally:
        Recorder.commit = original  # type: ignore[method-assign]
    # The answers that wrote (one bare commit made in between), past the
    # first few that warm caches up: the bare commit made in between is
    # taken out of the time, and the answer compared with another like it.
    over, cpu_over = [], []
    for seconds, cpu, made in driver.gaps[5:]:
        if len(made) == 1:
            (b_s, b_c) = made[0]
            over.append(seconds - 2 * b_s)
            cpu_over.append(cpu - 2 * b_c)
    pairs = list(zip(bares, commits, strict=True))[5:]
    return {
        "commits": len(pairs),
        "bare ms": statistics.median(b for (b, _), _ in pairs) * 1000,
        "commit over ms": statistics.median(j - b for (b, _), (j, _) in pairs) * 1000,
        "answer over ms": statistics.median(over) * 1000,
        "p90": sorted(over)[int(len(over) * 0.9)] * 1000,
        "cpu over ms": statistics.median(cpu_over) * 1000,
    }


def show(name: str, figures: dict[str, Any]) -> None:
    cells = "  ".join(
        f"{k} {v:7.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in figures.items()
    )
    print(f"{name:<24} {cells}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--dir", default=None, help="the folder (disk) for the SQLite files")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="sop-answer-") as tmp:
        folder = Path(tmp)
        if args.store in ("sqlite", "both"):
            target = str(folder / "journal.sqlite3")
            show("sqlite", measure(target, sqlite_bare(folder), folder, args.steps))
        if args.store in ("postgres", "both"):
            bindir = pg.available()
            if bindir is None:
                print("postgres: no server binaries or psycopg here; skipped")
                return
            cluster = pg.Cluster(bindir, durable=True)
            try:
                cluster.start()
                url, beside = cluster.new_database(), cluster.new_database()
                show("postgres (127.0.0.1)", measure(url, pg_bare(beside), folder, args.steps))
            finally:
                cluster.stop()


if __name__ == "__main__":
    main()
