"""The journal's tables in PostgreSQL, as numbered migrations.

The same tables as the SQLite file (events, snapshots, runs, dues), with what
a store shared by many sites needs beside them:

- `sop_journal` says the database holds a sop journal, and its format
  (`format`), before anything is read or written: a database with other
  tables and no such mark is refused, unchanged;
- every event names its `chain`: each site has its own, so writers at
  different sites never wait for each other (an advisory lock per chain keeps
  one chain's writers in order);
- text is compared byte by byte (`COLLATE "C"`), as SQLite compares it, so
  dates sort and filter the same in both stores; JSON is stored as the
  canonical text that was hashed (`jsonb` would reorder its keys);
- the database refuses to change or delete events and pinned rulebooks
  (triggers, also on TRUNCATE), to change a run's identity, and to rewrite a
  summary (`runs`, `dues`) outside a transaction of sop's store, which sets
  `sop.writing` for itself.

A migration is a tuple of statements run in one transaction (PostgreSQL's
DDL is transactional). Never edit a released migration: add one.
"""

from __future__ import annotations

LOCK_SPACE = 0x534F504A  # "SOPJ": the first key of every advisory lock sop takes
MIGRATION_LOCK = 0  # the second key while the tables are created or brought up to date

_GUARDS = (
    r"""CREATE FUNCTION sop_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'journal % are append-only: cannot %', TG_TABLE_NAME, lower(TG_OP)
        USING ERRCODE = 'integrity_constraint_violation';
END
$$""",
    r"""CREATE FUNCTION sop_summary_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'runs' THEN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'journal runs cannot be deleted'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF (NEW.id, NEW.procedure, NEW.title, NEW.kind, NEW.operator, NEW.site,
            NEW.started_at, NEW.rulebook_sha, NEW.procedure_sha, NEW.parent)
           IS DISTINCT FROM
           (OLD.id, OLD.procedure, OLD.title, OLD.kind, OLD.operator, OLD.site,
            OLD.started_at, OLD.rulebook_sha, OLD.procedure_sha, OLD.parent) THEN
            RAISE EXCEPTION 'a run''s identity cannot change'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    IF coalesce(current_setting('sop.writing', true), '') <> 'on' THEN
        RAISE EXCEPTION 'journal % are rewritten only by sop''s store: cannot %',
            TG_TABLE_NAME, lower(TG_OP) USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$""",
)

_V1: tuple[str, ...] = (
    """CREATE TABLE sop_journal (
        key   TEXT COLLATE "C" PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    *_GUARDS,
    """CREATE TABLE snapshots (
        sha   TEXT COLLATE "C" PRIMARY KEY,
        files TEXT NOT NULL
    )""",
    """CREATE TABLE runs (
        id            BIGINT PRIMARY KEY,
        procedure     TEXT COLLATE "C" NOT NULL,
        title         TEXT COLLATE "C" NOT NULL,
        kind          TEXT COLLATE "C" NOT NULL,
        operator      TEXT COLLATE "C",
        site          TEXT COLLATE "C",
        started_at    TEXT COLLATE "C" NOT NULL,
        rulebook_sha  TEXT COLLATE "C" NOT NULL REFERENCES snapshots(sha),
        procedure_sha TEXT COLLATE "C" NOT NULL,
        parent        BIGINT REFERENCES runs(id),
        status        TEXT COLLATE "C" NOT NULL,
        step          TEXT COLLATE "C",
        step_title    TEXT COLLATE "C",
        outcome       TEXT COLLATE "C",
        updated_at    TEXT COLLATE "C" NOT NULL,
        last_seq      BIGINT NOT NULL DEFAULT 0,
        events        BIGINT NOT NULL DEFAULT 0,
        dues          TEXT COLLATE "C",
        subject       TEXT COLLATE "C"
    )""",
    "CREATE SEQUENCE runs_id",
    "CREATE INDEX runs_by_status ON runs(status, started_at)",
    "CREATE INDEX runs_by_started ON runs(started_at)",
    "CREATE INDEX runs_by_procedure ON runs(procedure, started_at)",
    "CREATE INDEX runs_by_site ON runs(site, id)",
    "CREATE INDEX runs_by_parent ON runs(parent)",
    """CREATE TABLE events (
        seq   BIGINT PRIMARY KEY,
        chain TEXT COLLATE "C" NOT NULL,
        run   BIGINT NOT NULL REFERENCES runs(id),
        at    TEXT COLLATE "C" NOT NULL,
        kind  TEXT COLLATE "C" NOT NULL,
        actor TEXT COLLATE "C",
        data  TEXT COLLATE "C" NOT NULL,
        prev  TEXT COLLATE "C" NOT NULL,
        hash  TEXT COLLATE "C" NOT NULL
    )""",
    "CREATE SEQUENCE events_seq",
    "CREATE INDEX events_by_run ON events(run, seq)",
    "CREATE INDEX events_by_chain ON events(chain, seq)",
    """CREATE TABLE dues (
        run     BIGINT NOT NULL REFERENCES runs(id),
        n       INTEGER NOT NULL,
        due_key TEXT COLLATE "C" NOT NULL,
        kind    TEXT COLLATE "C" NOT NULL,
        role    TEXT COLLATE "C",
        data    TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (run, n)
    )""",
    "CREATE INDEX dues_by_key ON dues(due_key)",
    "CREATE INDEX dues_by_kind ON dues(kind, due_key)",
    *(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION sop_append_only()"
        for table in ("events", "snapshots")
    ),
    *(
        f"CREATE TRIGGER {table}_guard BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION sop_summary_guard()"
        for table in ("runs", "dues")
    ),
    *(
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION sop_append_only()"
        for table in ("events", "snapshots", "runs", "dues")
    ),
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1,)
VERSION = len(MIGRATIONS)

# What a journal of each format holds: its tables, and its guard triggers as
# (table, trigger, function, tgtype bits) — `sop journal verify` finds one
# dropped, disabled or changed.
TABLES = {1: frozenset({"sop_journal", "snapshots", "runs", "events", "dues"})}
_ROW, _BEFORE, _DELETE, _UPDATE, _TRUNCATE = 1, 2, 8, 16, 32
TRIGGERS = {
    1: frozenset(
        {
            *(
                (t, f"{t}_append_only", "sop_append_only", _ROW | _BEFORE | _DELETE | _UPDATE)
                for t in ("events", "snapshots")
            ),
            *(
                (t, f"{t}_guard", "sop_summary_guard", _ROW | _BEFORE | _DELETE | _UPDATE)
                for t in ("runs", "dues")
            ),
            *(
                (t, f"{t}_no_truncate", "sop_append_only", _BEFORE | _TRUNCATE)
                for t in ("events", "snapshots", "runs", "dues")
            ),
        }
    )
}


def function_sources() -> dict[str, str]:
    """The body of each guard function as the migrations create it."""
    out: dict[str, str] = {}
    for statement in _GUARDS:
        name = statement.split("FUNCTION ", 1)[1].split("(", 1)[0]
        out[name] = statement.split("$$", 2)[1]
    return out
