"""Faults around the journal: an interrupt anywhere in a write, the file
deleted or replaced while a run goes on, a full disk, and a safe copy."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.errors import JournalError
from engine.journal import Draft, Journal, NewRun, RunUpdate, Write, snapshot_sha
from engine.runtime.events import NoteAdded
from tests.conftest import ROOT, Runner, sop_command
from tests.runtime_support import FIXTURE, VISIT_HAPPY, Sop, write_scenario

FIXTURES = ROOT / "tests" / "fixtures" / "journals"
FILES = {"rulebook.yaml": "title: x\n"}
AT = "2026-11-22T10:00:00+08:00"


def _start(journal: Journal) -> int:
    run, _ = journal.start_run(
        NewRun("visit", "样板房服务流程", "service", AT, snapshot_sha(FILES), "p", FILES),
        lambda rid: [Write(rid, [Draft("run.started", AT, {})], RunUpdate("active"))],
    )
    return run


def _note(journal: Journal, run: int, text: str) -> None:
    journal.write([Write(run, [Draft("note.added", AT, {"text": text})], RunUpdate("active"))])


def _note_keeping(journal: Journal, run: int, text: str) -> None:
    """A note, the run's summary as it stands (a note changes nothing else)."""
    row = journal.run(run)
    assert row is not None
    update = RunUpdate(row.status, row.step, row.step_title, row.outcome, row.dues, row.subject)
    note = NoteAdded(step=row.step, procedure=row.procedure, text=text)  # as sop writes it
    journal.write([Write(run, [Draft(note.kind, row.updated_at, note.to_json())], update)])


# ---- interrupts


def test_a_transaction_left_open_by_an_interrupt_does_not_block_the_next_write(
    tmp_path: Path,
) -> None:
    with Journal(str(tmp_path / "j.sqlite3")) as journal:
        run = _start(journal)
        journal._db.execute("BEGIN IMMEDIATE")  # Ctrl-C landed just after BEGIN
        _note(journal, run, "暂停前的最后一条")
        assert [e.kind for e in journal.events(run)] == ["run.started", "note.added"]
        with pytest.raises(KeyboardInterrupt):
            journal.start_run(
                NewRun("visit", "x", "service", AT, snapshot_sha(FILES), "p", FILES),
                lambda rid: (_ for _ in ()).throw(KeyboardInterrupt),
            )
        assert not journal._db.in_transaction
        _note(journal, run, "之后")
        assert journal.verify().ok and len(journal.runs()) == 1


def test_an_interrupt_anywhere_in_a_write_leaves_the_journal_whole_and_writable(
    tmp_path: Path,
) -> None:
    """SIGINT at random moments while writing (the timer fires inside
    SQLite's calls, between them, in the transaction's bookkeeping): every
    write either happened whole or not at all, and the next one works."""
    rng = random.Random(11)
    done = interrupted = 0
    with Journal(str(tmp_path / "j.sqlite3")) as journal:
        run = _start(journal)
        began = time.perf_counter()
        for i in range(5):
            _note(journal, run, f"计时 {i}")
        took = (time.perf_counter() - began) / 5  # a write, fsync included
        old = signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGALRM, lambda *_: os.kill(os.getpid(), signal.SIGINT))
        try:
            for i in range(300):
                try:
                    signal.setitimer(signal.ITIMER_REAL, rng.uniform(0.00001, took * 1.2))
                    _note(journal, run, f"第 {i} 条")
                    done += 1
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    took *= 0.97  # the timer follows the machine's load: about
                except KeyboardInterrupt:  # as many writes finish as are cut
                    interrupted += 1
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    took *= 1.05
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGINT, old)
        _note(journal, run, "最后")
        notes = [e.data["text"] for e in journal.events(run)[6:]]
        assert journal.verify().ok
    assert interrupted > 10 and done > 10, (done, interrupted)
    assert done + 1 <= len(notes) <= done + interrupted + 1
    assert notes[-1] == "最后"
    assert len(set(notes)) == len(notes)  # no write landed twice


# ---- the file deleted or replaced while in use


