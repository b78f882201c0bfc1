"""Benchmark of the call list over many open journeys (a script that prints
figures, not a test).

    python tests/bench/bench_due.py [--journeys 10000] [--quick]

Journeys of vanke-6plus2 are walked by the real runner into one journal (in
/dev/shm when there is one, so that building it does not take the fsyncs of
a disk): each starts on a random day in the last two years, moves on by
random days and stops at a random touchpoint (tests/journey_gen.py). The
journal is measured at 1,000 journeys and again after growing to the full
number:

- `sop due` as a whole process (median of 7), against `sop --version`;
- the call list in-process (`call_list`, median of 20);
- how many items the list holds, and the query plan of the date index.

The cost should follow the items listed, not the open journeys.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from engine.journal import Journal  # noqa: E402
from engine.runtime.calls import call_list  # noqa: E402
from tests import journey_gen  # noqa: E402

SOP = [str(Path(sys.executable).parent / "sop")]
AT = date(2026, 11, 23)


def wall(cmd: list[str], n: int = 7) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(path: str, journeys: int) -> None:
    due = [*SOP, "due", "--journal", path, "--at", AT.isoformat()]
    version = wall([*SOP, "--version"])
    whole = wall(due)
    whole_csv = wall([*due, "--days", "30", "--format", "csv"])
    with Journal(path) as journal:
        times = []
        for _ in range(20):
            start = time.perf_counter()
            items = call_list(journal, AT, 7)
            times.append(time.perf_counter() - start)
        month = len(call_list(journal, AT, 30))
        (events,) = journal._db.execute("SELECT COUNT(*) FROM events").fetchone()
        (dues,) = journal._db.execute("SELECT COUNT(*) FROM dues").fetchone()
    print(
        f"{journeys:>7,} journeys ({events:,} events, {dues:,} open deadlines): "
        f"sop due {whole * 1000:.0f} ms (sop --version {version * 1000:.0f} ms), "
        f"--days 30 --format csv {whole_csv * 1000:.0f} ms; "
        f"call_list {statistics.median(times) * 1000:.1f} ms for {len(items)} items "
        f"(7 days), {month} items in 30 days"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--journeys", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="2,000 journeys")
    args = parser.parse_args()
    total = 2_000 if args.quick else args.journeys
    folder = tempfile.mkdtemp(dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    path = os.path.join(folder, "journeys.db")
    plans = journey_gen.plans(total, 11, AT)
    first = min(1_000, total)
    pinned = None
    start = time.perf_counter()
    with Journal(path) as journal:
        pinned = journey_gen.walk(journal, plans[:first])
    print(f"walked {first:,} journeys in {time.perf_counter() - start:.0f} s")
    measure(path, first)
    if total > first:
        start = time.perf_counter()
        with Journal(path) as journal:
            journey_gen.walk(journal, plans[first:], pinned)
        print(f"walked {total - first:,} more in {time.perf_counter() - start:.0f} s")
        measure(path, total)
    with Journal(path) as journal:
        plan = journal._db.execute(
            "EXPLAIN QUERY PLAN SELECT d.data FROM dues d JOIN runs r ON r.id = d.run "
            "WHERE d.due_key <= ? AND r.status != 'finished' ORDER BY d.due_key",
            ("2026-11-30~",),
        ).fetchall()
    print("query plan:", " | ".join(str(row[-1]) for row in plan))


if __name__ == "__main__":
    main()
