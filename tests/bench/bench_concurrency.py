"""Benchmark: answers per second from many terminals writing at once
(a script that prints figures, not a test).

    python tests/bench/bench_concurrency.py [--writers 50] [--sites 10] [--answers 100]
                                            [--store sqlite|postgres|both]

Each writer is a process with its own connection, its own run at site
`writer % sites`, and writes one answer per transaction (a `note.added` with
the run's summary, checked against the last sequence number it saw), as a
terminal does. Reported: answers per second over all writers, and each
answer's commit time (median, 95th and 99th percentile, worst).

PostgreSQL runs on a throwaway cluster started from the machine's binaries
(tests/pg.py) with its defaults for durability (fsync and synchronous_commit
on, as a production server); SQLite on a file in a temporary folder.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from engine.journal import Draft, Journal, NewRun, RunUpdate, Write, snapshot_sha  # noqa: E402
from tests import pg  # noqa: E402

FILES = {"rulebook.yaml": "title: bench\n"}
AT = "2026-11-22T10:00:00+08:00"


def _writer(target: str, number: int, sites: int, answers: int, gate: Any, out: Any) -> None:
    with Journal(target) as journal:
        run, _ = journal.start_run(
            NewRun("visit", f"w{number}", "service", AT, snapshot_sha(FILES), "p", FILES,
                   f"员工{number}", f"{number % sites + 1}号案场"),
            lambda rid: [Write(rid, [Draft("run.started", AT, {})], RunUpdate("active", "s"))],
        )  # fmt: skip
        row = journal.run(run)
        assert row is not None
        seq = row.last_seq
        gate.wait()
        times = []
        for i in range(answers):
            t0 = time.perf_counter()
            draft = Draft("note.added", AT, {"text": f"回答 {i}", "step": "s"}, f"员工{number}")
            events = journal.write([Write(run, [draft], RunUpdate("active", "s"), seq)])
            times.append(time.perf_counter() - t0)
            seq = events[-1].seq
        out.put(times)


def measure(target: str, writers: int, sites: int, answers: int) -> dict[str, float]:
    Journal(target).close()
    ctx = multiprocessing.get_context("fork")
    gate = ctx.Barrier(writers + 1)
    out = ctx.Queue()
    procs = [
        ctx.Process(target=_writer, args=(target, n, sites, answers, gate, out))
        for n in range(writers)
    ]
    for p in procs:
        p.start()
    gate.wait(300)
    t0 = time.perf_counter()
    times: list[float] = []
    for _ in procs:
        times.extend(out.get(timeout=600))
    wall = time.perf_counter() - t0
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    with Journal(target, write=False) as journal:
        assert journal.count_events() == writers * (answers + 1)
        assert journal.verify().ok
    times.sort()
    q = statistics.quantiles(times, n=100)
    return {
        "answers/s": len(times) / wall,
        "p50 ms": statistics.median(times) * 1000,
        "p95 ms": q[94] * 1000,
        "p99 ms": q[98] * 1000,
        "max ms": times[-1] * 1000,
        "wall s": wall,
    }


def show(name: str, figures: dict[str, float]) -> None:
    cells = "  ".join(f"{k} {v:8.1f}" for k, v in figures.items())
    print(f"{name:<28} {cells}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--sites", type=int, default=10)
    parser.add_argument("--answers", type=int, default=100)
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    shape = f"{args.writers} writers, {args.sites} sites, {args.answers} answers each"
    print(shape)
    if args.store in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            target = str(Path(tmp) / "journal.sqlite3")
            show("sqlite (one file)", measure(target, args.writers, args.sites, args.answers))
    if args.store in ("postgres", "both"):
        bindir = pg.available()
        if bindir is None:
            print("postgres: no server binaries or psycopg here; skipped")
            return
        cluster = pg.Cluster(bindir, durable=True)
        try:
            cluster.start()
            for sites in sorted({1, args.sites}):
                target = cluster.new_database()
                show(f"postgres ({sites} site chains)", measure(
                    target, args.writers, sites, args.answers))  # fmt: skip
        finally:
            cluster.stop()


if __name__ == "__main__":
    main()
