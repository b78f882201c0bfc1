"""Benchmark of the shared store at the scale of a company (a script that
prints figures, not a test).

    python tests/bench/bench_shared.py [--sites 1000] [--per-site 100] [--sample 1000]

1. `--sample` customer journeys are walked by sop's own scenario driver and
   runner into an SQLite journal (tests/journey_gen.py: random paths, dates,
   milestones, pauses), so events, summaries and deadlines have the real shape.
2. They are dealt out to `--sites` sites, `--per-site` journeys each: every
   journey a copy of a walked one under a new number and its site, its
   events hashed again on its site's chain — an SQLite journal with one chain
   per site, as a copy of the shared store would be (`sop journal verify`
   checks it).
3. Measured: `sop due` on that file next to `sop --version`; `sop journal
   copy` of it into a durable PostgreSQL (events per second); `sop due`, `sop
   due --site` and `sop journal verify` on PostgreSQL.

The files are built in /dev/shm when there is one; the PostgreSQL cluster
is a throwaway one (tests/pg.py) with fsync on, on the temporary folder's disk.

Measured 2026-12-02 with --sites 1000 --per-site 20 (the default 1,000 x 100
needs ~1 h to build here and was not run), 2 cores under load average ~12,
so wall times are inflated and processor times are the figure to compare:
walked 1,000 in 551 s; dealt 20,000 journeys, 1,424,920 events in 478 s.
  SQLite      sop due 12,064 ms (cpu 1,296 ms); sop --version 1,141 ms
              (cpu 128 ms): 10.6x, cpu 10.1x (rulebook no longer validated:
              engine.cache.duties; what is left follows the items listed)
  SQLite      sop notify --dry-run 21,342 ms (cpu 3,163 ms)
  copy into PostgreSQL 330 s (4,315 events/s)
  PostgreSQL  sop due 12,545 ms (cpu 1,617 ms); --site 4,332 ms (cpu 536 ms)
  PostgreSQL  sop notify --dry-run 21,184 ms (cpu 2,323 ms);
              sop journal verify 657 s, exit 0; database 770 MB
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from engine.journal import Journal  # noqa: E402
from engine.journal.bulk import Batch, DueEntry  # noqa: E402
from engine.journal.chain import ChainRow  # noqa: E402
from engine.journal.events import GENESIS, canonical, chain_hash  # noqa: E402
from engine.journal.summary import RunRow  # noqa: E402
from tests import journey_gen, pg  # noqa: E402

SOP = [str(Path(sys.executable).parent / "sop")]
# The roles the bundled journeys' steps belong to: each reached through an outbox.
ROLES = (
    "call_centre", "company_platform", "customer_ambassador", "customer_relations",
    "key_account_manager", "maintenance_centre", "marketing_planning", "project_department",
    "project_manager", "property_company", "sales_consultant", "sales_director",
    "sales_manager", "service_centre", "service_staff",
)  # fmt: skip
AT = date(2026, 11, 20)


class Took(float):
    """Seconds a command took (the median wall time), with its processor
    time beside it: on a machine others load too, the processor time is
    the steadier figure."""

    cpu: float = 0.0

    def __str__(self) -> str:
        return f"{self * 1000:,.0f} ms (cpu {self.cpu * 1000:,.0f} ms)"


def timed(cmd: list[str], n: int = 5, check: bool = True) -> Took:
    env = {**os.environ, "TZ": "CST-8"}
    walls, cpus = [], []
    for _ in range(n):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, check=check, capture_output=True, env=env)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    took = Took(statistics.median(walls))
    took.cpu = statistics.median(cpus)
    return took


class Paired(NamedTuple):
    """Two commands run in turn, round after round: each one's times, and
    the quartiles of the ratio of the second's processor time to the
    first's in the same round (a load that comes and goes moves both)."""

    base: Took
    other: Took
    ratios: tuple[float, float, float]  # 25th, 50th and 75th percentile

    def __str__(self) -> str:
        q1, q2, q3 = self.ratios
        return f"{q2:.2f}x cpu (rounds' quartiles {q1:.2f}-{q3:.2f}x)"


def paired(base: list[str], other: list[str], rounds: int = 21) -> Paired:
    env = {**os.environ, "TZ": "CST-8"}
    for cmd in (base, other):
        subprocess.run(cmd, check=True, capture_output=True, env=env)  # warm
    times: list[list[tuple[float, float]]] = [[], []]
    for _ in range(rounds):
        for i, cmd in enumerate((base, other)):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True, env=env)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
            times[i].append((wall, cpu))
    took = []
    for pairs in times:
        t = Took(statistics.median(w for w, _ in pairs))
        t.cpu = statistics.median(c for _, c in pairs)
        took.append(t)
    ratios = sorted(o[1] / b[1] for b, o in zip(times[0], times[1], strict=True))
    q1, q2, q3 = statistics.quantiles(ratios, n=4)
    return Paired(took[0], took[1], (q1, q2, q3))