@pytest.mark.parametrize("how", ["deleted", "replaced", "moved", "wal-deleted"])
def test_a_journal_gone_from_under_a_writer_stops_it_before_anything_is_lost(
    tmp_path: Path, how: str
) -> None:
    path = tmp_path / "j.sqlite3"
    journal = Journal(str(path))
    run = _start(journal)
    _note(journal, run, "一")
    if how == "deleted":
        path.unlink()
    elif how == "replaced":
        shutil.copy(FIXTURES / "v2.sqlite3", tmp_path / "other")
        os.replace(tmp_path / "other", path)
    elif how == "moved":
        path.rename(tmp_path / "elsewhere.sqlite3")
    else:
        Path(str(path) + "-wal").unlink()
    with pytest.raises(JournalError) as caught:
        _note(journal, run, "二")
    message = caught.value.message
    assert ("被删除或替换" in message) if how != "wal-deleted" else ("预写文件" in message)
    assert "刚才的操作没有记录" in message
    journal._db.close()


def _spawn(tmp: Path, *args: str) -> Any:
    pexpect = pytest.importorskip("pexpect")
    cmd = sop_command()
    env = {**os.environ, "LANG": "C.UTF-8", "SOP_CACHE_DIR": str(tmp / "cache")}
    return pexpect.spawn(
        cmd[0], [*cmd[1:], *args], env=env, encoding="utf-8", timeout=20, dimensions=(24, 80)
    )


def test_the_runner_stops_when_its_journal_is_deleted_mid_run(tmp_path: Path) -> None:
    """The answer typed after the journal was deleted is not acknowledged:
    no next question, a message naming the file, exit status 1."""
    pexpect = pytest.importorskip("pexpect")
    path = tmp_path / "j.sqlite3"
    t = _spawn(tmp_path, "run", "visit", "--rulebook", str(FIXTURE), "--journal", str(path))
    t.expect("客户是否二次以上来访")
    t.sendline("否")
    t.expect("完成")
    path.unlink()
    t.sendline("")
    t.expect("被删除或替换")
    t.expect(pexpect.EOF)
    t.close()
    assert t.exitstatus == 1
    assert "客户是否携带儿童" not in (t.before or "")


