"""Benchmark of the walk-through and its journal (a script that prints figures, not a test).

    python tests/bench/bench_run.py [--quick]

1. The bare SQLite commit this journal is built on (WAL, synchronous=FULL,
   BEGIN IMMEDIATE … COMMIT, one small row), against a journaled step of a
   real run (runner, guards, templates, reminders, hash chain, summary).
2. Scripted runs of 250, 500 and 1,000 steps: time per step should not grow;
   "ms/commit" is the median cost of journaling one answer or move (state
   preview, events with their hash chain, the run's summary), "over bare"
   what that adds to the bare commit; "answer→prompt" the median time from an
   answer to the next prompt (its commit and everything else the runner does).
3. `sop runs`, `sop show` and `sop journal verify` over journals of 10,000,
   50,000 and 100,000 events.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from engine.journal import Draft, Journal, NewRun, RunUpdate, Write  # noqa: E402
from engine.runtime.dues import Reminder  # noqa: E402
from engine.runtime.pinning import pin  # noqa: E402
from engine.runtime.prompts import (  # noqa: E402
    Given,
    InputQuestion,
    ItemAnswer,
    ItemQuestion,
    Question,
    Reply,
    View,
)
from engine.runtime.recorder import Recorder  # noqa: E402
from engine.runtime.runner import Runner  # noqa: E402

SOP = [str(Path(sys.executable).parent / "sop")]


def bare_commit(folder: Path, n: int) -> list[float]:
    """Seconds per committed insert, the way the journal commits."""
    db = sqlite3.connect(folder / "bare.db", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE t (seq INTEGER PRIMARY KEY, run INTEGER, data TEXT)")
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO t(run, data) VALUES (?, ?)", (1, f'{{"i":{i}}}'))
        db.execute("COMMIT")
        times.append(time.perf_counter() - t0)
    db.close()
    return times


def write_rulebook(folder: Path, steps: int, templated: bool = True) -> None:
    """A linear procedure: each step says a line with an input filled in, has
    one checklist item, and a guarded automatic next (two branches)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "rulebook.yaml").write_text(
        "title: bench\norganisation: {name: bench}\nroles: {host: {name: 客服}}\n"
        "inputs: {project: {type: text, default: 翠湖}}\n",
        encoding="utf-8",
    )
    lines = [
        f"id: line{steps}",
        "title: 基准流程",
        "kind: service",
        "roles: [host]",
        "inputs:",
        "  vip: {type: bool, ask: 是否贵宾}",
        "start: s0001",
        "steps:",
    ]
    for i in range(1, steps + 1):
        sid = f"s{i:04d}"
        nxt = f"s{i + 1:04d}"
        lines += [
            f"  {sid}:",
            f"    title: 第{i}步",
            "    role: host",
            f"    say: ['欢迎光临{'{{ project }}' if templated else '翠湖'}, 第{i}步']",
            f"    do: [完成第{i}项工作]",
        ]
        if i == steps:
            lines.append("    end: done")
        else:
            lines += [
                "    next:",
                f"      - {{to: {nxt}, when: vip, label: 贵宾}}",
                f"      - {{to: {nxt}}}",
            ]
    (folder / f"line{steps}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


class Scripted:
    """Answers every question at once: the runner and journal are what is timed.
    `gaps` are the seconds from one answer to the next prompt."""

    def __init__(self) -> None:
        self.gaps: list[float] = []
        self._answered: float | None = None

    def show(self, view: View) -> None:
        pass

    def ask(self, question: Question, reminders: Sequence[Reminder], now: datetime) -> Reply:
        if self._answered is not None:
            self.gaps.append(time.perf_counter() - self._answered)
        self._answered = time.perf_counter()
        if isinstance(question, ItemQuestion):
            return ItemAnswer("done")
        if isinstance(question, InputQuestion):
            return Given(False)
        raise AssertionError(question)


def scripted_run(
    folder: Path, steps: int, templated: bool = True
) -> tuple[float, int, list[float], list[float]]:
    """Seconds for the whole run (rulebook already loaded), events written,
    and the seconds of each journal commit (state preview, events, summary)."""
    book = folder / f"book{steps}{'t' if templated else 'p'}"
    write_rulebook(book, steps, templated)
    pinned = pin(str(book))
    commits: list[float] = []
    original = Recorder.commit

    def timed(self: Recorder, *args: Any, **kw: Any) -> None:
        t0 = time.perf_counter()
        original(self, *args, **kw)
        commits.append(time.perf_counter() - t0)

    Recorder.commit = timed  # type: ignore[method-assign]
    try:
        with Journal(str(folder / f"run{steps}{'t' if templated else 'p'}.db")) as journal:
            driver = Scripted()
            runner = Runner(journal, driver, operator="bench")
            t0 = time.perf_counter()
            outcome = runner.start(pinned, f"line{steps}", {})
            elapsed = time.perf_counter() - t0
            assert outcome.status == "finished", outcome
            return elapsed, journal.count_events(), commits, driver.gaps
    finally:
        Recorder.commit = original  # type: ignore[method-assign]


def fill_journal(path: Path, events: int, per_run: int = 100) -> None:
    at = "2026-11-22T10:00:00.000+08:00"
    with Journal(str(path)) as journal:
        for r in range(events // per_run):
            run, _ = journal.start_run(
                NewRun(
                    "visit",
                    f"样板房服务流程 {r}",
                    "service",
                    at,
                    "sha",
                    "psha",
                    {"a": "b"},
                    "张三",
                    "一号案场",
                ),
                lambda rid: [
                    Write(
                        rid,
                        [Draft("run.started", at, {"procedure": "visit"})],
                        RunUpdate("active", "greet", "迎宾服务"),
                    )
                ],
            )
            drafts = [
                Draft(
                    "item.checked",
                    at,
                    {
                        "step": "greet",
                        "index": i,
                        "text": "迎接客户",
                        "status": "done",
                        "critical": False,
                    },
                )
                for i in range(per_run - 2)
            ]
            drafts.append(Draft("run.finished", at, {"outcome": "completed"}))
            journal.write([Write(run, drafts, RunUpdate("finished", outcome="completed"))])


def cli_seconds(args: list[str], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([*SOP, *args], capture_output=True, check=True)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    quick = parser.parse_args().quick
    with tempfile.TemporaryDirectory(prefix="sop-bench-") as tmp:
        folder = Path(tmp)
        bare = bare_commit(folder, 500 if quick else 2000)
        bare_ms = statistics.median(bare) * 1000
        print(
            f"bare SQLite commit (WAL, synchronous=FULL, BEGIN IMMEDIATE): "
            f"median {bare_ms:.3f} ms, p90 {sorted(bare)[int(len(bare) * 0.9)] * 1000:.3f} ms"
        )

        print("\nscripted runs (rulebook loaded beforehand; answers given at once):")
        print("  (each step: a say line with {{ project }} compiled on first use, one checklist")
        print("   answer, a guarded next: the answer is written with the move, one commit)")
        print(
            f"{'steps':>6} {'total s':>8} {'events':>7} {'ms/step':>8} {'commits':>8} "
            f"{'ms/commit':>10} {'over bare':>10} {'answer→prompt':>14} {'p90':>6}"
        )
        per_step = []
        sizes = [(n, True) for n in ((100, 250) if quick else (250, 500, 1000))]
        sizes.append((sizes[-1][0], False))
        for steps, templated in sizes:
            elapsed, events, commits, gaps = scripted_run(folder, steps, templated)
            ms_step = elapsed / steps * 1000
            ms_commit = statistics.median(commits) * 1000
            gap = statistics.median(gaps) * 1000
            p90 = sorted(gaps)[int(len(gaps) * 0.9)] * 1000
            per_step.append(ms_step)
            print(
                f"{steps:>6} {elapsed:>8.2f} {events:>7} {ms_step:>8.3f} {len(commits):>8} "
                f"{ms_commit:>10.3f} {ms_commit - bare_ms:>+10.3f} {gap:>14.3f} {p90:>6.3f}"
                + ("" if templated else "  (plain say lines)")
            )
        print(
            f"  growth of ms/step from smallest to largest run: "
            f"{per_step[-2] / per_step[0]:.2f}x (1.0 = linear)"
        )

        print("\nreading a journal (CLI, process start included; best of 3):")
        print(f"{'events':>8} {'sop runs':>9} {'sop show':>9} {'verify':>8} {'write s':>8}")
        for events in (10_000, 20_000) if quick else (10_000, 50_000, 100_000):
            path = folder / f"j{events}.db"
            t0 = time.perf_counter()
            fill_journal(path, events)
            filled = time.perf_counter() - t0
            runs = cli_seconds(["runs", "--journal", str(path)])
            show = cli_seconds(["show", "1", "--journal", str(path)])
            verify = cli_seconds(["journal", "verify", "--journal", str(path)], repeat=1)
            print(f"{events:>8} {runs:>9.3f} {show:>9.3f} {verify:>8.3f} {filled:>8.2f}")
        version = cli_seconds(["--version"])
        print(f"\nsop --version: {version:.3f} s (process start, for reference)")
        print(f"machine: {os.cpu_count()} cpus, SQLite {sqlite3.sqlite_version}")


if __name__ == "__main__":
    main()
