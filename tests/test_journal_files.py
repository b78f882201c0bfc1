"""The journal as a file: recognised before anything is written, read
without writing, and journals written by earlier releases brought up to date
only by a command that records."""

from __future__ import annotations

import os
import shutil
import sqlite3
import struct
from collections.abc import Iterator
from json import loads as json_loads
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.journal import Journal, schema
from engine.journal.sqlite_file import APPLICATION_ID
from tests.conftest import ROOT, Runner
from tests.runtime_support import FIXTURE, Sop

FIXTURES = ROOT / "tests" / "fixtures" / "journals"
READERS = (["runs"], ["due"], ["show", "1"], ["report", "1"], ["journal", "verify"])


@pytest.fixture
def run(sop: Runner, tmp_path: Path) -> Sop:
    return Sop(sop, tmp_path / "journal.sqlite3")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _places(path: Path) -> None:
    """A browser history database, as another program leaves one: WAL mode,
    no application id, tables of its own."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT, title TEXT)")
    db.execute("CREATE TABLE moz_historyvisits (id INTEGER PRIMARY KEY, place_id INTEGER)")
    db.execute("INSERT INTO moz_places(url, title) VALUES ('https://example.com/', '例子')")
    db.commit()
    db.close()


def _marked(path: Path, app_id: int) -> None:
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA application_id = {app_id}")
    db.execute("CREATE TABLE events (x)")  # a journal's table name does not make it one
    db.commit()
    db.close()


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(_places, id="places.sqlite"),
        pytest.param(lambda p: _marked(p, 0x0F0F0F0F), id="another-application-id"),
        pytest.param(lambda p: p.write_text("名字,电话\n王,138\n", encoding="utf-8"), id="csv"),
        pytest.param(lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\x07" * 40), id="short"),
    ],
)
def test_another_programs_file_is_refused_unchanged(run: Sop, tmp_path: Path, make: object) -> None:
    folder = tmp_path / "other"
    folder.mkdir()
    target = folder / "places.sqlite"
    make(target)  # type: ignore[operator]
    before = _snapshot(folder)
    journal = Sop(run._sop, target)
    for command in [*READERS, ["run", "visit", "--rulebook", str(FIXTURE)]]:
        result = journal(*command, input="")
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert "不是 sop 的日志" in result.stderr and "sop 没有改动它" in result.stderr, command
        assert "Traceback" not in result.stderr
    assert _snapshot(folder) == before  # same bytes, and no -wal, -shm or -journal beside it
    english = journal("runs", "--lang", "en")
    assert "is not a sop journal" in english.stderr and "unchanged" in english.stderr


def test_an_empty_file_is_made_a_journal_only_by_a_command_that_records(run: Sop) -> None:
    run.journal.write_bytes(b"")
    for command in READERS:
        result = run(*command)
        assert result.returncode == 1 and "是空的 (0 字节)" in result.stderr, command
        assert "完整" not in result.stdout
    assert run.journal.read_bytes() == b""
    made = run("run", "visit", "--rulebook", str(FIXTURE), "--set", "returning=否", input="p\n")
    assert made.returncode == 0 and "已暂停运行 #1" in made.stdout, made.stderr
    assert run.json("runs")[0]["status"] == "paused"


def test_a_new_journal_is_marked_in_its_main_file_from_the_start(run: Sop) -> None:
    run("run", "visit", "--rulebook", str(FIXTURE), "--set", "returning=否", input="p\n")
    header = run.journal.read_bytes()[:100]
    assert header.startswith(b"SQLite format 3\x00")
    assert struct.unpack(">I", header[68:72])[0] == APPLICATION_ID
    assert struct.unpack(">i", header[60:64])[0] == schema.VERSION
    assert header[18:20] == b"\x02\x02"  # WAL
    assert not Path(str(run.journal) + "-wal").exists()  # folded in on a clean close


def test_reading_writes_nothing_and_leaves_no_files_beside_the_journal(run: Sop) -> None:
    run("run", "visit", "--rulebook", str(FIXTURE), "--set", "returning=否", input="p\n")
    before = _snapshot(run.journal.parent)
    for command in READERS:
        assert run(*command).returncode == 0, command
    assert _snapshot(run.journal.parent) == before


# ---- a read-only folder or medium


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """(source, view): `view` shows `source` read-only — a read-only bind
    mount when root (root ignores file modes), else folder and file modes."""
    source, view = tmp_path / "source", tmp_path / "view"
    source.mkdir()
    view.mkdir()
    if os.geteuid() == 0:
        if os.system(f"mount --bind {source} {view} 2>/dev/null") != 0:
            pytest.skip("cannot bind-mount here")
        if os.system(f"mount -o remount,ro,bind {view} 2>/dev/null") != 0:
            os.system(f"umount {view}")
            pytest.skip("cannot remount read-only here")
        try:
            yield source, view
        finally:
            os.system(f"umount {view}")
    else:
        view.rmdir()
        view.symlink_to(source)
        yield source, view
        for p in source.iterdir():
            p.chmod(0o644)
        source.chmod(0o755)


def _lock(source: Path) -> None:
    if os.geteuid() != 0:
        for p in source.iterdir():
            p.chmod(0o444)
        source.chmod(0o555)


def test_a_read_only_journal_is_read_and_never_written(
    sop: Runner, read_only: tuple[Path, Path]
) -> None:
    source, view = read_only
    shutil.copy(FIXTURES / "v2.sqlite3", source / "journal.sqlite3")
    _lock(source)
    journal = Sop(sop, view / "journal.sqlite3")
    for command in READERS:
        result = journal(*command)
        assert result.returncode == 0, (command, result.stdout, result.stderr)
    assert "王建国" in journal("runs").stdout
    assert "日志完好" in journal("journal", "verify").stdout
    refused = journal("resume", "3", input="p\n")
    assert refused.returncode == 1 and "只读" in refused.stderr, refused.stderr
    assert "sop runs / show / report / due" in refused.stderr
    started = journal("run", "visit", "--rulebook", str(FIXTURE), input="")
    assert started.returncode == 1 and "只读" in started.stderr
    assert _snapshot(source) == {"journal.sqlite3": (FIXTURES / "v2.sqlite3").read_bytes()}


def test_a_journal_left_with_its_wal_reads_on_a_read_only_medium(
    sop: Runner, tmp_path: Path, read_only: tuple[Path, Path]
) -> None:
    """A writer killed mid-run leaves the main file behind the WAL: both
    copied to a read-only medium still read whole (SQLite cannot make the
    WAL's index there, so sop reads a private copy)."""
    source, view = read_only
    live = tmp_path / "live.sqlite3"
    shutil.copy(FIXTURES / "v2.sqlite3", live)
    writer = Journal(str(live))  # stays open, like a killed process: the WAL is not folded in
    try:
        from engine.journal import Draft, RunUpdate, Write
        from engine.runtime.events import NoteAdded

        note = NoteAdded(step="register", procedure="visit", text="只在 WAL 中")
        writer.write(
            [Write(3, [Draft(note.kind, "2026-11-21T15:31:00+08:00", note.to_json())],
                   RunUpdate("paused", "register", "登记客户信息"))]
        )  # fmt: skip
        shutil.copy(live, source / "journal.sqlite3")
        shutil.copy(str(live) + "-wal", source / "journal.sqlite3-wal")
    finally:
        writer._db.close()  # no checkpoint, as after kill -9
    _lock(source)
    journal = Sop(sop, view / "journal.sqlite3")
    shown = journal("show", "3")
    assert shown.returncode == 0 and "只在 WAL 中" in shown.stdout, shown.stderr
    assert set(os.listdir(source)) == {"journal.sqlite3", "journal.sqlite3-wal"}


# ---- journals written by earlier releases


@pytest.mark.parametrize("version", [1, 2])
def test_an_old_journal_verifies_without_being_changed(
    sop: Runner, tmp_path: Path, version: int
) -> None:
    path = tmp_path / "old.sqlite3"
    shutil.copy(FIXTURES / f"v{version}.sqlite3", path)
    journal = Sop(sop, path)
    verify = journal("journal", "verify")
    assert verify.returncode == 0 and "日志完好" in verify.stdout, verify.stdout + verify.stderr
    for command in READERS:
        assert journal(*command).returncode == 0, command
    assert path.read_bytes() == (FIXTURES / f"v{version}.sqlite3").read_bytes()
    # Nothing beside the journal (the test's own cache folder aside: `sop due`
    # keeps what it reads of the rulebook there).
    assert sorted(n for n in os.listdir(tmp_path) if n != "cache") == ["old.sqlite3"]


@pytest.mark.parametrize("version", [1, 2])
def test_an_old_journal_is_brought_up_to_date_by_resuming_a_run(
    sop: Runner, tmp_path: Path, version: int
) -> None:
    path = tmp_path / "old.sqlite3"
    shutil.copy(FIXTURES / f"v{version}.sqlite3", path)
    journal = Sop(sop, path)
    before = journal.json("runs")
    night = journal("resume", "4", input="y\n")  # the night patrol's one check, then its end
    assert night.returncode == 0 and "已完成" in night.stdout, night.stdout + night.stderr
    visit = journal("resume", "3", input="p\n")
    assert visit.returncode == 0 and "继续运行 #3" in visit.stdout, visit.stdout + visit.stderr
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone() == (schema.VERSION,)
    assert db.execute("PRAGMA application_id").fetchone() == (APPLICATION_ID,)
    firsts = db.execute(
        "SELECT r.started_at = (SELECT at FROM events e WHERE e.run = r.id ORDER BY seq LIMIT 1) "
        "FROM runs r"
    ).fetchall()
    db.close()
    assert all(same for (same,) in firsts)
    after = {r["id"]: r for r in journal.json("runs")}
    assert after[4]["status"] == "finished" and after[3]["status"] == "paused"
    for old in before:
        if old["id"] not in (3, 4):
            assert after[old["id"]]["status"] == old["status"]
    verify = journal("journal", "verify")
    assert verify.returncode == 0 and "日志完好" in verify.stdout, verify.stdout


def test_a_journal_from_a_newer_sop_is_refused(run: Sop) -> None:
    run("run", "visit", "--rulebook", str(FIXTURE), "--set", "returning=否", input="p\n")
    db = sqlite3.connect(run.journal)
    db.execute(f"PRAGMA user_version = {schema.VERSION + 1}")
    db.commit()
    db.close()
    for command in [*READERS, ["resume", "1"]]:
        result = run(*command, input="")
        assert result.returncode == 1 and "更新版本的 sop" in result.stderr, command


def test_the_security_doc_shows_verify_as_it_speaks() -> None:
    """docs/security.md quotes a verify report and the commands it advises:
    the report's lines are the program's own templates, the options exist."""
    from engine.cli.journal import backup, verify
    from engine.render.audit import VERIFY_HEAD, VERIFY_OK

    doc = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    assert VERIFY_OK.say("zh", events=5312, runs=214) in doc
    head = "9c0e5a1f3b7d2e84c61f0a9d5b3e7c21f4a8d6e0b2c9f7a13e5d8b4c6a0f2e91"
    assert VERIFY_HEAD.say("zh", seq=5312, head=head) in doc
    assert "--expect" in {o for p in verify.params for o in p.opts}
    assert backup.name == "backup" and "sop journal backup" in doc
    assert f"`0x{APPLICATION_ID:08X}`" in doc


def test_verify_speaks_json_and_english_and_names_the_anchor(sop: Runner, tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    shutil.copy(FIXTURES / "v2.sqlite3", path)
    journal = Sop(sop, path)
    report = journal.json("journal", "verify")
    assert report["ok"] is True and report["events"] == 120 and report["runs"] == 6
    assert report["problems"] == [] and report["broken_at"] is None and report["anchor"] is None
    head = report["head"]
    early = sqlite3.connect(path).execute("SELECT hash FROM events WHERE seq = 100").fetchone()[0]
    anchored = journal.json("journal", "verify", "--expect", early[:10].upper())
    expected = {"expect": early[:10].lower(), "seq": 100, "since": 20, "chain": ""}
    assert anchored["anchor"] == expected
    text = journal("journal", "verify", "--expect", early[:10], "--lang", "en").stdout
    assert "journal intact: 120 events" in text and f"head (event #120): {head}" in text
    assert "it is event #100, and 20 events were recorded after it" in text
    for expect, words in (("abc", "at least 8 hex digits"), ("0" * 12, "is not in the journal")):
        wrong = journal("journal", "verify", "--expect", expect, "--lang", "en")
        assert wrong.returncode == 1 and words in wrong.stdout, wrong.stdout
    db = sqlite3.connect(path)
    db.execute("UPDATE runs SET status = 'x' WHERE id = 2")  # status is not guarded
    db.commit()
    db.close()
    damaged = journal("journal", "verify", "--format", "json")
    assert damaged.returncode == 1
    problems = json_loads(damaged.stdout)["problems"]
    assert [(p["kind"], p.get("column"), p.get("key")) for p in problems] == [
        ("damaged", "status", "2")
    ]
    listed = journal("runs", "--format", "json")
    assert listed.returncode == 1 and "运行 #2 的摘要: status 的值" in listed.stderr
    rows = json_loads(listed.stdout)
    assert [r["id"] for r in rows] == [6, 5, 4, 3, 2, 1] and rows[4]["damaged"][
        "column"
    ] == "status"


@given(st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1))
def test_a_journal_is_opened_by_the_uri_pathlib_would_give(name: str) -> None:
    from engine.journal.sqlite_store import _uri

    path = os.path.join("/tmp", name)
    assert _uri(path, "mode=ro") == Path(os.path.abspath(path)).as_uri() + "?mode=ro"
    assert _uri(name, "immutable=1") == Path(os.path.abspath(name)).as_uri() + "?immutable=1"
