"""Benchmark of `sop due` at the sizes of issue 17's goals (a script that
prints figures, not a test).

    python tests/bench/bench_due_scale.py [--sqlite 10000] [--sites 1000] [--per-site 100]
                                          [--sample 400] [--keep DIR] [--no-pg]

The goal: `sop due` on an SQLite journal of 10,000 journeys (~1 M events)
within 2x `sop --version` (the cost of starting Python and sop at all), and
its cost measured across 1,000 sites x 100 journeys on PostgreSQL.

1. `--sample` customer journeys are walked by sop's own scenario driver and
   runner (tests/journey_gen.py), so events, summaries and deadlines have the
   real shape; `--keep` keeps the sample for the next run.
2. They are dealt out (bench_shared.deal: each a copy under a new number and
   its site, its events hashed again on its site's chain) into an SQLite
   journal of `--sqlite` journeys at sites of 100, and straight into a
   throwaway PostgreSQL database (tests/pg.py) at `--sites` x `--per-site`.
3. Measured for each: `sop due` as of the generator's day (7 days ahead) and
   `--days 30 --format json`, `sop due --site` one site, and `sop --version`,
   each the median of 5 runs, wall time and processor time (on a machine
   others load too, the processor time is the steadier figure), with the
   ratio to the goal. Python's byte code is written and the rulebook's
   extract cached before anything is timed, as on a user's machine.

The generated journeys stop at random steps and are never taken up again,
so their overdue deadlines pile up: the list holds far more items (each a
line printed) than a tended journal would.

Measured 2026-12-02, 2 cores under load average ~8 (processor times):
  SQLite, 10,000 journeys (768,200 events, 2,900 items listed): sop due
  628 ms against sop --version 97 ms: 6.5x (before this bench's commits,
  879 ms where they take 641 ms, alternating on one file: 6.3x -> 4.7x);
  --site 336 ms; --days 30 --format json 720 ms.
  PostgreSQL, 1,000 sites x 20 (1,536,400 events, 5,800 items): sop due
  1,368 ms (10.6x); --site 576 ms; --days 30 --format json 1,616 ms. The
  default 1,000 x 100 was not run: loading it takes ~50 min here. Before
  and after, alternating on 1,000 sites x 10 (768,200 events): 1,337 ->
  983 ms (10.4x -> 6.4x); --site 700 -> 613 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_shared import AT, SOP, Took, deal, timed, walked_sample  # noqa: E402

from engine.journal import Journal  # noqa: E402
from tests import pg  # noqa: E402

GOAL = 2.0  # `sop due` within this many times `sop --version`


def measure(label: str, target: str, version: Took) -> None:
    with Journal(target, write=False) as journal:
        events = journal.count_events()
        listed = len(journal.dues((AT.replace(day=27)).isoformat()))
        sites = journal.sites()
    due = [*SOP, "due", "--journal", target, "--at", AT.isoformat()]
    subprocess.run(due, check=True, capture_output=True)  # the rulebook's extract cached
    week = timed(due)
    month = timed([*due, "--days", "30", "--format", "json"])
    one = timed([*due, "--site", sites[0]]) if sites else None
    print(f"{label}: {events:,} events at {len(sites):,} sites; {listed:,} deadlines due by then")
    print(
        f"  sop due           {week}: {week / version:.1f}x wall, "
        f"{week.cpu / version.cpu:.1f}x cpu (goal {GOAL:.0f}x)"
    )
    print(f"  --days 30 json    {month}: {month.cpu / version.cpu:.1f}x cpu")
    if one is not None:
        print(f"  --site {sites[0]}  {one}: {one.cpu / version.cpu:.1f}x cpu")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sqlite", type=int, default=10_000, help="journeys in the SQLite file")
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--per-site", type=int, default=100)
    parser.add_argument("--sample", type=int, default=400, help="journeys walked for real")
    parser.add_argument("--keep", help="keep the walked sample here (and reuse it)")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    args = parser.parse_args()
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
    folder = Path(tempfile.mkdtemp(dir=shm, prefix="sop-due-"))
    # As installed: byte code written once, then read; a cache of its own.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["SOP_CACHE_DIR"] = str(folder / "cache")
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "engine")], check=True)
    print(f"sop due at scale; Python {sys.version.split()[0]}, {os.cpu_count()} cores")
    try:
        sample = walked_sample(folder, args.sample, args.keep)
        version = timed([*SOP, "--version"])
        print(f"sop --version {version}")
        if args.sqlite:
            path = str(folder / "journal.db")
            start = time.perf_counter()
            journeys, _ = deal(sample, path, max(args.sqlite // 100, 1), min(args.sqlite, 100))
            print(f"\ndealt {journeys:,} journeys in {time.perf_counter() - start:.0f} s")
            measure(f"SQLite, {journeys:,} journeys", path, version)
        bindir = None if args.no_pg else pg.available()
        if bindir is None:
            print("\nPostgreSQL: skipped (--no-pg, or no server binaries or psycopg here)")
            return
        cluster = pg.Cluster(bindir)
        try:
            cluster.start()
            url = cluster.new_database()
            start = time.perf_counter()
            journeys, _ = deal(sample, url, args.sites, args.per_site)
            print(
                f"\ndealt {journeys:,} journeys into PostgreSQL "
                f"in {time.perf_counter() - start:.0f} s"
            )
            measure(f"PostgreSQL, {args.sites:,} sites x {args.per_site}", url, version)
        finally:
            cluster.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
