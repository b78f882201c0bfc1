"""The journal's tables, as numbered migrations (`PRAGMA user_version`).

A migration is a tuple of statements run in one transaction; a journal made
by an older sop is brought up to date when opened, and one made by a newer
sop is refused rather than misread. Never edit a released migration: add one.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from engine.journal.events import WHEN, Damaged, canonical
from engine.journal.sqlite_file import APPLICATION_ID

if TYPE_CHECKING:
    from engine.journal.bulk import DueEntry

_APPEND_ONLY = (
    "CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
    "BEGIN SELECT RAISE(ABORT, 'journal {table} are append-only: cannot update'); END",
    "CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
    "BEGIN SELECT RAISE(ABORT, 'journal {table} are append-only: cannot delete'); END",
)

# The text of format 1, unchanged (a released migration is never edited).
_RUNS_IDENTITY = (
    "CREATE TRIGGER runs_identity BEFORE UPDATE OF id, procedure, title, kind, operator, site,\n"
    "        started_at, rulebook_sha, procedure_sha, parent ON runs\n"
    "        BEGIN SELECT RAISE(ABORT, 'a run''s identity cannot change'); END"
)

_V1: tuple[str, ...] = (
    """CREATE TABLE events (
        seq   INTEGER PRIMARY KEY,   -- global order, and the order of the hash chain
        run   INTEGER NOT NULL REFERENCES runs(id),
        at    TEXT NOT NULL,         -- ISO 8601 with UTC offset
        kind  TEXT NOT NULL,
        actor TEXT,
        data  TEXT NOT NULL,         -- canonical JSON
        prev  TEXT NOT NULL,         -- hash of the previous event
        hash  TEXT NOT NULL
    )""",
    "CREATE INDEX events_by_run ON events(run, seq)",
    *(s.format(table="events") for s in _APPEND_ONLY),
    # The pinned rulebooks, by content hash: a run resumes on the exact text it began with.
    """CREATE TABLE snapshots (
        sha   TEXT PRIMARY KEY,
        files TEXT NOT NULL          -- JSON {relative path: text}
    )""",
    *(s.format(table="snapshots") for s in _APPEND_ONLY),
    # A summary of each run, rewritten in the same transaction as its events,
    # so listing runs and deadlines never has to scan the events.
    """CREATE TABLE runs (
        id            INTEGER PRIMARY KEY,
        procedure     TEXT NOT NULL,
        title         TEXT NOT NULL,
        kind          TEXT NOT NULL,
        operator      TEXT,
        site          TEXT,
        started_at    TEXT NOT NULL,
        rulebook_sha  TEXT NOT NULL REFERENCES snapshots(sha),
        procedure_sha TEXT NOT NULL,
        parent        INTEGER REFERENCES runs(id),
        status        TEXT NOT NULL,
        step          TEXT,
        step_title    TEXT,
        outcome       TEXT,
        updated_at    TEXT NOT NULL,
        last_seq      INTEGER NOT NULL DEFAULT 0,
        events        INTEGER NOT NULL DEFAULT 0,
        dues          TEXT           -- JSON list of open deadlines, NULL when none
    )""",
    "CREATE INDEX runs_by_status ON runs(status, started_at)",
    "CREATE INDEX runs_by_started ON runs(started_at)",
    "CREATE INDEX runs_by_procedure ON runs(procedure, started_at)",
    _RUNS_IDENTITY,
    "CREATE TRIGGER runs_no_delete BEFORE DELETE ON runs "
    "BEGIN SELECT RAISE(ABORT, 'journal runs cannot be deleted'); END",
)


def due_key(due: Mapping[str, Any]) -> str:
    """How a deadline sorts: the site's wall-clock date (journey touchpoints)
    or date and time, without the UTC offset; a recurring task sorts by its start."""
    text = str(due.get("due") or due.get("since") or "")
    return text[:19]


def due_query(
    columns: str,
    until: str,
    site: str | None,
    role: str | None,
    mark: str = "?",
    runs: str = "runs r",
) -> tuple[str, list[Any]]:
    """The open deadlines by `until` through the date index, earliest first:
    the SQL (with the store's placeholder `mark`) and its arguments."""
    sql = (
        f"SELECT {columns} FROM dues d JOIN {runs} ON r.id = d.run "
        f"WHERE d.due_key <= {mark} AND r.status != 'finished'"
    )
    args: list[Any] = [until + "~"]  # "~" sorts after "T...": all of that day
    if site is not None:
        sql += f" AND r.site = {mark}"
        args.append(site)
    if role is not None:
        sql += f" AND d.role = {mark}"
        args.append(role)
    return sql + " ORDER BY d.due_key, d.run, d.n", args


def due_rows(run: int, dues: Iterable[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
    return [
        (run, n, due_key(d), str(d.get("kind", "")), d.get("role"), canonical(d))
        for n, d in enumerate(dues)
    ]


# When a deadline falls, and its words (canonical JSON), as format 5 keeps
# them beside its `data`; all None when its when-values are not texts and
# whole numbers a database column holds (then a reader decodes `data`, and
# `journal verify` checks it).
NO_SPLIT: tuple[None, None, None, None, None] = (None, None, None, None, None)
_INT64 = range(-(2**63), 2**63)


def due_split(due: object) -> tuple[Any, Any, Any, Any, str | None]:
    """(due, since, low, high, words) of a stored deadline (format 5)."""
    if not isinstance(due, Mapping):
        return NO_SPLIT
    when = due.get("due"), due.get("since"), due.get("low"), due.get("high")
    if any(
        v is not None and type(v) is not str and not (type(v) is int and v in _INT64)
        for v in when
    ):
        return NO_SPLIT
    return (*when, canonical({k: v for k, v in due.items() if k not in WHEN}))


# The largest words text a store with typed columns keeps (PostgreSQL: its
# UNIQUE btree index takes an entry of at most ~2,700 bytes).
TYPED_WORDS_MAX = 2000


def typed_split(split: Sequence[Any]) -> tuple[Any, ...]:
    """`split` (`due_split`) as a store with typed columns keeps it — due and
    since text, low and high 64-bit whole numbers, words short enough for its
    index — or NO_SPLIT when it cannot (then its readers decode `data`)."""
    due, since, low, high, words = split
    if (
        all(v is None or (type(v) is str and "\x00" not in v) for v in (due, since))
        and all(v is None or (type(v) is int and v in _INT64) for v in (low, high))
        and (words is None or len(words.encode("utf-8", "surrogatepass")) <= TYPED_WORDS_MAX)
    ):
        return tuple(split)
    return NO_SPLIT


def split_rows(rows: Iterable[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """Deadline index rows (run, n, due_key, kind, role, data) with format 5's
    split of `data` after them (`due_split`), for `INSERT_DUE`."""
    out = []
    for row in rows:
        try:
            due = json.loads(row[5])
        except (TypeError, ValueError, RecursionError):
            due = None
        when = due_split(due)
        out.append((*row, *when))
    return out


SPLIT = ("due", "since", "low", "high", "words")  # the split's columns beside a deadline's data


def split_damage(entry: DueEntry, have: Sequence[Any], typed: bool = False) -> Damaged | None:
    """A deadline whose stored split (due, since, low, high, and its words'
    text) is not what its `data` says, named by the first column that differs
    (`sop journal verify`, and `sop journal copy` which refuses it)."""
    row = (entry.run, entry.n, entry.due_key, entry.kind, entry.role, entry.data)
    wanted = split_rows([row])[0][6:]
    if typed:  # as a store with typed columns keeps it
        wanted = typed_split(wanted)
    for column, value, want in zip(SPLIT, have, wanted, strict=True):
        if value != want or type(value) is not type(want):
            key = f"{entry.run}/{entry.n}"
            return Damaged("dues", key, entry.run, "value", column, str(value)[:40])
    return None


# A deadline's words are stored once however many deadlines say them.
INSERT_WORDS = "INSERT OR IGNORE INTO due_words(data) VALUES (?)"
INSERT_DUE = (
    "INSERT INTO dues(run, n, due_key, kind, role, data, due, since, low, high, words) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT id FROM due_words WHERE data = ?))"
)


def insert_dues(db: sqlite3.Connection, rows: Iterable[Sequence[Any]]) -> None:
    """Deadline index rows (run, n, due_key, kind, role, data) into a journal
    of format 5, with their split."""
    insert_split(db, split_rows(rows))


def split_dues(run: int, dues: Sequence[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
    """A run's deadlines as format 5 indexes them (`due_rows` and `due_split`),
    from the deadlines themselves rather than their JSON."""
    return [(*row, *due_split(d)) for row, d in zip(due_rows(run, dues), dues, strict=True)]


def insert_split(db: sqlite3.Connection, split: Sequence[Sequence[Any]]) -> None:
    db.executemany(INSERT_WORDS, {(r[10],) for r in split if r[10] is not None})
    db.executemany(INSERT_DUE, split)


def _backfill_dues(db: sqlite3.Connection) -> None:
    rows = db.execute("SELECT id, dues FROM runs WHERE dues IS NOT NULL AND status != 'finished'")
    for run, text in rows.fetchall():
        db.executemany(
            "INSERT INTO dues VALUES (?, ?, ?, ?, ?, ?)", due_rows(run, json.loads(text))
        )


# Version 2: journeys. Who a run is about (the customer), and the open
# deadlines of every run in their own table, indexed by date, so a call list
# over ten thousand journeys reads only what falls due. The table is a summary
# like `runs` (rewritten with each write), not part of the hash chain.
_V2: tuple[str | Callable[[sqlite3.Connection], None], ...] = (
    "ALTER TABLE runs ADD COLUMN subject TEXT",
    """CREATE TABLE dues (
        run     INTEGER NOT NULL REFERENCES runs(id),
        n       INTEGER NOT NULL,   -- position in the run's list
        due_key TEXT NOT NULL,      -- 2026-11-08 or 2026-11-08T21:00:00, site time
        kind    TEXT NOT NULL,      -- within | at | due | every
        role    TEXT,
        data    TEXT NOT NULL,      -- the deadline as JSON
        PRIMARY KEY (run, n)
    ) WITHOUT ROWID""",
    "CREATE INDEX dues_by_key ON dues(due_key)",
    # The prompt's question "which other runs have a deadline by now?" asks
    # only for moments (within, at): journeys' dated touchpoints stay unread.
    "CREATE INDEX dues_by_kind ON dues(kind, due_key)",
    _backfill_dues,
)


def _started_at_from_events(db: sqlite3.Connection) -> None:
    """A run's start time is its first event's: sop before version 3 read
    the clock twice when a run began, a millisecond or two apart. Setting it
    from the chain lets `sop journal verify` check the column exactly."""
    db.execute("DROP TRIGGER runs_identity")
    db.execute(
        "UPDATE runs SET started_at = (SELECT at FROM events WHERE events.run = runs.id "
        "ORDER BY seq LIMIT 1) WHERE EXISTS (SELECT 1 FROM events WHERE events.run = runs.id)"
    )
    db.execute(_RUNS_IDENTITY)


# Version 3: the file says it is a journal (PRAGMA application_id, checked
# before anything is written, so another program's database given by mistake
# is refused unchanged), and every summary column can be re-derived from the
# hash chain and compared.
_V3: tuple[str | Callable[[sqlite3.Connection], None], ...] = (
    f"PRAGMA application_id = {APPLICATION_ID}",
    _started_at_from_events,
)

# Version 4: chains. Each event names the chain it is on. A journal in one
# file keeps one chain (""), as before; a journal copied from a PostgreSQL
# store, where each site has its own chain, keeps the chains it came with, so
# every hash still checks. `meta` says what the sequence numbers promise
# (`seq: sparse` when a copy brought gaps in) and marks a copy under way.
_V4: tuple[str | Callable[[sqlite3.Connection], None], ...] = (
    "ALTER TABLE events ADD COLUMN chain TEXT NOT NULL DEFAULT ''",
    "CREATE INDEX events_by_chain ON events(chain, seq)",
    """CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
)


def _split_dues(db: sqlite3.Connection) -> None:
    rows = db.execute("SELECT run, n, due_key, kind, role, data FROM dues").fetchall()
    db.execute("DELETE FROM dues")
    insert_dues(db, rows)


# Version 5: a call list of thousands of lines. Each deadline's words
# (procedure, step, role, rule: the same for every customer at that
# touchpoint) are stored once, in `due_words`, and when it falls in columns
# of its own, so a call list decodes each distinct text once instead of every
# deadline's JSON; both indexes cover what the call list reads. `data` stays
# what it was (the copy and `journal verify` read it; verify checks the split).
_V5: tuple[str | Callable[[sqlite3.Connection], None], ...] = (
    """CREATE TABLE due_words (
        id   INTEGER PRIMARY KEY,
        data TEXT NOT NULL UNIQUE   -- a deadline's JSON but for kind, due, since, low, high
    )""",
    "ALTER TABLE dues ADD COLUMN due TEXT",
    "ALTER TABLE dues ADD COLUMN since TEXT",
    "ALTER TABLE dues ADD COLUMN low INTEGER",
    "ALTER TABLE dues ADD COLUMN high INTEGER",
    "ALTER TABLE dues ADD COLUMN words INTEGER REFERENCES due_words(id)",
    "DROP INDEX dues_by_key",
    "CREATE INDEX dues_listed ON dues(due_key, run, n, kind, role, due, since, low, high, words)",
    "CREATE INDEX runs_listed ON runs(id, status, site, subject)",
    _split_dues,
)

Migration = tuple[str | Callable[[sqlite3.Connection], None], ...]
MIGRATIONS: tuple[Migration, ...] = (_V1, _V2, _V3, _V4, _V5)
MARKED_FROM = 3  # the first format with PRAGMA application_id set
VERSION = len(MIGRATIONS)

# The tables each version has: a database with any other table is not a journal.
TABLES = {1: frozenset({"events", "snapshots", "runs"})}
TABLES[2] = TABLES[1] | {"dues"}
TABLES[3] = TABLES[2]
TABLES[4] = TABLES[3] | {"meta"}
TABLES[5] = TABLES[4] | {"due_words"}


@functools.cache
def expected_master(version: int) -> tuple[tuple[Any, ...], ...]:
    """sqlite_master of a journal of `version` as the migrations make it:
    (type, name, tbl_name, sql) of every table, index and trigger."""
    db = sqlite3.connect(":memory:")
    try:
        for number in range(version):
            for statement in MIGRATIONS[number]:
                if callable(statement):
                    statement(db)
                else:
                    db.execute(statement)
        return tuple(db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall())
    finally:
        db.close()
