"""Benchmark of the call list over many open journeys (a script that prints
figures, not a test).

    python tests/bench/bench_due.py [--journeys 10000] [--quick] [--keep DIR | --reuse DIR]

The journal is built the way staff build it: every journey is a scenario of
one of the four bundled journeys (tests/journey_gen.py: random paths, `on:`
dates, planned milestones, a pause at a random step) walked by sop's own
scenario driver and runner, so the events, run summaries and deadlines have
the real shape. It is built in /dev/shm when there is one (the journal syncs
each event; on a disk, building takes several times longer — not what is
measured here). Measured at 1,000 journeys and again at the full number:

1. `sop due` as a whole process (median of 7 runs), next to `sop --version`
   (the cost of starting Python and sop at all);
2. `call_list` in-process (median of 20), for windows holding many and few
   deadlines, and, for comparison, the same list found the way a v1 journal
   had to: reading every open run's deadlines and keeping those in the window;
3. the query a prompt makes for reminders (`Journal.reminders_for`), which
   every session pays at every question;
4. the query plans of the exact statements `Journal.call_rows` (the call
   list), `Journal.dues` (sop notify) and `Journal.reminders_for` run.

The cost of the list should follow the deadlines in its window, not the
number of open journeys. (The generated journeys stop at random steps and
are never taken up again, so their overdue deadlines pile up: the windows
that include everything overdue hold far more than a tended journal would.)
The time to walk a journey is printed as the journal grows: it includes the
reminders query at every prompt.

Measured 2026-12-02 (2 shared cores under heavy load: processor time, min of 5):
`sop due` validated the whole default rulebook on every call only to learn
which procedures have a `schedule:` (none of the bundled ones does). It now
reads engine.cache.duties, kept under the validate cache's key. On an empty
journal 850 -> 270 ms; on 1,000 walked journeys (304 items listed) 980 ->
240-400 ms; `sop --version` 95-130 ms. At 20,000 journeys (bench_shared.py
--per-site 20: 1.42 M events) `sop due` took 1,296 ms of processor time
against 128 ms for `sop --version` (10.1x; the target is 2x): what is left
grows with the items listed (the generated journeys pile up ~6,000 overdue
deadlines at that size), each costing a run row and a deadline read and
checked (json, due_problem, the canonical dues check) and a line laid out
(wcwidth, screen.visible), plus ~170 ms of imports (journal, wcwidth).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time as clock
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from engine.journal import Journal  # noqa: E402
from engine.runtime.calls import call_list  # noqa: E402
from engine.runtime.dues import reminder  # noqa: E402
from tests import journey_gen  # noqa: E402

SOP = [str(Path(sys.executable).parent / "sop")]
AT = date(2026, 11, 20)  # journeys begin up to three years before
# (as of, days ahead): the week and the month ahead with everything overdue;
# a week as of a day long past (only what fell due by then); a week before
# any journey began (nothing).
WINDOWS = ((AT, 7), (AT, 30), (AT - timedelta(days=700), 7), (AT - timedelta(days=1200), 7))


def median_time(fn: Callable[[], Any], n: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(n):
        start = clock.perf_counter()
        result = fn()
        times.append(clock.perf_counter() - start)
    return statistics.median(times), result


def wall(cmd: list[str], n: int = 7) -> float:
    env = {**os.environ, "TZ": "CST-8"}
    return median_time(lambda: subprocess.run(cmd, check=True, capture_output=True, env=env), n)[0]


def scan_all(journal: Journal, on: date, ahead: int) -> int:
    """The list the v1 way, without its date index: every open run's
    deadlines read and parsed, those in the window made into reminders."""
    last = (on + timedelta(days=ahead)).isoformat() + "~"
    ref = datetime.combine(on, time(), timezone(timedelta(hours=8)))
    rows = journal._db.execute("SELECT id, dues FROM runs WHERE status != 'finished'")
    count = 0
    for run, text in rows:
        for d in json.loads(text or "[]"):
            if str(d.get("due") or d.get("since") or "")[:19] <= last:
                reminder(run, d, ref, False)
                count += 1
    return count


def measure(path: str, journeys: int) -> None:
    version = wall([*SOP, "--version"])
    due = [*SOP, "due", "--journal", path, "--at", AT.isoformat()]
    whole = wall(due)
    whole_json = wall([*due, "--days", "30", "--format", "json"])
    with Journal(path) as journal:
        (events,) = journal._db.execute("SELECT COUNT(*) FROM events").fetchone()
        (dues,) = journal._db.execute("SELECT COUNT(*) FROM dues").fetchone()
        (open_runs,) = journal._db.execute(
            "SELECT COUNT(*) FROM runs WHERE status != 'finished'"
        ).fetchone()
        print(
            f"\n{journeys:,} journeys: {open_runs:,} open, {events:,} events "
            f"({events / journeys:.0f} a journey), {dues:,} open deadlines"
        )
        print(
            f"  sop due (7 days) {whole * 1000:.0f} ms, --days 30 --format json "
            f"{whole_json * 1000:.0f} ms; sop --version {version * 1000:.0f} ms"
        )
        print(f"  {'window':<24} {'items':>6} {'call_list':>10} {'per item':>9} {'scan all':>9}")
        for on, ahead in WINDOWS:
            spent, listed = median_time(partial(call_list, journal, on, ahead), 20)
            items = listed.items
            scanned, n = median_time(partial(scan_all, journal, on, ahead), 5)
            per = f"{spent / len(items) * 1e6:.0f} µs" if items else "—"
            print(
                f"  {f'{on} +{ahead} days':<24} {len(items):>6} {spent * 1000:>7.1f} ms "
                f"{per:>9} {scanned * 1000:>6.1f} ms"
            )
            assert n >= len(items)
        # What every prompt of every session asks the journal (a lobby run
        # as much as a journey): the other runs' deadlines close at hand.
        soon = datetime.combine(AT, time(10)).isoformat()[:19]
        spent, _ = median_time(lambda: journal.reminders_for([1], soon), 50)
        print(f"  reminders at a prompt (Journal.reminders_for): {spent * 1000:.2f} ms")


def query_plans(path: str) -> dict[str, list[str]]:
    """The plans of the very statements sent to SQLite."""
    out = {}
    with Journal(path) as journal:
        calls: dict[str, Callable[[], Any]] = {
            "Journal.call_rows": lambda: journal.call_rows(AT.isoformat()),
            "Journal.dues": lambda: journal.dues(AT.isoformat()),
            "Journal.reminders_for": lambda: journal.reminders_for([1], f"{AT}T10:00:00"),
        }
        for name, call in calls.items():
            sent: list[str] = []
            journal._db.set_trace_callback(sent.append)
            call()
            journal._db.set_trace_callback(None)
            (sql,) = [s for s in sent if s.lstrip().upper().startswith("SELECT")]
            rows = journal._db.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
            out[name] = [str(r[-1]) for r in rows]
    return out


def build(path: str, plans: list[journey_gen.Plan], pinned: Any = None) -> Any:
    start = clock.perf_counter()
    with Journal(path) as journal:
        pinned = journey_gen.walk(journal, plans, pinned)
    spent = clock.perf_counter() - start
    print(
        f"walked {len(plans):,} journeys in {spent:.0f} s ({spent / len(plans) * 1000:.0f} ms each)"
    )
    return pinned


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--journeys", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="2,000 journeys")
    parser.add_argument("--keep", help="leave the journals in this folder")
    parser.add_argument("--reuse", help="measure the journals --keep left in this folder")
    args = parser.parse_args()
    total = 2_000 if args.quick else args.journeys
    first = min(1_000, total)
    print(f"sop due over open journeys; Python {sys.version.split()[0]}, {os.cpu_count()} cores")
    if args.reuse:
        sizes = [first, total] if total > first else [first]
        for n in sizes:
            measure(str(Path(args.reuse) / f"journeys-{n}.db"), n)
        path = str(Path(args.reuse) / f"journeys-{sizes[-1]}.db")
    else:
        folder = Path(tempfile.mkdtemp(dir="/dev/shm" if os.path.isdir("/dev/shm") else None))
        path = str(folder / "journeys.db")
        plans = journey_gen.plans(total, 11, AT)
        pinned = build(path, plans[:first])
        if args.keep:
            shutil.copy(path, Path(args.keep) / f"journeys-{first}.db")
        measure(path, first)
        if total > first:
            print()
            build(path, plans[first:], pinned)
            if args.keep:
                shutil.copy(path, Path(args.keep) / f"journeys-{total}.db")
            measure(path, total)
    for name, plan in query_plans(path).items():
        print(f"\nquery plan of {name}:")
        for line in plan:
            print(f"  {line}")
    if not args.reuse:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
