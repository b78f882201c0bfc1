"""Tampering is always seen, damage is always reported as damage.

A generated corpus: byte flips across a whole journal file and across its
WAL (seeded sweeps over every region: header, b-tree pages, payloads, frame
headers), and hand edits of every column of every table (NULL, another value
of the same type, the wrong type, bytes that are not UTF-8, JSON that does
not parse or says something else), rows deleted and forged — each made the
way someone with the file and a SQL shell would, guard triggers dropped and
put back exactly as they were. For each:

- `sop journal verify` either reports a problem (exit 1), or what SQLite
  reads from the file is exactly what it read before (the flip hit unused
  space): never "intact" over changed content;
- no command a person runs on the journal (verify, runs, due, show, report)
  ends in an internal error.

`SOP_TAMPER_SCALE=10` runs ten times as many flips (the figures in the
report to the lead were taken at 20).
"""

from __future__ import annotations

import os
import random
import re
import shutil
import sqlite3
import traceback
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.errors import SopError
from engine.journal import Draft, Journal, RunUpdate, Write
from engine.journal.store import EVENT_COLUMNS
from engine.runtime.events import NoteAdded
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "journals"
QUIET_RULEBOOK = ROOT / "tests" / "fixtures" / "rulebook_runtime"
SCALE = int(os.environ.get("SOP_TAMPER_SCALE", "1"))
RUNS = range(1, 7)
TABLES = ("events", "runs", "dues", "due_words", "snapshots", "meta")


# ---- the journals tampered with


def _note(journal: Journal, run: int, text: str) -> None:
    row = journal.run(run)
    assert row is not None
    update = RunUpdate(row.status, row.step, row.step_title, row.outcome, row.dues, row.subject)
    note = NoteAdded(step=row.step, procedure=row.procedure, text=text)  # as sop writes it
    journal.write([Write(run, [Draft(note.kind, row.updated_at, note.to_json())], update)])


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A current-format journal: the v2 fixture brought up to date, closed cleanly."""
    path = tmp_path_factory.mktemp("whole") / "journal.sqlite3"
    shutil.copy(FIXTURES / "v2.sqlite3", path)
    Journal(str(path)).close()
    assert not Path(str(path) + "-wal").exists()
    return path


@pytest.fixture(scope="module")
def with_wal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same after a crash: a writer added notes to three runs in several
    transactions and died before folding its WAL into the main file."""
    path = tmp_path_factory.mktemp("wal") / "journal.sqlite3"
    shutil.copy(FIXTURES / "v2.sqlite3", path)
    writer = Journal(str(path))
    writer._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for i, run in enumerate((3, 5, 6, 3, 5, 6)):
        _note(writer, run, f"崩溃前的备注 {i}")
    shutil.copy(path, path.parent / "keep")
    shutil.copy(str(path) + "-wal", path.parent / "keep-wal")
    writer._db.close()  # no checkpoint, as after kill -9
    for p in path.parent.iterdir():
        p.unlink() if p.name.startswith("journal.sqlite3") else None
    shutil.move(path.parent / "keep", path)
    shutil.move(path.parent / "keep-wal", str(path) + "-wal")
    return path


def _copy(base: Path, into: Path) -> Path:
    into.mkdir(parents=True, exist_ok=True)
    target = into / base.name
    shutil.copy(base, target)
    wal = Path(str(base) + "-wal")
    if wal.exists():
        shutil.copy(wal, str(target) + "-wal")
    return target


def dump(path: Path) -> Any:
    """What SQLite reads from the journal (on a private copy, so the file
    under test is not touched): every row of every table, the schema, the
    format numbers — or the error SQLite gives."""
    scratch = path.parent / "dump"
    shutil.rmtree(scratch, ignore_errors=True)
    copy = _copy(path, scratch)
    try:
        db = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
        db.text_factory = bytes
        try:
            out: dict[str, Any] = {
                "pragmas": [
                    db.execute(f"PRAGMA {p}").fetchall() for p in ("application_id", "user_version")
                ],
                "master": sorted(map(repr, db.execute("SELECT * FROM sqlite_master").fetchall())),
            }
            for table in TABLES:
                out[table] = db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            return out
        finally:
            db.close()
    except (sqlite3.Error, UnicodeDecodeError) as exc:
        return f"unreadable: {exc!r}"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# ---- running the commands


