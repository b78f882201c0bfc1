"""Benchmark of `sop journal verify` on a large journal (a script that prints
figures, not a test).

    python tests/bench/bench_verify.py [--journeys 2000] [--reuse FILE] [--before DIR]

The journal is built as bench_due builds it (tests/journey_gen.py: journeys
of the four bundled journeys walked by sop's own runner), in /dev/shm when
there is one, or an existing journal is measured (`--reuse`, read-only: the
file is not changed). Printed:

1. `sop journal verify` as a whole process (median of 3);
2. in-process, its parts: the store's own checks (the chain, snapshots,
   counters, the deadline index), the same with every run's summary worked
   out again by the runtime's fold, and the file checks (WAL, schema,
   SQLite's integrity_check);
3. with `--before DIR` (a checkout of another sop, e.g. `git archive` of
   the last release), the same journal verified by that sop on a copy, for
   the cost before and after; both as wall time and CPU time, since the
   machine may be shared. Build the journal with the older sop when its
   format is older (a newer sop reads an older journal without changing it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from engine.journal import Journal  # noqa: E402
from engine.journal.audit import audit  # noqa: E402
from engine.runtime.audit import folds_for  # noqa: E402
from tests import journey_gen  # noqa: E402

SOP = [str(Path(sys.executable).parent / "sop")]


def median_time(
    fn: Callable[[], Any], n: int, clock: Callable[[], float] = time.perf_counter
) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(n):
        start = clock()
        out = fn()
        times.append(clock() - start)
    return statistics.median(times), out


# Runs the sop found in a folder, whatever this interpreter has installed.
_OTHER = """import sys
sys.path.insert(0, sys.argv[1])
import engine
assert engine.__file__.startswith(sys.argv[1]), engine.__file__
from engine.cli import main
sys.argv = ["sop", *sys.argv[2:]]
main()
"""


def process(cmd: list[str], path: str) -> tuple[float, float]:
    """Median wall and CPU seconds of `cmd journal verify` (3 runs)."""
    walls, cpus = [], []
    for _ in range(3):
        before = os.times()
        start = time.perf_counter()
        done = subprocess.run([*cmd, "journal", "verify", "--journal", path], capture_output=True)
        walls.append(time.perf_counter() - start)
        after = os.times()
        cpus.append(after.children_user - before.children_user)
    if done.returncode != 0:
        print(f"  (exit {done.returncode})")
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--journeys", type=int, default=2_000)
    parser.add_argument("--reuse", help="measure this journal instead of building one")
    parser.add_argument("--before", help="another sop command to verify a copy with")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(dir="/dev/shm" if os.path.isdir("/dev/shm") else None))
    try:
        if args.reuse:
            path = args.reuse
        else:
            path = str(folder / "journal.sqlite3")
            start = time.perf_counter()
            with Journal(path) as journal:
                journey_gen.walk(journal, journey_gen.plans(args.journeys, 11, date(2026, 11, 20)))
            print(f"built {args.journeys:,} journeys in {time.perf_counter() - start:.0f} s")
        size = os.path.getsize(path)
        with Journal(path, write=False) as journal:
            events, runs = journal.count_events(), len(journal.all_runs())
        print(f"{path}: {size / 1e6:.1f} MB, {events:,} events, {runs:,} runs")
        wall, cpu = process(SOP, path)
        print(f"  sop journal verify (process): {wall:.2f} s wall, {cpu:.2f} s CPU")
        with Journal(path, write=False) as journal:
            store, _ = median_time(lambda: audit(journal), 3, time.process_time)
            full, report = median_time(
                lambda: audit(journal, folds_for(journal)), 3, time.process_time
            )
            files, _ = median_time(journal.file_problems, 3, time.process_time)
        print("  in-process, CPU seconds:")
        print(f"  the store's checks (chain, snapshots, counters, index): {store:.2f} s")
        print(f"  with every summary re-derived by the fold:              {full:.2f} s")
        print(f"  file checks (WAL, schema, integrity_check):             {files:.2f} s")
        print(f"  ok: {report.ok}, {len(report.problems)} problems")
        if args.before:
            copy = str(folder / "before.sqlite3")
            shutil.copy(path, copy)
            other = [sys.executable, "-c", _OTHER, str(Path(args.before).resolve())]
            wall, cpu = process(other, copy)
            print(f"  the sop in {args.before}: {wall:.2f} s wall, {cpu:.2f} s CPU")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
