"""The journal's tables, as numbered migrations (`PRAGMA user_version`).

A migration is a tuple of statements run in one transaction; a journal made
by an older sop is brought up to date when opened, and one made by a newer
sop is refused rather than misread. Never edit a released migration: add one.
"""

from __future__ import annotations

_APPEND_ONLY = (
    "CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
    "BEGIN SELECT RAISE(ABORT, 'journal {table} are append-only: cannot update'); END",
    "CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
    "BEGIN SELECT RAISE(ABORT, 'journal {table} are append-only: cannot delete'); END",
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
    """CREATE TRIGGER runs_identity BEFORE UPDATE OF id, procedure, title, kind, operator, site,
        started_at, rulebook_sha, procedure_sha, parent ON runs
        BEGIN SELECT RAISE(ABORT, 'a run''s identity cannot change'); END""",
    "CREATE TRIGGER runs_no_delete BEFORE DELETE ON runs "
    "BEGIN SELECT RAISE(ABORT, 'journal runs cannot be deleted'); END",
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1,)
VERSION = len(MIGRATIONS)