def invoke(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=True)
    exc = result.exception
    if exc is not None and not isinstance(exc, (SystemExit, SopError)):
        trace = "".join(traceback.format_exception(exc))
        raise AssertionError(f"sop {' '.join(args)}: internal error\n{trace}") from exc
    return result


def commands_hold(path: Path | str, runs: Iterable[int] = RUNS) -> int:
    """Every reading command on the journal ends as designed (0 or 1, never
    an internal error); returns verify's exit code."""
    journal = str(path)
    verify = invoke("journal", "verify", "--journal", journal, "--format", "json")
    assert verify.exit_code in (0, 1), verify.output
    # `sop due` reads the journal's deadlines; the rulebook named has no
    # scheduled duties (the bundled one's would list ten years of routines)
    due = ["due", "--days", "3660", "--rulebook", str(QUIET_RULEBOOK)]
    for args in (["runs"], due, ["report", "--form", "visitor_log"]):
        assert invoke(*args, "--journal", journal).exit_code in (0, 1), args
    for run in runs:
        for command in ("show", "report"):
            assert invoke(command, str(run), "--journal", journal).exit_code in (0, 1)
    return int(verify.exit_code)


def seen_or_harmless(path: Path, before: Any, what: str, tally: dict[str, int]) -> None:
    code = commands_hold(path)
    after = dump(path)
    if code == 1:
        tally["seen"] += 1
    else:
        assert after == before, f"{what}: changed, and verify says the journal is intact"
        tally["harmless"] += 1


@pytest.fixture(autouse=True, scope="module")
def _one_rebuild_per_rulebook() -> Iterator[None]:
    """`sop show` of a journey rebuilds its pinned rulebook each time; the
    corpus runs it thousands of times, so rebuild each snapshot once (sound:
    a snapshot is checked against its sha before it is rebuilt)."""
    import engine.runtime.pinning as pinning

    cache: dict[str, Any] = {}
    real = pinning.restore

    def restore(files: Any, sha: str) -> Any:
        if sha not in cache:
            cache[sha] = real(files, sha)
        return cache[sha]

    pinning.restore = restore  # type: ignore[assignment]
    try:
        yield
    finally:
        pinning.restore = real


# ---- byte flips