def deal(sample: str, target: str, sites: int, per_site: int) -> tuple[int, int]:
    """The walked journeys dealt out to the sites: (journeys, events)."""
    with Journal(sample, write=False) as src:
        runs = {r.id: r for r in src.all_runs() if isinstance(r, RunRow)}
        events: dict[int, list[ChainRow]] = {}
        for row in src.chain_rows():
            assert isinstance(row, ChainRow)
            events.setdefault(row.run, []).append(row)
        dues: dict[int, list[DueEntry]] = {}
        for entry in src.due_entries():
            assert isinstance(entry, DueEntry)
            dues.setdefault(entry.run, []).append(entry)
        snapshots = [(sha, files) for sha, files in src.snapshots() if isinstance(files, str)]
    walked = sorted(runs)
    seq, number = 0, 0
    with Journal(target) as dst:
        dst.absorb(Batch(snapshots=snapshots))
        for k in range(sites):
            site = f"{k + 1:04d}号案场"
            prev = GENESIS
            new_runs: list[RunRow] = []
            rows: list[ChainRow] = []
            entries: list[DueEntry] = []
            for j in range(per_site):
                original = walked[(k * per_site + j) % len(walked)]
                number += 1
                for e in events[original]:
                    seq += 1
                    data = json.loads(e.data)
                    if e.kind == "run.started":
                        data["site"] = site
                    text = canonical(data)
                    digest = chain_hash(prev, seq, number, e.at, e.kind, e.actor, text)
                    rows.append(
                        ChainRow(seq, number, e.at, e.kind, e.actor, text, prev, digest, site)
                    )
                    prev = digest
                row = dataclasses.replace(runs[original], id=number, site=site, last_seq=seq)
                new_runs.append(row)
                entries += [dataclasses.replace(d, run=number) for d in dues.get(original, ())]
            dst.absorb(Batch(runs=new_runs, events=rows, summaries=new_runs, dues=entries))
        return number, seq


def walked_sample(folder: Path, count: int, keep: str | None) -> str:
    """A journal of `count` walked journeys in `folder`: copied from the one
    kept in `keep` when there is one, else walked (and kept there)."""
    sample = str(folder / "sample.db")
    kept = Path(keep) / f"sample-{count}.db" if keep else None
    if kept is not None and kept.exists():
        shutil.copy(kept, sample)
        return sample
    start = time.perf_counter()
    with Journal(sample) as journal:
        journey_gen.walk(journal, journey_gen.plans(count, 11, AT))
    print(f"walked {count:,} journeys in {time.perf_counter() - start:.0f} s")
    if kept is not None:
        shutil.copy(sample, kept)
    return sample


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--per-site", type=int, default=100)
    parser.add_argument("--sample", type=int, default=1000)
    parser.add_argument("--keep", help="keep the walked sample here (and reuse it)")
    args = parser.parse_args()
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
    folder = Path(tempfile.mkdtemp(dir=shm, prefix="sop-shared-"))
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores")
    try:
        sample = walked_sample(folder, args.sample, args.keep)
        fan = str(folder / "shared.db")
        start = time.perf_counter()
        journeys, events = deal(sample, fan, args.sites, args.per_site)
        print(
            f"dealt out: {journeys:,} journeys at {args.sites:,} sites, {events:,} events "
            f"({time.perf_counter() - start:.0f} s)"
        )
        version = timed([*SOP, "--version"])
        due = timed([*SOP, "due", "--journal", fan, "--at", AT.isoformat()], 3)
        print(
            f"SQLite:     sop due {due}; sop --version {version} "
            f"({due / version:.1f}×, cpu {due.cpu / version.cpu:.1f}×)"
        )
        settings = folder / "notify.yaml"
        settings.write_text(
            json.dumps({"channels": {"box": {"type": "outbox", "path": str(folder / "out")}},
                        "people": {"*": {role: [{"channel": "box"}] for role in ROLES}}}),
            encoding="utf-8",
        )  # fmt: skip
        at = f"{AT.isoformat()}T10:00:00+08:00"
        notify = [*SOP, "notify", "--settings", str(settings), "--at", at, "--dry-run"]
        print(f"SQLite:     sop notify --dry-run {timed([*notify, '--journal', fan], 1, False)}")
        bindir = pg.available()
        if bindir is None:
            print("PostgreSQL: no server binaries or psycopg here; skipped")
            return
        cluster = pg.Cluster(bindir, durable=True)
        try:
            cluster.start()
            url = cluster.new_database()
            start = time.perf_counter()
            subprocess.run([*SOP, "journal", "copy", fan, url], check=True, capture_output=True)
            spent = time.perf_counter() - start
            print(
                f"sop journal copy into PostgreSQL: {spent:.0f} s ({events / spent:,.0f} events/s)"
            )
            due = timed([*SOP, "due", "--journal", url, "--at", AT.isoformat()], 3)
            one = timed(
                [*SOP, "due", "--journal", url, "--at", AT.isoformat(), "--site", "0001号案场"], 3
            )
            print(
                f"PostgreSQL: sop due {due} ({due / version:.1f}× sop --version); "
                f"one site (--site) {one}"
            )
            print(
                f"PostgreSQL: sop notify --dry-run {timed([*notify, '--journal', url], 1, False)}"
            )
            start = time.perf_counter()
            result = subprocess.run(
                [*SOP, "journal", "verify", "--journal", url], capture_output=True, text=True
            )
            said = result.stdout.splitlines()[0] if result.stdout else ""
            print(
                f"PostgreSQL: sop journal verify {time.perf_counter() - start:.0f} s "
                f"(exit {result.returncode}: {said})"
            )
            size = cluster_size(url)
            print(f"PostgreSQL: database size {size / 1e6:,.0f} MB")
        finally:
            cluster.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def cluster_size(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as db:
        row: Any = db.execute("SELECT pg_database_size(current_database())").fetchone()
        return int(row[0])


if __name__ == "__main__":
    main()