# ---- a full disk


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs (root only; skipped otherwise)."""
    folder = tmp_path / "disk"
    folder.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    if os.system(f"mount -t tmpfs -o size=2m tmpfs {folder} 2>/dev/null") != 0:
        pytest.skip("cannot mount tmpfs here")
    try:
        yield folder
    finally:
        os.system(f"umount {folder}")


def _fill(folder: Path) -> Path:
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 4096)
                f.flush()
        except OSError:
            pass
    return filler


def test_a_full_disk_stops_the_run_with_a_clear_message_and_loses_nothing(
    sop: Runner, small_disk: Path, tmp_path: Path
) -> None:
    run = Sop(sop, small_disk / "journal.sqlite3")
    first = run("run", "visit", "--rulebook", str(FIXTURE), "--set", "returning=否", input="p\n")
    assert first.returncode == 0 and "已暂停运行 #1" in first.stdout, first.stderr
    before = run.json("show", "1")["events"]
    filler = _fill(small_disk)
    scenario = write_scenario(tmp_path, "happy", VISIT_HAPPY)
    full = run("resume", "1", "--answers", str(scenario))
    assert full.returncode == 1, full.stdout + full.stderr
    assert "磁盘已满" in full.stderr and "sop resume" in full.stderr, full.stderr
    assert "Traceback" not in full.stderr and "内部错误" not in full.stderr
    assert run.json("show", "1")["events"] == before  # nothing half-written
    filler.unlink()
    again = run("resume", "1", input="p\n")
    assert again.returncode == 0, again.stdout + again.stderr
    assert run("journal", "verify").returncode == 0


# ---- a safe copy


def test_backup_copies_what_the_wal_holds_and_verifies_against_its_head(
    sop: Runner, tmp_path: Path
) -> None:
    live = tmp_path / "live.sqlite3"
    shutil.copy(FIXTURES / "v2.sqlite3", live)
    writer = Journal(str(live))  # another terminal, mid-run: its writes still in the WAL
    _note_keeping(writer, 3, "只在 WAL 中")
    assert Path(str(live) + "-wal").stat().st_size > 0
    journal = Sop(sop, live)
    dest = tmp_path / "copies" / "backup.sqlite3"
    missing = journal("journal", "backup", str(dest))
    assert missing.returncode == 1 and "无法写入备份" in missing.stderr
    dest.parent.mkdir()
    made = journal("journal", "backup", str(dest))
    assert made.returncode == 0, made.stderr
    head = writer.head()
    assert head is not None and head[1] in made.stdout and f"--expect {head[1][:16]}" in made.stdout
    assert sorted(os.listdir(dest.parent)) == ["backup.sqlite3"]  # one whole file
    copy = Sop(sop, dest)
    assert "只在 WAL 中" in copy("show", "3").stdout
    verified = copy("journal", "verify", "--expect", head[1][:16])
    assert verified.returncode == 0 and "与记下的哈希" in verified.stdout, verified.stdout
    again = journal("journal", "backup", str(dest))
    assert again.returncode == 1 and "已存在" in again.stderr
    writer.close()


def test_copying_the_main_file_alone_after_a_crash_is_caught_against_the_head(
    sop: Runner, tmp_path: Path
) -> None:
    """What docs/security.md warns of: the .sqlite3 copied without its WAL."""
    live = tmp_path / "live.sqlite3"
    shutil.copy(FIXTURES / "v2.sqlite3", live)
    writer = Journal(str(live))
    _note_keeping(writer, 3, "只在 WAL 中")
    head = writer.head()
    assert head is not None
    shutil.copy(live, tmp_path / "naive.sqlite3")
    writer._db.close()  # as after kill -9: no checkpoint
    naive = Sop(sop, tmp_path / "naive.sqlite3")
    result = naive("journal", "verify", "--expect", head[1][:12])
    assert result.returncode == 1 and "不在日志中" in result.stdout, result.stdout


def test_a_writer_refuses_a_wal_whose_middle_is_damaged(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    writer = Journal(str(path))
    run = _start(writer)
    for i in range(6):
        _note(writer, run, f"备注 {i}")
    shutil.copy(path, tmp_path / "copy.sqlite3")
    wal = Path(str(path) + "-wal").read_bytes()
    writer._db.close()
    frame = 32 + 24 + 4096 + 24 + 100  # inside the second frame's page
    damaged = wal[:frame] + bytes([wal[frame] ^ 0xFF]) + wal[frame + 1 :]
    Path(str(tmp_path / "copy.sqlite3") + "-wal").write_bytes(damaged)
    with pytest.raises(JournalError, match="预写文件") as caught:
        Journal(str(tmp_path / "copy.sqlite3"))
    assert "sop journal verify" in caught.value.message
    db = sqlite3.connect(f"file:{tmp_path / 'copy.sqlite3'}?mode=ro", uri=True)
    assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] < 7  # SQLite drops the rest
    db.close()
    check = subprocess.run(
        [*sop_command(), "journal", "verify", "--journal", str(tmp_path / "copy.sqlite3")],
        capture_output=True,
        text=True,
        env={**os.environ, "LANG": "C.UTF-8"},
    )
    assert check.returncode == 1 and "预写文件 (-wal) 已损坏" in check.stdout, check.stdout


def _crash_after_writing(path: Path, notes: int) -> None:
    """A writer killed after `notes` answers: its WAL and WAL index left behind."""
    pid = os.fork()
    if pid == 0:  # the child writes, then dies without closing anything
        try:
            journal = Journal(str(path))
            run = _start(journal)
            for i in range(notes):
                _note(journal, run, f"备注 {i}")
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def test_a_wal_deleted_after_a_crash_is_reported_and_not_written_over(
    sop: Runner, tmp_path: Path
) -> None:
    path = tmp_path / "j.sqlite3"
    _crash_after_writing(path, 5)
    wal = Path(str(path) + "-wal")
    assert wal.stat().st_size > 0
    wal.unlink()  # "a temporary file", someone thought
    journal = Sop(sop, path)
    verify = journal("journal", "verify")
    assert verify.returncode == 1, verify.stdout
    assert "预写文件 (-wal) 不见了或被截短" in verify.stdout and "日志完好" not in verify.stdout
    refused = journal("run", "visit", "--rulebook", str(FIXTURE), input="")
    assert refused.returncode == 1 and "这些记录已丢失" in refused.stderr, refused.stderr
    assert "sop journal backup" in refused.stderr and "-shm" in refused.stderr
    Path(str(path) + "-shm").unlink()  # as the message says, once a copy is made
    again = journal(
        "run", "visit", "--rulebook", str(FIXTURE), "--set", "returning=否", input="p\n"
    )
    assert again.returncode == 0, again.stderr