def _positions(size: int, count: int, rng: random.Random, page: int = 4096) -> list[int]:
    """`count` offsets spread over every page of a file, a few in the header."""
    header = [rng.randrange(min(100, size)) for _ in range(max(count // 10, 1))]
    rest = count - len(header)
    stride = max(size / max(rest, 1), 1)
    return sorted(
        {*header, *(min(int(i * stride + rng.random() * stride), size - 1) for i in range(rest))}
    )


def _tell(what: str, tally: dict[str, int]) -> None:
    if SCALE > 1:  # a long sweep: say what it found (pytest -s)
        print(f"\n{what}: {tally['seen']} flips seen, {tally['harmless']} changed nothing read")


def _flip(path: Path, at: int, rng: random.Random) -> None:
    with open(path, "r+b") as f:
        f.seek(at)
        old = f.read(1)[0]
        f.seek(at)
        f.write(bytes([old ^ rng.choice((1, 2, 4, 8, 16, 32, 64, 128, 0xFF))]))


@pytest.mark.parametrize("which", ["whole", "with_wal"])
def test_byte_flips_in_the_main_file_are_seen_or_harmless(
    which: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    base: Path = request.getfixturevalue(which)
    before = dump(base)
    assert commands_hold(base) == 0
    rng = random.Random(f"main-{which}")
    tally = {"seen": 0, "harmless": 0}
    for at in _positions(base.stat().st_size, 60 * SCALE, rng):
        case = _copy(base, tmp_path / f"flip-{at}")
        _flip(case, at, rng)
        seen_or_harmless(case, before, f"{which}: byte {at} flipped", tally)
        shutil.rmtree(case.parent)
    _tell(f"main file ({which})", tally)
    assert tally["seen"] > 10, tally


def test_byte_flips_in_the_wal_are_seen_or_harmless(with_wal: Path, tmp_path: Path) -> None:
    before = dump(with_wal)
    wal = Path(str(with_wal) + "-wal")
    rng = random.Random("wal")
    tally = {"seen": 0, "harmless": 0}
    for at in _positions(wal.stat().st_size, 60 * SCALE, rng):
        case = _copy(with_wal, tmp_path / f"flip-{at}")
        _flip(Path(str(case) + "-wal"), at, rng)
        seen_or_harmless(case, before, f"WAL byte {at} flipped", tally)
        shutil.rmtree(case.parent)
    _tell("WAL", tally)
    assert tally["seen"] > 20, tally


def test_a_journal_cut_short_is_seen(whole: Path, with_wal: Path, tmp_path: Path) -> None:
    for base in (whole, with_wal):
        size = base.stat().st_size
        for keep in (0, 100, 4096, size // 2, size - 4096, size - 1):
            case = _copy(base, tmp_path / f"cut-{keep}")
            with open(case, "r+b") as f:
                f.truncate(keep)
            result = invoke("journal", "verify", "--journal", str(case))
            assert result.exit_code == 1, (base, keep, result.output)
            assert "日志完好" not in result.output and "哈希链完整" not in result.output
            commands_hold(case)
            shutil.rmtree(case.parent)
    # The WAL cut, or gone (copied without it, deleted after a crash): seen
    # against the head written down before.
    head = Journal(str(with_wal), write=False).head()
    assert head is not None
    for keep in (0, 32, 1000, None):
        case = _copy(with_wal, tmp_path / f"wal-{keep}")
        wal = Path(str(case) + "-wal")
        if keep is None:
            wal.unlink()
        else:
            with open(wal, "r+b") as f:
                f.truncate(keep)
        result = invoke("journal", "verify", "--journal", str(case), "--expect", head[1][:12])
        assert result.exit_code == 1 and "不在日志中" in result.output, (keep, result.output)
        shutil.rmtree(case.parent)


# ---- edits by hand


def _triggers(db: sqlite3.Connection) -> list[str]:
    return [sql for (sql,) in db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger'")]


def _edit(path: Path, *statements: str) -> None:
    """Statements run as an attacker with a SQL shell would: the guard
    triggers dropped, the edit made, the triggers put back as they were."""
    db = sqlite3.connect(path)
    guards = _triggers(db)
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        db.execute(f"DROP TRIGGER {name}")
    for statement in statements:
        db.execute(statement)
    for sql in guards:
        db.execute(sql)
    db.commit()
    db.close()


BAD_UTF8 = "CAST(x'e4b8ff' AS TEXT)"

# Per column: expressions replacing its value in one row (SQLite evaluates
# them against the old value, `c`).
TEXT = ["NULL", "c || 'x'", "''", "42", "x'00ff'", BAD_UTF8, "'garbage'"]
NUMBER = ["NULL", "c + 1", "c - 1", "'abc'", "-5", "3.5", BAD_UTF8]
JSON_ = [*TEXT, "'{bad'", "'[]'", "'{}'", "replace(c, '\"', '''')", "json_set(c, '$.kind', 'x')"]
COLUMNS: dict[str, tuple[str, dict[str, list[str]]]] = {
    "events": (
        "seq = 40",
        {
            "seq": ["c + 1000", "c - 1", "'x'", "NULL"],
            "run": NUMBER,
            "at": [*TEXT, "'2026-13-45T99:00:00'", "replace(c, '+08:00', '')"],
            "kind": TEXT,
            "actor": TEXT,
            "data": [*JSON_, "json_set(c, '$.step', 'farewell')", "json_remove(c, '$.step')"],
            "prev": [*TEXT, "upper(c)"],
            "hash": [*TEXT, "upper(c)"],
            "chain": ["'一号案场'", "NULL", "42", BAD_UTF8],
        },
    ),
    "runs": (
        "id = 6",
        {
            "id": ["c + 100"],
            "procedure": TEXT,
            "title": TEXT,
            "kind": TEXT,
            "operator": TEXT,
            "site": TEXT,
            "started_at": [*TEXT, "'2026-01-01T00:00:00.000+08:00'"],
            "updated_at": [*TEXT, "'2030-01-01T00:00:00.000+08:00'"],
            "rulebook_sha": [*TEXT, "(SELECT sha FROM snapshots WHERE sha != c LIMIT 1)"],
            "procedure_sha": TEXT,
            "parent": ["1", "'x'", "c + 1"],
            "status": [*TEXT, "'finished'", "'active'", "'waiting'"],
            "step": TEXT,
            "step_title": TEXT,
            "outcome": [*TEXT, "'completed'"],
            "last_seq": NUMBER,
            "events": NUMBER,
            "dues": [
                *JSON_,
                "replace(c, '2026-04-09', '2027-04-09')",
                "replace(c, '\"due\"', '\"since\"')",
                "json_set(c, '$[0].low', 'x')",
            ],
            "subject": [*TEXT, "'李四 13900000000'"],
        },
    ),
    "dues": (
        "run = 6",
        {
            "run": ["5", "c + 100", "'x'", "NULL"],
            "n": ["c + 1", "'x'", "NULL"],
            "due_key": [*TEXT, "'2030-01-01'"],
            "kind": TEXT,
            "role": TEXT,
            "data": [*JSON_, "replace(c, '2026-04-09', '2030-04-09')"],
            # Format 5's split of `data`: when it falls, and its words.
            "due": [*TEXT, "'2030-04-09'"],
            "since": ["''", "42", "x'00ff'", BAD_UTF8, "'2026-04-09T10:00:00+08:00'"],
            "low": ["1", "'x'", "3.5"],
            "high": ["1", "'x'", "3.5"],
            "words": NUMBER,
        },
    ),
    "due_words": (
        "id IN (SELECT words FROM dues WHERE run = 6)",
        {
            "id": ["c + 1000", "'x'"],
            "data": [*JSON_, "replace(c, '签约', '签字')", "json_set(c, '$.due', '2030-01-01')"],
        },
    ),
    "snapshots": (
        "sha = (SELECT rulebook_sha FROM runs WHERE id = 6)",
        {
            "sha": ["c || '0'", "upper(c)", "NULL"],
            "files": [*JSON_, "replace(c, '签约', '签字')", "json_set(c, '$.\"x.yaml\"', 'id: x')"],
        },
    ),
}
ROWS = [
    "DELETE FROM events WHERE seq = 40",
    "DELETE FROM events WHERE seq = (SELECT MAX(seq) FROM events)",
    "DELETE FROM events WHERE run = 6",
    "DELETE FROM runs WHERE id = 3",
    "DELETE FROM dues WHERE run = 6",
    "DELETE FROM snapshots",
    "INSERT INTO runs SELECT 99, procedure, title, kind, operator, site, started_at, "
    "rulebook_sha, procedure_sha, parent, status, step, step_title, outcome, updated_at, "
    "last_seq, events, dues, subject FROM runs WHERE id = 3",
    "INSERT INTO dues SELECT 3, 7, due_key, kind, role, data, due, since, low, high, words "
    "FROM dues WHERE run = 6",
    "DELETE FROM due_words",
    "INSERT INTO snapshots VALUES ('" + "0" * 64 + "', '{}')",
    f"INSERT INTO events ({EVENT_COLUMNS}, chain) SELECT seq + 1000, run, at, kind, actor, "
    "data, prev, hash, chain FROM events WHERE seq = (SELECT MAX(seq) FROM events)",
    # A second chain forged beside the first, from a copy of its last event.
    f"INSERT INTO events ({EVENT_COLUMNS}, chain) SELECT seq + 1000, run, at, kind, actor, "
    "data, prev, hash, 'x' FROM events WHERE seq = (SELECT MAX(seq) FROM events)",
    "UPDATE events SET run = 5 WHERE seq = 40",
    # An edit with the chain rebuilt after it: only the summaries give it away.
    "UPDATE runs SET status = 'finished', outcome = 'completed' WHERE id = 3",
]


def _cases() -> Iterator[tuple[str, list[str]]]:
    for table, (where, columns) in COLUMNS.items():
        for column, values in columns.items():
            for value in values:
                expr = _in_place(value, column)
                yield (
                    f"{table}.{column} = {value}",
                    [f"UPDATE {table} SET {column} = {expr} WHERE {where}"],
                )
    for statement in ROWS:
        yield statement, [statement]


def _in_place(value: str, column: str) -> str:
    """`value` with the placeholder `c` (outside quotes) standing for the column."""
    parts = value.split("'")
    for i in range(0, len(parts), 2):  # outside quotes
        parts[i] = _replace_word(parts[i], "c", column)
    return "'".join(parts)


def _replace_word(text: str, word: str, by: str) -> str:
    import re

    return re.sub(rf"\b{word}\b", by, text)


def test_every_column_of_every_table_edited_by_hand_is_seen(whole: Path, tmp_path: Path) -> None:
    before = dump(whole)
    unchanged: list[str] = []
    for n, (what, statements) in enumerate(_cases()):
        case = _copy(whole, tmp_path / f"edit-{n}")
        try:
            _edit(case, *statements)
        except sqlite3.Error:
            shutil.rmtree(case.parent)
            continue  # SQLite itself refuses it (a NOT NULL column, a duplicate key)
        if dump(case) == before:
            unchanged.append(what)  # the edit changed nothing (a value set to itself)
            shutil.rmtree(case.parent)
            continue
        code = commands_hold(case)
        assert code == 1, f"{what}: not seen"
        shutil.rmtree(case.parent)
    assert len(unchanged) < 5, unchanged


def test_an_edit_with_the_whole_chain_rebuilt_is_seen_only_against_the_head(
    whole: Path, tmp_path: Path
) -> None:
    """Someone who can write the file can change an event and compute every
    hash after it again: the chain holds, the summaries agree — only a head
    written down elsewhere shows it (what docs/security.md says)."""
    from engine.journal.events import chain_hash

    head = Journal(str(whole), write=False).head()
    assert head is not None
    case = _copy(whole, tmp_path / "rebuilt")
    db = sqlite3.connect(case)
    guards = _triggers(db)
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        db.execute(f"DROP TRIGGER {name}")
    rows = db.execute("SELECT seq, run, at, kind, actor, data, prev, hash FROM events ORDER BY seq")
    prev = "0" * 64
    for seq, run, at, kind, actor, data, _, _ in rows.fetchall():
        if kind == "note.added":
            data = data.replace("客户要了温水", "客户要了冰水")
        digest = chain_hash(prev, seq, run, at, kind, actor, data)
        db.execute(
            "UPDATE events SET data = ?, prev = ?, hash = ? WHERE seq = ?",
            (data, prev, digest, seq),
        )
        prev = digest
    for sql in guards:
        db.execute(sql)
    db.commit()
    db.close()
    assert invoke("journal", "verify", "--journal", str(case)).exit_code == 0
    anchored = invoke("journal", "verify", "--journal", str(case), "--expect", head[1][:16])
    assert anchored.exit_code == 1 and "不在日志中" in anchored.output


def test_the_schema_altered_is_seen(whole: Path, tmp_path: Path) -> None:
    for statements in (
        ["DROP TRIGGER events_no_update"],
        ["DROP INDEX runs_by_status", "CREATE INDEX runs_by_status ON runs(started_at)"],
        ["CREATE TABLE extra (x)"],
        ["PRAGMA user_version = 2"],
    ):
        case = _copy(whole, tmp_path / "schema")
        db = sqlite3.connect(case)
        for s in statements:
            db.execute(s)
        db.commit()
        db.close()
        result = invoke("journal", "verify", "--journal", str(case))
        assert result.exit_code == 1, (statements, result.output)
        commands_hold(case)
        shutil.rmtree(case.parent)


# ---- the same edits by hand in the shared store (PostgreSQL)
#
# The journal above copied into a database (`sop journal copy`), each case
# edited in a database made from it (CREATE DATABASE … TEMPLATE), as someone
# with a SQL shell would: the guard triggers disabled, the edit made, the
# guards enabled again. PostgreSQL refuses by itself what its column types
# rule out (bytes that are not UTF-8, text in a number column).

_JSON_SET = re.compile(r"json_set\((\w+), '\$(.*?)', '(.*?)'\)")
_JSON_REMOVE = re.compile(r"json_remove\((\w+), '\$\.(\w+)'\)")


def _pg_path(path: str) -> str:
    """A JSON path of SQLite's ($.a, $[0].b, $."x.y") as PostgreSQL's ({a}, {0,b}, {x.y})."""
    parts = re.findall(r'\[(\d+)\]|\."([^"]+)"|\.(\w+)', path)
    return "{" + ",".join(next(p for p in part if p) for part in parts) + "}"


def pg_sql(statement: str) -> str:
    """An edit written in SQLite's SQL, said in PostgreSQL's."""
    statement = _JSON_SET.sub(
        lambda m: f"jsonb_set({m[1]}::jsonb, '{_pg_path(m[2])}', to_jsonb('{m[3]}'::text))::text",
        statement,
    )
    return _JSON_REMOVE.sub(lambda m: f"({m[1]}::jsonb - '{m[2]}')::text", statement)


@pytest.fixture(scope="module")
def pg_whole(whole: Path, pg_cluster: Any) -> Iterator[str]:
    """The journal above, in a database to make each case's database from."""
    from engine.journal.copy import copy_journal

    url = pg_cluster.new_database()
    copy_journal(str(whole), url)
    yield url.rsplit("/", 1)[1]


def _pg_case(cluster: Any, template: str, n: int) -> str:
    name = f"{template}_case{n}"
    cluster.sql(f"DROP DATABASE IF EXISTS {name}")
    cluster.sql(f"CREATE DATABASE {name} TEMPLATE {template}")
    return str(cluster.url(name))


PG_TABLES = ("events", "runs", "dues", "due_words", "snapshots", "sop_journal")


def pg_dump(url: str) -> Any:
    """Every row of every table, the guards and the mark, as the database has them."""
    import psycopg

    with psycopg.connect(url) as db:
        out: dict[str, Any] = {
            t: db.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()  # type: ignore[call-overload]
            for t in PG_TABLES
        }
        out["guards"] = db.execute(
            "SELECT tgname, tgenabled, tgtype, tgfoid FROM pg_trigger WHERE NOT tgisinternal "
            "ORDER BY 1"
        ).fetchall()
        return out


def _restore(url: str) -> None:
    """The case's database put back as it was made (from `pristine`)."""
    import psycopg

    with psycopg.connect(url) as db:
        db.execute("SET session_replication_role = replica")  # no guard fires
        for table in PG_TABLES:
            db.execute(f"DELETE FROM {table}")  # type: ignore[call-overload]
        for table in PG_TABLES:
            db.execute(f"INSERT INTO {table} SELECT * FROM pristine.{table}")  # type: ignore[call-overload]


def test_every_column_of_every_table_edited_by_hand_in_postgres_is_seen(
    pg_whole: str, pg_cluster: Any
) -> None:
    import psycopg

    from tests.journal_stores import tamper

    case = _pg_case(pg_cluster, pg_whole, 0)
    before = pg_dump(case)
    pg_cluster.sql(
        "CREATE SCHEMA pristine; "
        + " ".join(f"CREATE TABLE pristine.{t} AS SELECT * FROM public.{t};" for t in PG_TABLES),
        case.rsplit("/", 1)[1],
    )
    unchanged: list[str] = []
    refused = seen = 0
    for what, statements in _cases():
        try:
            tamper(case, *(pg_sql(s) for s in statements))
        except psycopg.Error:
            refused += 1  # PostgreSQL itself refuses it (a type, NOT NULL, a duplicate key)
            continue
        if pg_dump(case) == before:
            unchanged.append(what)
            continue
        # Show and report the runs the corpus edits (3, 6, and event 40's run 1).
        assert commands_hold(case, (1, 3, 6)) == 1, f"{what}: not seen"
        seen += 1
        _restore(case)
        assert pg_dump(case) == before
    assert len(unchanged) < 5, unchanged
    assert seen > 150, (seen, refused)


def test_a_postgres_chain_rebuilt_after_an_edit_is_seen_only_against_the_head(
    pg_whole: str, pg_cluster: Any
) -> None:
    import psycopg

    from engine.journal.events import chain_hash

    case = _pg_case(pg_cluster, pg_whole, 9000)
    with Journal(case, write=False) as j:
        head = j.head()
    assert head is not None
    with psycopg.connect(case) as db:
        db.execute("ALTER TABLE events DISABLE TRIGGER USER")
        rows = db.execute(
            "SELECT seq, run, at, kind, actor, data FROM events ORDER BY seq"
        ).fetchall()
        prev = "0" * 64
        for seq, run, at, kind, actor, data in rows:
            if kind == "note.added":
                data = data.replace("客户要了温水", "客户要了冰水")
            digest = chain_hash(prev, seq, run, at, kind, actor, data)
            db.execute(
                "UPDATE events SET data = %s, prev = %s, hash = %s WHERE seq = %s",
                (data, prev, digest, seq),
            )
            prev = digest
        db.execute("ALTER TABLE events ENABLE TRIGGER USER")
    assert invoke("journal", "verify", "--journal", case).exit_code == 0
    anchored = invoke("journal", "verify", "--journal", case, "--expect", head[1][:16])
    assert anchored.exit_code == 1 and "不在日志中" in anchored.output


def test_the_postgres_guards_altered_are_seen(pg_whole: str, pg_cluster: Any) -> None:
    for n, statements in enumerate(
        (
            ["DROP TRIGGER events_append_only ON events"],
            ["ALTER TABLE snapshots DISABLE TRIGGER snapshots_append_only"],
            ["ALTER TABLE runs DISABLE TRIGGER USER"],
            [
                "CREATE OR REPLACE FUNCTION sop_append_only() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$"
            ],
            [
                "CREATE TRIGGER extra BEFORE INSERT ON events FOR EACH ROW "
                "EXECUTE FUNCTION sop_summary_guard()"
            ],
            ["CREATE TABLE extra (x int)"],
            ["ALTER TABLE dues DROP COLUMN words"],
            ["ALTER TABLE due_words ADD COLUMN x int"],
            ["ALTER TABLE dues ALTER COLUMN low TYPE text"],
        )
    ):
        case = _pg_case(pg_cluster, pg_whole, 9100 + n)
        pg_cluster.sql("; ".join(statements), case.rsplit("/", 1)[1])
        result = invoke("journal", "verify", "--journal", case)
        assert result.exit_code == 1 and "表结构被改动过" in result.output, (
            statements,
            result.output,
        )
        commands_hold(case)
