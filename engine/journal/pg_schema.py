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

A migration is a tuple of statements (or functions given the migrating
cursor) run in one transaction (PostgreSQL's DDL is transactional). Never
edit a released migration: add one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from engine.journal import schema

if TYPE_CHECKING:
    import psycopg

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

# A deadline's words are stored once however many deadlines say them. The
# words are inserted in one statement, in one order (sorted) in every writer,
# before the deadlines that name them: two writers at different sites that
# bring the same new words wait for each other's insert in the same order,
# so they never deadlock; an existing text is not inserted again (no
# identity number drawn for nothing).
INSERT_WORDS = (
    "INSERT INTO due_words(data) SELECT t.w FROM unnest(%s::text[]) WITH ORDINALITY AS t(w, i) "
    "WHERE NOT EXISTS (SELECT 1 FROM due_words x WHERE x.data = t.w) ORDER BY t.i "
    "ON CONFLICT DO NOTHING"
)
DUE_COLUMNS = "run, n, due_key, kind, role, data, due, since, low, high, words"
INSERT_DUE = (
    f"INSERT INTO dues({DUE_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
    "(SELECT id FROM due_words WHERE data = %s))"
)


def typed(split: Iterable[Sequence[Any]]) -> tuple[list[tuple[Any, ...]], list[str]]:
    """Deadline index rows with their split (`schema.split_rows`,
    `schema.split_dues`) as PostgreSQL's columns keep it (`schema.typed_split`),
    and the distinct words texts among them, sorted (for `INSERT_WORDS`)."""
    out = [(*r[:6], *schema.typed_split(r[6:])) for r in split]
    return out, sorted({r[10] for r in out if r[10] is not None})


def copy_dues(cur: psycopg.Cursor[Any], rows: Iterable[Sequence[Any]]) -> None:
    """Deadline index rows (run, n, due_key, kind, role, data) stored with
    their split through COPY (a whole journal copied, or brought to format 2):
    the words first, then each deadline naming its words' id."""
    split, words = typed(schema.split_rows(rows))
    ids: dict[str, int] = {}
    if words:
        cur.execute(INSERT_WORDS, (words,))
        found = cur.execute("SELECT id, data FROM due_words WHERE data = ANY(%s)", (words,))
        ids = {str(d): int(i) for i, d in found.fetchall()}
    with cur.copy(f"COPY dues ({DUE_COLUMNS}) FROM STDIN") as copy:
        for r in split:
            copy.write_row((*r[:10], None if r[10] is None else ids.get(r[10])))


def _split_dues(cur: psycopg.Cursor[Any]) -> None:
    cur.execute("SELECT set_config('sop.writing', 'on', true)")  # the summaries' guard
    rows = cur.execute("SELECT run, n, due_key, kind, role, data FROM dues").fetchall()
    cur.execute("DELETE FROM dues")
    copy_dues(cur, rows)


# Version 2: a company's call list (1,000 sites x 100 journeys: 29,000
# lines). As SQLite's format 5: each deadline's words (procedure, step, role,
# rule: the same for every customer at that touchpoint) stored once, in
# `due_words`, and when it falls in columns of its own, so a call list
# decodes each distinct text once instead of every deadline's JSON; the
# indexes hold all the call list reads. `data` stays what it was (the copy
# and `journal verify` read it; verify checks the split). `due_words` is a
# summary like `dues`, under the same guard; `words` has no foreign key:
# fifty writers locking the same few words rows (FOR KEY SHARE) for each
# deadline would queue on them, and verify finds a words id that is wrong.
_V2: tuple[str | Callable[[psycopg.Cursor[Any]], None], ...] = (
    """CREATE TABLE due_words (
        id   BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        data TEXT COLLATE "C" NOT NULL UNIQUE  -- a deadline's JSON but kind, due, since, low, high
    )""",
    'ALTER TABLE dues ADD COLUMN due TEXT COLLATE "C", ADD COLUMN since TEXT COLLATE "C", '
    "ADD COLUMN low BIGINT, ADD COLUMN high BIGINT, ADD COLUMN words BIGINT",
    "DROP INDEX dues_by_key",
    "CREATE INDEX dues_listed ON dues(due_key, run, n) "
    "INCLUDE (kind, role, due, since, low, high, words)",
    "CREATE INDEX runs_listed ON runs(id) INCLUDE (status, site, subject)",
    "CREATE TRIGGER due_words_guard BEFORE UPDATE OR DELETE ON due_words "
    "FOR EACH ROW EXECUTE FUNCTION sop_summary_guard()",
    "CREATE TRIGGER due_words_no_truncate BEFORE TRUNCATE ON due_words "
    "FOR EACH STATEMENT EXECUTE FUNCTION sop_append_only()",
    _split_dues,
)

Migration = tuple[str | Callable[[Any], None], ...]
MIGRATIONS: tuple[Migration, ...] = (_V1, _V2)
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
TABLES[2] = TABLES[1] | {"due_words"}
# Their columns, in order: a column added, dropped or retyped is found too.
COLUMNS = {
    1: {
        "sop_journal": ("key text", "value text"),
        "snapshots": ("sha text", "files text"),
        "runs": (
            "id bigint", "procedure text", "title text", "kind text", "operator text",
            "site text", "started_at text", "rulebook_sha text", "procedure_sha text",
            "parent bigint", "status text", "step text", "step_title text", "outcome text",
            "updated_at text", "last_seq bigint", "events bigint", "dues text", "subject text",
        ),
        "events": (
            "seq bigint", "chain text", "run bigint", "at text", "kind text", "actor text",
            "data text", "prev text", "hash text",
        ),
        "dues": (
            "run bigint", "n integer", "due_key text", "kind text", "role text", "data text",
        ),
    }
}  # fmt: skip
COLUMNS[2] = {
    **COLUMNS[1],
    "dues": (
        *COLUMNS[1]["dues"], "due text", "since text", "low bigint", "high bigint", "words bigint",
    ),
    "due_words": ("id bigint", "data text"),
}  # fmt: skip
TRIGGERS[2] = TRIGGERS[1] | {
    ("due_words", "due_words_guard", "sop_summary_guard", _ROW | _BEFORE | _DELETE | _UPDATE),
    ("due_words", "due_words_no_truncate", "sop_append_only", _BEFORE | _TRUNCATE),
}


def function_sources() -> dict[str, str]:
    """The body of each guard function as the migrations create it."""
    out: dict[str, str] = {}
    for statement in _GUARDS:
        name = statement.split("FUNCTION ", 1)[1].split("(", 1)[0]
        out[name] = statement.split("$$", 2)[1]
    return out
