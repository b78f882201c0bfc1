"""Four processes appending to one journal at once lose nothing."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from engine.journal import Draft, Journal, NewRun, RunRow, RunUpdate, Write, snapshot_sha

FILES = {"a": "b"}
WRITERS = 4
EVENTS = 150


def _writer(path: str, number: int, start: object) -> None:
    start.wait()  # type: ignore[attr-defined]  (a multiprocessing.Event)
    with Journal(path) as journal:
        at = "2026-11-22T10:00:00+08:00"
        run, _ = journal.start_run(
            NewRun("visit", f"writer {number}", "service", at, snapshot_sha(FILES), "psha", FILES),
            lambda rid: [
                Write(rid, [Draft("run.started", at, {"writer": number})], RunUpdate("active"))
            ],
        )
        last = None
        for i in range(EVENTS):
            row = journal.run(run)
            assert row is not None
            last = journal.write(
                [
                    Write(
                        run,
                        [Draft("note.added", at, {"i": i, "w": number})],
                        RunUpdate("active"),
                        expect=row.last_seq,
                    )
                ]
            )
        assert last is not None


def test_four_writers_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.db")
    Journal(path).close()
    # fork: a spawned child would re-import this module by its package name,
    # which only resolves when the checkout happens to be on sys.path.
    ctx = multiprocessing.get_context("fork")
    start = ctx.Event()
    procs = [ctx.Process(target=_writer, args=(path, n, start)) for n in range(WRITERS)]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    with Journal(path) as journal:
        assert journal.count_events() == WRITERS * (EVENTS + 1)
        for row in journal.runs():
            assert isinstance(row, RunRow)
            events = journal.events(row.id)
            assert [e.data["i"] for e in events[1:]] == list(range(EVENTS))
            assert row.events == EVENTS + 1
        assert journal.verify().ok
        assert journal.integrity() == "ok"
