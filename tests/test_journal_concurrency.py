"""Processes appending to one journal at once lose nothing: four on one
SQLite file, fifty at ten sites of the shared PostgreSQL store."""

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


# ---- many sites at once on the shared store

SITES = 10
MANY = 50
NOTES = 20


def _site_writer(target: str, number: int, start: object, hubs: list[int]) -> None:
    """One terminal at site number % 10: its own run, a note at a time, and
    every fourth note also one on the next site's shared run (both sites'
    chains locked in one transaction)."""
    site = number % SITES
    at = "2026-11-22T10:00:00+08:00"
    with Journal(target) as journal:
        run, _ = journal.start_run(
            NewRun("visit", f"w{number}", "service", at, snapshot_sha(FILES), "p", FILES,
                   f"员工{number}", f"{site + 1}号案场"),
            lambda rid: [Write(rid, [Draft("run.started", at, {"w": number})],
                               RunUpdate("active"))],
        )  # fmt: skip
        seq = journal.run(run).last_seq  # type: ignore[union-attr]
        start.wait()  # type: ignore[attr-defined]
        for i in range(NOTES):
            writes = [Write(run, [Draft("note.added", at, {"i": i, "w": number})],
                            RunUpdate("active"), expect=seq)]  # fmt: skip
            if i % 4 == 3:
                hub = hubs[(site + 1) % SITES]
                writes.append(Write(hub, [Draft("note.added", at, {"w": number, "i": i})],
                                    RunUpdate("active")))  # fmt: skip
            events = journal.write(writes)
            seq = max(e.seq for e in events if e.run == run)


def test_fifty_writers_on_ten_sites_lose_nothing(store: str) -> None:
    """50 writers at 10 sites of one journal, all at once: every note is
    there in its order, nothing deadlocks, every chain holds (in the shared
    store, one chain per site; in a file, its one chain)."""
    at = "2026-11-22T10:00:00+08:00"
    with Journal(store) as journal:
        hubs = [
            journal.start_run(
                NewRun("visit", "hub", "service", at, snapshot_sha(FILES), "p", FILES, None,
                       f"{site + 1}号案场"),
                lambda rid: [Write(rid, [Draft("run.started", at, {})], RunUpdate("active"))],
            )[0]
            for site in range(SITES)
        ]  # fmt: skip
    ctx = multiprocessing.get_context("fork")
    start = ctx.Barrier(MANY + 1)
    procs = [ctx.Process(target=_site_writer, args=(store, n, start, hubs)) for n in range(MANY)]
    for p in procs:
        p.start()
    start.wait(120)  # every writer has its run: now all write at once
    for p in procs:
        p.join(300)
    assert [p.exitcode for p in procs] == [0] * MANY, "a writer failed (deadlock, lost write)"
    crossing = [i for i in range(NOTES) if i % 4 == 3]
    with Journal(store, write=False) as journal:
        assert journal.count_events() == SITES + MANY * (1 + NOTES + len(crossing))
        for run in journal.runs():
            assert isinstance(run, RunRow)
            events = journal.events(run.id)
            assert run.events == len(events)
            if run.title == "hub":
                site = hubs.index(run.id)
                by: dict[int, list[int]] = {}
                for e in events[1:]:
                    by.setdefault(e.data["w"], []).append(e.data["i"])
                assert set(by) == {n for n in range(MANY) if (n % SITES + 1) % SITES == site}
                assert all(v == crossing for v in by.values())
            else:
                assert [e.data["i"] for e in events[1:]] == list(range(NOTES))
        heads = journal.heads()
        assert len(heads) == (SITES if "://" in store else 1)
        assert sum(h.events for h in heads) == journal.count_events()
        assert journal.verify().ok
        assert not journal.file_problems()


# ---- the same new deadline words brought by writers at many sites at once

ROUNDS = 8


def _words_writer(target: str, number: int, start: object) -> None:
    """Two runs at site number % 10, written in one batch each round with
    deadlines whose words are new that round: the same words as every other
    writer's, in one order at even writers and the other at odd ones."""
    at = "2026-11-22T10:00:00+08:00"
    site = f"{number % SITES + 1}号案场"
    with Journal(target) as journal:
        runs = [
            journal.start_run(
                NewRun("visit", f"w{number}", "service", at, snapshot_sha(FILES), "p", FILES,
                       None, site),
                lambda rid: [Write(rid, [Draft("run.started", at, {})], RunUpdate("active"))],
            )[0]
            for _ in range(2)
        ]  # fmt: skip
        start.wait()  # type: ignore[attr-defined]
        for i in range(ROUNDS):
            said = [_due(f"a{i}"), _due(f"b{i}")]
            if number % 2:
                said.reverse()
            journal.write(
                [
                    Write(run, [Draft("note.added", at, {"i": i})],
                          RunUpdate("active", dues=[said[k], _due(f"c{i}")]))
                    for k, run in enumerate(runs)
                ]
            )  # fmt: skip


def _due(step: str) -> dict[str, object]:
    return {
        "kind": "due", "due": "2026-11-25", "procedure": "visit", "procedure_title": "来访",
        "step": step, "title": f"第 {step} 步", "text": "当天", "stage": None, "role": "host",
        "role_title": "接待员",
    }  # fmt: skip


def test_writers_at_ten_sites_bringing_the_same_new_words_at_once(pg_url: str) -> None:
    """A deadline's words are stored once (due_words): twenty writers at ten
    sites inserting the same new words at once, in crossed orders, neither
    deadlock nor lose a deadline, and each words text is stored once."""
    from engine.journal.store import Journal as AnyStore
    from tests.journal_stores import raw

    Journal(pg_url).close()
    ctx = multiprocessing.get_context("fork")
    writers = 2 * SITES
    start = ctx.Barrier(writers + 1)
    procs = [ctx.Process(target=_words_writer, args=(pg_url, n, start)) for n in range(writers)]
    for p in procs:
        p.start()
    start.wait(120)
    for p in procs:
        p.join(300)
    assert [p.exitcode for p in procs] == [0] * writers, "a writer failed (deadlock, lost write)"
    with raw(pg_url) as db:
        assert db.execute("SELECT COUNT(*), COUNT(DISTINCT data) FROM due_words").fetchone() == (
            3 * ROUNDS,
            3 * ROUNDS,
        )
        assert db.execute("SELECT COUNT(*) FROM dues WHERE words IS NULL").fetchone() == (0,)
    with Journal(pg_url, write=False) as journal:
        listed = journal.call_rows("2026-11-30")
        assert len(listed) == 2 * 2 * writers
        assert listed == AnyStore.call_rows(journal, "2026-11-30")
        assert journal.verify().ok
        assert not journal.file_problems()
