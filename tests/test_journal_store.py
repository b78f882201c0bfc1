"""The journal store: append-only, hash-chained, versioned, safe to share —
on both stores (an SQLite file and a PostgreSQL database) where the test
says `store`."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from engine.errors import JournalConflict, JournalError
from engine.journal import (
    Damaged,
    Draft,
    DueRow,
    Event,
    Journal,
    NewRun,
    RunFilter,
    RunUpdate,
    Write,
    schema,
    snapshot_sha,
)
from engine.journal.rows import call_row
from tests.journal_stores import is_pg, raw, refused, tamper

FILES = {"rulebook.yaml": "title: x\n"}


def _new(
    journal: Journal,
    procedure: str = "visit",
    site: str | None = None,
    at: str = "2026-11-22T10:00:00+08:00",
) -> int:
    run, _ = journal.start_run(
        NewRun(
            procedure,
            "样板房服务流程",
            "service",
            at,
            snapshot_sha(FILES),
            "proc-sha",
            FILES,
            "张三",
            site,
        ),
        lambda rid: [
            Write(
                rid,
                [Draft("run.started", at, {"procedure": procedure})],
                RunUpdate("active", "greet"),
            )
        ],
    )
    return run


def _note(journal: Journal, run: int, text: str, expect: int | None = None) -> int:
    events = journal.write(
        [
            Write(
                run,
                [Draft("note.added", "2026-11-22T10:01:00+08:00", {"text": text})],
                RunUpdate("active", "greet"),
                expect,
            )
        ]
    )
    return events[-1].seq


def test_events_cannot_be_updated_or_deleted(store: str) -> None:
    with Journal(store) as journal:
        run = _new(journal)
        _note(journal, run, "第一条")
    for statement in (
        "UPDATE events SET data = '{}'",
        "DELETE FROM events",
        "DELETE FROM snapshots",
        "UPDATE snapshots SET files = '{}'",
        "DELETE FROM runs",
        "UPDATE runs SET procedure = 'x'",
    ):
        why = refused(store, statement) or ""
        assert "append-only" in why or "cannot" in why, (statement, why)
    if is_pg(store):
        # Summaries are rewritten only by the store's own transactions.
        due = {"kind": "due", "due": "2026-12-01", "procedure": "visit", "text": "签约日后 7 天",
               "procedure_title": "样板房服务流程", "step": "call", "title": "回访"}  # fmt: skip
        with Journal(store) as journal:
            journal.write([Write(run, [Draft("note.added", "2026-11-22T10:02:00+08:00", {})],
                                 RunUpdate("active", "greet", dues=[due]))])  # fmt: skip
        for statement in (
            "TRUNCATE events",
            "TRUNCATE runs CASCADE",
            "UPDATE runs SET status = 'finished'",
            "DELETE FROM dues",
            "UPDATE dues SET words = NULL",
            "UPDATE due_words SET data = '{}'",
            "DELETE FROM due_words",
            "TRUNCATE due_words CASCADE",
        ):
            why = refused(store, statement) or ""
            assert "append-only" in why or "only by sop" in why, (statement, why)
    with Journal(store, write=False) as journal:
        assert journal.count_events() == (3 if is_pg(store) else 2)
        assert journal.verify().ok


def test_chain_verifies_and_names_the_first_broken_link(store: str) -> None:
    with Journal(store) as journal:
        run = _new(journal)
        for i in range(5):
            _note(journal, run, f"备注 {i}")
        good = journal.verify()
        assert good.ok and good.events == 6
    # Someone with a SQL shell puts the guard aside and edits history.
    tamper(store, """UPDATE events SET data = '{"text":"改过"}' WHERE seq = 3""")
    with Journal(store) as journal:
        bad = journal.verify()
    assert not bad.ok and bad.broken_at == 3 and bad.reason == "content"


def test_a_deleted_event_is_seen(store: str) -> None:
    """Where numbers run without gaps, a gap; where they may skip (a shared
    store), the next event no longer names the one before it."""
    with Journal(store) as journal:
        run = _new(journal)
        for i in range(3):
            _note(journal, run, f"备注 {i}")
    tamper(store, "DELETE FROM events WHERE seq = 2")
    with Journal(store) as journal:
        bad = journal.verify()
    assert bad.broken_at == 3 and bad.reason == ("link" if is_pg(store) else "gap")


def test_a_rewritten_link_breaks_the_chain(store: str) -> None:
    with Journal(store) as journal:
        run = _new(journal)
        _note(journal, run, "a")
        _note(journal, run, "b")
    tamper(store, "UPDATE events SET prev = 'f' || substr(prev, 2) WHERE seq = 2")
    with Journal(store) as journal:
        assert journal.verify().broken_at == 2


def test_schema_is_versioned_and_a_newer_journal_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    Journal(str(path)).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone() == (schema.VERSION,)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    db.execute(f"PRAGMA user_version = {schema.VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(JournalError, match="更新版本"):
        Journal(str(path))


def test_opening_again_keeps_everything(store: str) -> None:
    with Journal(store) as journal:
        run = _new(journal)
    with Journal(store) as journal:
        assert [e.kind for e in journal.events(run)] == ["run.started"]
        assert journal.snapshot(snapshot_sha(FILES)) == FILES


def test_a_stale_writer_is_refused(store: str) -> None:
    """Two terminals resuming the same run: the second one's write fails
    instead of interleaving answers."""
    with Journal(store) as journal:
        run = _new(journal)
        seen = journal.run(run)
        assert seen is not None
        _note(journal, run, "一", expect=seen.last_seq)
        with pytest.raises(JournalConflict):
            _note(journal, run, "二", expect=seen.last_seq)
        assert journal.verify().ok


def test_several_writes_to_one_run_go_in_one_batch(store: str) -> None:
    """What a web request does up to its next question (an answer, the
    step's way out, the next step's arrival, another run's link between)
    is one transaction: each write follows the one before on its run, the
    first checks the run has not moved, and a stale batch writes nothing."""
    at = "2026-11-22T10:01:00+08:00"
    with Journal(store) as journal:
        run, other = _new(journal), _new(journal)
        seen = journal.run(run)
        assert seen is not None

        def batch(expect: int) -> list[Write]:
            return [
                Write(run, [Draft("input.answered", at, {"n": 1})], RunUpdate("active", "greet"),
                      expect),
                Write(other, [Draft("note.added", at, {"n": 2})], RunUpdate("active", "greet")),
                Write(run, [Draft("branch.taken", at, {"n": 3}),
                            Draft("step.entered", at, {"n": 4})], RunUpdate("active", "tour")),
                Write(run, [], RunUpdate("waiting", "tour")),  # a summary alone
            ]  # fmt: skip

        written = journal.write(batch(seen.last_seq))
        assert [e.data["n"] for e in written] == [1, 2, 3, 4]
        assert [e.seq for e in written] == sorted(e.seq for e in written)
        after = journal.run(run)
        assert after is not None
        assert (after.last_seq, after.events, after.status, after.step) == (
            written[-1].seq, 4, "waiting", "tour"
        )  # fmt: skip
        assert [e.kind for e in journal.events(run)][1:] == [
            "input.answered", "branch.taken", "step.entered"
        ]  # fmt: skip
        with pytest.raises(JournalConflict):  # sent again for the run as it was: nothing
            journal.write(batch(seen.last_seq))
        assert journal.count_events() == 6
        assert journal.verify().ok


def test_runs_filter_by_status_procedure_site_and_date(store: str) -> None:
    with Journal(store) as journal:
        a = _new(journal, "visit", "一号案场", "2026-11-20T10:00:00+08:00")
        b = _new(journal, "fire", "二号案场", "2026-11-22T10:00:00+08:00")
        journal.write(
            [
                Write(
                    b,
                    [Draft("run.finished", "2026-11-22T11:00:00+08:00", {})],
                    RunUpdate("finished", outcome="handled"),
                )
            ]
        )
        ids = lambda f: [r.id for r in journal.runs(f)]  # noqa: E731
        assert ids(RunFilter()) == [b, a]
        assert ids(RunFilter(statuses=("finished",))) == [b]
        assert ids(RunFilter(procedure="visit")) == [a]
        assert ids(RunFilter(site="二号案场")) == [b]
        assert ids(RunFilter(since="2026-11-21")) == [b]
        assert ids(RunFilter(until="2026-11-21")) == [a]
        row = journal.run(b)
        assert row is not None and row.outcome == "handled" and row.events == 2


def test_summary_tampering_is_found(store: str) -> None:
    with Journal(store) as journal:
        run = _new(journal)
        _note(journal, run, "a")
    tamper(store, "UPDATE runs SET events = 7")
    with Journal(store) as journal:
        result = journal.verify()
    assert result.reason == "summary" and not result.ok


def _rechain(path: Path, drop: int | None = None) -> None:
    """The journal's events put on one chain per site, as a store that keeps
    a chain per site writes them (and as `sop journal copy` brings them
    over): each event's `prev` is the last event of its own site's."""
    from engine.journal.events import GENESIS, chain_hash

    db = sqlite3.connect(path)
    triggers = db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        db.execute(f"DROP TRIGGER {name}")
    rows = db.execute(
        "SELECT e.seq, e.run, e.at, e.kind, e.actor, e.data, r.site FROM events e "
        "JOIN runs r ON r.id = e.run ORDER BY e.seq"
    ).fetchall()
    heads: dict[str, str] = {}
    for seq, run, at, kind, actor, data, site in rows:
        chain = site or ""
        prev = heads.get(chain, GENESIS)
        digest = chain_hash(prev, seq, run, at, kind, actor, data)
        db.execute(
            "UPDATE events SET chain = ?, prev = ?, hash = ? WHERE seq = ?",
            (chain, prev, digest, seq),
        )
        heads[chain] = digest
    if drop is not None:
        db.execute("DELETE FROM events WHERE seq = ?", (drop,))
        db.execute("INSERT INTO meta VALUES ('seq', 'sparse')")
    for (sql,) in triggers:
        db.execute(sql)
    db.commit()
    db.close()


def test_each_site_chain_is_walked_on_its_own_links(tmp_path: Path) -> None:
    from engine.journal.audit import audit

    path = tmp_path / "j.db"
    with Journal(str(path)) as journal:
        a = _new(journal, site="一号案场")
        b = _new(journal, site="二号案场")
        for i in range(3):
            _note(journal, a, f"a{i}")
            _note(journal, b, f"b{i}")
    _rechain(path)
    with Journal(str(path), write=False) as journal:
        assert journal.verify().ok
        heads = {h.chain: (h.seq, h.events) for h in journal.heads()}
        assert heads == {"一号案场": (7, 4), "二号案场": (8, 4)}
        report = audit(journal)
        assert [(c.chain, c.events) for c in report.chains] == [("一号案场", 4), ("二号案场", 4)]
        # A head written down at one site is found on its own chain.
        (early,) = [e.hash for e in journal.events(a) if e.seq == 3]
        anchored = audit(journal, expect=early[:12])
        assert anchored.anchor is not None and anchored.anchor.chain == "一号案场"
        assert anchored.anchor.since == 2  # events 5 and 7; site two's do not count
    with Journal(str(path)) as journal:  # a new write goes on the file's own chain
        _note(journal, a, "after")
        assert journal.verify().ok
        assert {h.chain for h in journal.heads()} == {"", "一号案场", "二号案场"}


def test_a_deleted_event_on_a_site_chain_breaks_that_chain(tmp_path: Path) -> None:
    """Where sequence numbers may have gaps, a deleted event is still seen:
    the next event of its chain does not name the one before it."""
    path = tmp_path / "j.db"
    with Journal(str(path)) as journal:
        a = _new(journal, site="一号案场")
        b = _new(journal, site="二号案场")
        for i in range(3):
            _note(journal, a, f"a{i}")
            _note(journal, b, f"b{i}")
    _rechain(path, drop=4)  # site two's second event
    with Journal(str(path), write=False) as journal:
        assert not journal.dense
        bad = journal.verify()
        assert (bad.broken_at, bad.reason) == (6, "link")


def test_each_site_writes_on_its_own_chain(pg_url: str) -> None:
    """In the shared store each site's events form a chain of their own."""
    with Journal(pg_url) as journal:
        a = _new(journal, site="一号案场")
        b = _new(journal, site="二号案场")
        c = _new(journal)
        for i in range(3):
            for run in (a, b, c):
                _note(journal, run, f"{run}-{i}")
        heads = {h.chain: h.events for h in journal.heads()}
        assert heads == {"一号案场": 4, "二号案场": 4, "": 4}
        for run in (a, b, c):
            events = journal.events(run)
            assert [e.prev for e in events[1:]] == [e.hash for e in events[:-1]]
        assert journal.verify().ok
        assert not journal.dense


def test_a_postgres_journal_from_a_newer_sop_is_refused(pg_url: str) -> None:
    Journal(pg_url).close()
    with raw(pg_url) as db:
        db.execute("UPDATE sop_journal SET value = '99' WHERE key = 'format'")
    for write in (True, False):
        with pytest.raises(JournalError, match="更新版本"):
            Journal(pg_url, write=write)


def test_a_format_1_postgres_journal_is_brought_to_format_2_and_verifies(pg_url: str) -> None:
    """A journal as PostgreSQL's format 1 held it (deadlines as JSON only) is
    read as it is by a reader, and brought to format 2 by the first writer:
    every deadline split, the same call list, a clean verify."""
    from engine.journal import pg_schema
    from engine.journal.store import Journal as AnyStore

    with Journal(pg_url) as journal:
        runs = [_new(journal, site=site) for site in ("一号案场", "二号案场", None)]
        for n, run in enumerate(runs):
            dues = [_deadline("greet", f"2026-11-2{n}"), _deadline("call", "2026-11-25")]
            journal.write([Write(run, [], RunUpdate("active", "greet", "迎宾", dues=dues))])
        journal.write([Write(runs[2], [], RunUpdate("finished", dues=dues))])
    # Format 1, as sop before format 2 made it: what format 2 added taken away.
    with raw(pg_url) as db:
        for statement in (
            "DROP TABLE due_words",
            "DROP INDEX dues_listed",
            "DROP INDEX runs_listed",
            "ALTER TABLE dues DROP COLUMN due, DROP COLUMN since, DROP COLUMN low, "
            "DROP COLUMN high, DROP COLUMN words",
            "CREATE INDEX dues_by_key ON dues(due_key)",
            "UPDATE sop_journal SET value = '1' WHERE key = 'format'",
        ):
            db.execute(statement)
    with Journal(pg_url, write=False) as journal:
        assert journal.version == 1
        assert journal.file_problems() == []
        before = journal.call_rows("2026-11-30")
        assert before == AnyStore.call_rows(journal, "2026-11-30") and len(before) == 4
        assert journal.verify().ok
    Journal(pg_url).close()  # the first writer brings it up to date
    with Journal(pg_url, write=False) as journal:
        assert journal.version == pg_schema.VERSION == 2
        assert journal.call_rows("2026-11-30") == before
        assert journal.file_problems() == []
        assert journal.verify().ok
        assert all(not isinstance(e, Damaged) for e in journal.due_entries())
    with raw(pg_url) as db:
        split = db.execute("SELECT COUNT(*), COUNT(words), COUNT(DISTINCT words) FROM dues")
        assert split.fetchone() == (4, 4, 2)


def test_a_deadline_too_long_for_the_words_index_is_kept_and_listed(store: str) -> None:
    """Words longer than PostgreSQL's index takes (a rule of thousands of
    characters) are not split there: the write succeeds, the list reads that
    deadline from its JSON, verify finds nothing wrong."""
    from engine.journal.store import Journal as AnyStore

    rule = "".join(chr(0x4E00 + i * 7919 % 20000) for i in range(3000))  # not compressible
    long = {**_deadline("greet", "2026-11-25"), "text": rule}
    with Journal(store) as journal:
        run = _new(journal, site="一号案场")
        dues = [long, _deadline("call", "2026-11-26")]
        journal.write([Write(run, [], RunUpdate("active", "greet", "迎宾", dues=dues))])
    with Journal(store, write=False) as journal:
        listed = journal.call_rows("2026-11-30")
        assert listed == AnyStore.call_rows(journal, "2026-11-30") and len(listed) == 2
        assert listed[0].due.words.text == long["text"]  # type: ignore[union-attr]
        assert journal.verify().ok
        assert all(not isinstance(e, Damaged) for e in journal.due_entries())


def _deadline(step: str, day: str) -> dict[str, object]:
    return {
        "kind": "due", "due": day, "procedure": "visit", "procedure_title": "样板房",
        "step": step, "title": step, "text": "当天", "stage": None, "role": "host",
        "role_title": "接待员",
    }  # fmt: skip


def test_a_database_that_is_not_a_journal_is_refused_unchanged(pg_url: str) -> None:
    with raw(pg_url) as db:
        db.execute("CREATE TABLE orders (id int PRIMARY KEY, total numeric)")
        db.execute("INSERT INTO orders VALUES (1, 9.5)")
    for write in (True, False):
        with pytest.raises(JournalError, match=r"不是 sop 的日志.*orders"):
            Journal(pg_url, write=write)
    with raw(pg_url) as db:
        tables = db.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
        assert tables == [("orders",)]


def test_an_empty_database_becomes_a_journal_only_by_recording(pg_url: str) -> None:
    with pytest.raises(JournalError, match="还没有日志"):
        Journal(pg_url, write=False)
    with raw(pg_url) as db:
        assert db.execute(
            "SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone() == (0,)
    with Journal(pg_url) as journal:
        _new(journal, site="一号案场")
    with Journal(pg_url, write=False) as journal:
        assert journal.count_events() == 1


def test_a_role_that_may_only_read_reads_and_is_told_why_it_cannot_record(pg_url: str) -> None:
    """The managers' view, a replica or an auditor's login: SELECT only."""
    with Journal(pg_url) as journal:
        run = _new(journal, site="一号案场")
        _note(journal, run, "给审计看的")
    name = pg_url.rsplit("/", 1)[1]
    with raw(pg_url) as db:
        db.execute("CREATE ROLE auditor LOGIN")
        db.execute(f"GRANT CONNECT ON DATABASE {name} TO auditor")
        db.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO auditor")
    reader = pg_url.replace("sop@", "auditor@")
    with Journal(reader, write=False) as journal:
        assert journal.verify().ok and journal.file_problems() == []
        assert [e.data.get("text") for e in journal.events(run)][1:] == ["给审计看的"]
    with Journal(reader) as journal, pytest.raises(JournalError, match="只允许读取"):
        _note(journal, run, "不该写进去")
    with Journal(pg_url, write=False) as journal:
        assert journal.count_events() == 2


@pytest.mark.parametrize("both", [False, True])
def test_a_site_held_too_long_is_named_and_nothing_is_written(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, both: bool
) -> None:
    """Another program holding a site's chain: the writer gives up after the
    lock timeout, names that site (also when the write spans two sites, the
    other one free) and writes nothing."""
    from engine.journal import pg_schema, postgres

    monkeypatch.setattr(postgres, "LOCK_TIMEOUT", "300ms")
    with Journal(pg_url) as journal:
        a = _new(journal, site="一号案场")
        b = _new(journal, site="二号案场")
        note = [Draft("note.added", "2026-11-22T10:01:00+08:00", {"text": "x"})]
        writes = [Write(r, note, RunUpdate("active")) for r in ((a, b) if both else (a,))]
        with raw(pg_url) as holder:
            holder.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
                (pg_schema.LOCK_SPACE, "一号案场"),
            )
            with pytest.raises(JournalError, match=r"一号案场.*300ms"):
                journal.write(writes)
        _note(journal, b, "later")  # the connection is usable again
        assert journal.count_events() == 3


def test_sites_and_the_roles_of_open_deadlines_are_read_without_every_run(store: str) -> None:
    """What `sop due --site/--role` checks a name against, asked of the
    journal as names (at a thousand sites, not every run read whole)."""
    due = {
        "kind": "within", "due": "2026-11-22T11:00:00+08:00", "since": "2026-11-22T10:00:00+08:00",
        "procedure": "visit", "procedure_title": "样板房", "step": "greet", "title": "迎宾",
        "role": "host", "role_title": "样板房客服", "text": "1h",
    }  # fmt: skip
    with Journal(store) as journal:
        assert journal.sites() == [] and journal.due_roles() == {}
        for site in ("二号案场", "一号案场", None, "一号案场"):
            run = _new(journal, site=site)
        journal.write([Write(run, [], RunUpdate("active", "greet", "迎宾", dues=[due]))])
        assert journal.sites() == ["一号案场", "二号案场"]
        assert journal.due_roles() == {"host": "样板房客服"}


def test_the_starts_of_a_procedures_runs_are_read_in_one_go(store: str) -> None:
    """Which runs a scheduled procedure's occurrences have: every run's
    `run.started`, however long ago it was written, and no other kind."""
    with Journal(store) as journal:
        first = _new(journal, "patrol", at="2026-01-02T10:00:00+08:00")
        _new(journal, "visit")
        second = _new(journal, "patrol")
        _note(journal, first, "x")
        started = journal.started("patrol")
        assert [(e.run, e.kind) for e in started if isinstance(e, Event)] == [
            (first, "run.started"),
            (second, "run.started"),
        ]
        assert journal.started("nothing") == []


def test_the_starts_of_a_window_of_occurrences(store: str) -> None:
    """With a window, only the starts whose occurrence falls in it — and
    one that cannot be read (the caller skips it; verify names it)."""
    from engine.journal.store import in_window

    def start(key: object) -> int:
        at = "2026-11-22T10:00:00+08:00"
        data: dict[str, object] = {"procedure": "patrol"}
        if key is not None:
            data["occurrence"] = key
        run, _ = journal.start_run(
            NewRun("patrol", "巡查", "service", at, snapshot_sha(FILES), "p", FILES, "张三", None),
            lambda rid: [Write(rid, [Draft("run.started", at, data)], RunUpdate("active", "a"))],
        )
        return run

    with Journal(store) as journal:
        keys = [
            "2025-11-20T10:00", "2026-11-30", "2026-12-01", "2026-12-01T23:59",
            "2026-12-07T08:00", "2026-12-07T23:00", "2026-12-08", "2027-01-01T00:00", None, 7,
        ]  # fmt: skip
        runs = {start(k): k for k in keys}
        window = ("2026-12-01", "2026-12-07~")
        every = journal.started("patrol")
        assert len(every) == len(keys)
        some = journal.started("patrol", window)
        assert [e.data.get("occurrence") for e in some if isinstance(e, Event)] == [
            "2026-12-01", "2026-12-01T23:59", "2026-12-07T08:00", "2026-12-07T23:00"
        ]  # fmt: skip
        assert some == [e for e in every if in_window(e, window)]
        broken = next(r for r, k in runs.items() if k == "2026-12-08")
    # A start whose data is not JSON is still read (as damaged) in the window.
    tamper(store, f"UPDATE events SET data = '{{' WHERE run = {broken}")
    with Journal(store, write=False) as journal:
        some = journal.started("patrol", window)
        assert [e.run for e in some if isinstance(e, Damaged)] == [broken]
        assert len([e for e in some if isinstance(e, Event)]) == 4


def test_the_starts_at_one_site(store: str) -> None:
    """`at`: only the runs at that site — or, for None, those recorded
    without one — in either store (SQL's NULL never equals NULL)."""
    with Journal(store) as journal:
        here = _new(journal, "patrol", site="一号案场")
        _new(journal, "patrol", site="二号案场")
        nowhere = _new(journal, "patrol")
        _new(journal, "visit", site="一号案场")
        runs = [e.run for e in journal.started("patrol", None, ("一号案场",))]
        assert runs == [here]
        assert [e.run for e in journal.started("patrol", None, (None,))] == [nowhere]
        assert len(journal.started("patrol")) == 3


def test_the_call_list_reads_a_deadline_with_its_runs_few_columns(store: str) -> None:
    due = {
        "kind": "within", "due": "2026-11-22T11:00:00+08:00", "since": "2026-11-22T10:00:00+08:00",
        "procedure": "visit", "procedure_title": "样板房", "step": "greet", "title": "迎宾",
        "text": "1h",
    }  # fmt: skip
    later = {**due, "due": "2026-12-22T11:00:00+08:00"}
    with Journal(store) as journal:
        run = _new(journal, site="一号案场")
        journal.write([Write(run, [], RunUpdate("active", "greet", "迎宾", dues=[due, later]))])
        # The call list reads a line's few columns; `sop notify` writes the summary back.
        assert journal.call_rows("2026-11-30") == [call_row(run, "一号案场", None, due)]
        assert journal.call_rows("2026-11-30", site="二号案场") == []
        assert journal.call_rows("2026-11-21") == []
        whole = journal.dues("2026-11-30")
        assert [(r.run.dues, r.due) for r in whole if isinstance(r, DueRow)] == [
            ((due, later), due)
        ]


def test_a_call_rows_damaged_column_is_named_and_the_rest_read() -> None:
    from engine.journal.events import BadText
    from engine.journal.rows import call_row, parse_call_row

    due = {
        "kind": "due", "due": "2026-12-01", "procedure": "visit", "procedure_title": "到访",
        "step": "call", "title": "回访", "text": "签约日后 7 天",
    }  # fmt: skip
    data = json.dumps(due, ensure_ascii=False)
    assert parse_call_row((3, 0, data, "一号案场", "王女士")) == call_row(
        3, "一号案场", "王女士", due
    )
    assert parse_call_row((3, 0, data, None, None)) == call_row(3, None, None, due)
    assert parse_call_row((3, 0, f" {data}\n", None, None)) == call_row(3, None, None, due)
    # A column of the run: the run's summary is damaged.
    for row, column, kind in (
        ((3, 0, data, 7, None), "site", "type"),
        ((3, 0, data, None, BadText("王�")), "subject", "text"),
        (("3", 0, data, None, None), "id", "type"),
    ):
        bad = parse_call_row(row)
        assert isinstance(bad, Damaged) and (bad.table, bad.column, bad.kind) == (
            "runs",
            column,
            kind,
        ), row
    # The deadline itself: the index's row is damaged.
    for text, kind in (
        ("{", "json"),
        ("[]", "shape"),
        (json.dumps({**due, "text": 7}), "shape"),
        (BadText("{"), "text"),
    ):
        bad = parse_call_row((3, 1, text, None, None))
        assert isinstance(bad, Damaged) and (bad.table, bad.key, bad.run, bad.kind) == (
            "dues",
            "3/1",
            3,
            kind,
        ), text


def test_format_5_lists_what_each_deadlines_json_says(
    store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The split (SQLite's format 5, PostgreSQL's format 2) reads each
    distinct deadline text once, and when a deadline falls from columns of
    its own: what it lists is what the deadlines' JSON says (read the way
    every store can), a damaged one named the same way."""
    from engine.journal import pg_schema, postgres, sqlite_store
    from engine.journal.store import Journal as AnyStore

    said = {
        "procedure": "visit", "procedure_title": "样板房", "step": "greet", "title": "迎宾",
        "text": "1h", "stage": None, "role": "host", "role_title": "接待员",
    }  # fmt: skip
    moment = "2026-11-22T10:00:00+08:00"
    dues = [
        {**said, "kind": "within", "due": "2026-11-22T11:00:00+08:00", "since": moment},
        {**said, "kind": "due", "due": "2026-11-25", "anchor": "visited", "anchor_title": "到访",
         "text_en": "on the visit", "stage": "接待"},
        {**said, "kind": "every", "since": moment, "low": 3600, "high": 5400,
         "timeout_title": "上报"},
        {**said, "kind": "at", "due": "2026-11-22T21:00:00+08:00", "title": "闭店", "role": None,
         "role_title": None},
    ]  # fmt: skip
    with Journal(store) as journal:
        runs = [_new(journal, site=site) for site in ("一号案场", "二号案场", None)]
        for run in runs:
            journal.write([Write(run, [], RunUpdate("active", "greet", "迎宾", dues=dues))])
    with raw(store) as db:
        counted = db.execute("SELECT COUNT(DISTINCT words), COUNT(*) FROM dues").fetchone()
    assert counted == (4, 12)
    # Not split as sop splits (read from the JSON), and a JSON that is not a deadline.
    retitled = (
        "(data::jsonb || '{\"title\": 7}')::text"
        if is_pg(store)
        else "json_set(data, '$.title', 7)"
    )
    tamper(
        store,
        f"UPDATE dues SET words = NULL WHERE run = {runs[0]} AND n = 0",
        f"UPDATE dues SET data = {retitled}, words = NULL WHERE run = {runs[1]} AND n = 1",
    )
    module: object = postgres if is_pg(store) else sqlite_store
    # SQLite reads the words by their ids a few hundred at a time: here 3 (of 4).
    monkeypatch.setattr(sqlite_store, "_IDS_AT_ONCE", 3)
    with Journal(store, write=False) as journal:
        assert journal.version == (pg_schema.VERSION if is_pg(store) else schema.VERSION)
        for until, site, role in (
            ("2026-11-30", None, None),
            ("2026-11-22", None, None),
            ("2026-11-30", "一号案场", None),
            ("2026-11-30", None, "host"),
        ):
            listed = journal.call_rows(until, site=site, role=role)
            assert listed == AnyStore.call_rows(journal, until, site=site, role=role)
        from_json: list[object] = []
        parse = sqlite_store.parse_call_row
        monkeypatch.setattr(module, "parse_call_row", lambda r: from_json.append(r) or parse(r))
        listed = journal.call_rows("2026-11-30")
        assert len(from_json) == 2  # only the two not split as sop splits
        damaged = [r for r in listed if isinstance(r, Damaged)]
        assert [(d.key, d.kind, d.detail) for d in damaged] == [(f"{runs[1]}/1", "shape", "title")]
        assert len(listed) == 12
        # Verify names both: a split that is not its data's.
        found = [e for e in journal.due_entries() if isinstance(e, Damaged)]
        assert [(d.key, d.column) for d in found] == [
            (f"{runs[0]}/0", "words"), (f"{runs[1]}/1", "words")
        ]  # fmt: skip
