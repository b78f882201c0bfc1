"""`sop journal copy`: a journal moved between an SQLite file and a
PostgreSQL database, and back, with every id, time and hash kept — each
chain copied verifies on the other side; an interrupted copy goes on where
it stopped (even after kill -9); nothing is ever copied twice."""

from __future__ import annotations

import datetime
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from engine.errors import JournalError
from engine.journal import Draft, Journal, RunRow, RunUpdate, Write
from engine.journal.copy import copy_journal
from engine.journal.postgres import PostgresJournal
from engine.journal.sqlite_store import SqliteJournal
from engine.journal.store import COPYING
from engine.runtime.events import NoteAdded
from tests import journey_gen
from tests.conftest import ROOT, Runner
from tests.journal_stores import raw
from tests.test_journal_store import _new, _note

FIXTURES = ROOT / "tests" / "fixtures" / "journals"


def _everything(target: str) -> dict[str, Any]:
    """All a command can read from a journal."""
    with Journal(target, write=False) as j:
        runs = [r for r in j.all_runs()]
        return {
            "runs": runs,
            "events": {r.id: j.read_events(r.id) for r in runs if isinstance(r, RunRow)},
            "dues": list(j.due_entries()),
            "snapshots": sorted((sha, f) for sha, f in j.snapshots()),
            "heads": sorted(j.heads(), key=lambda h: h.chain),
        }


def _fixture(tmp_path: Path) -> str:
    path = tmp_path / "v2.sqlite3"
    shutil.copy(FIXTURES / "v2.sqlite3", path)
    Journal(str(path)).close()  # brought up to date, as a site's laptop would be
    return str(path)


def _sites(target: str) -> None:
    """A shared store's journal: runs at three sites (three chains) and none."""
    with Journal(target) as j:
        runs = [_new(j, site=s) for s in ("一号案场", "二号案场", "三号案场", None)]
        for i in range(5):
            for run in runs:
                _note(j, run, f"{run}/{i}")


def test_sqlite_to_postgres_and_back_keeps_every_row_and_hash(
    tmp_path: Path, pg_url: str, sop: Runner
) -> None:
    source = _fixture(tmp_path)
    before = _everything(source)
    done = copy_journal(source, pg_url)
    assert (done.events, done.runs, done.resumed) == (120, 6, False)
    assert _everything(pg_url) == before
    back = str(tmp_path / "back.sqlite3")
    copy_journal(pg_url, back)
    assert _everything(back) == before
    # Each store's split of every deadline (its words stored once) came along.
    splits = set()
    for target in (source, pg_url, back):
        with raw(target) as db:
            splits.add(
                db.execute(
                    "SELECT COUNT(*), COUNT(words), COUNT(DISTINCT words), "
                    "(SELECT COUNT(*) FROM due_words) FROM dues"
                ).fetchone()
            )
    assert len(splits) == 1 and splits.pop() == (4, 4, 4, 4)
    head = before["heads"][0].hash
    for target in (source, pg_url, back):
        verified = sop("journal", "verify", "--journal", target, "--expect", head[:16])
        assert verified.returncode == 0, verified.stdout
        assert "日志完好: 120 个事件" in verified.stdout
    # Every reading command says the same from each store.
    for args in (["runs"], ["due", "--at", "2026-11-23", "--days", "400"], ["show", "3"]):
        said = {sop(*args, "--journal", t).stdout for t in (source, pg_url, back)}
        assert len(said) == 1, args


def test_site_chains_copied_into_a_file_verify_and_go_on(tmp_path: Path, pg_url: str) -> None:
    _sites(pg_url)
    target = str(tmp_path / "sites.sqlite3")
    copy_journal(pg_url, target)
    assert _everything(target) == _everything(pg_url)
    with Journal(target) as j:
        assert not j.dense  # numbers drawn by four chains at once may skip
        assert {h.chain for h in j.heads()} == {"", "一号案场", "二号案场", "三号案场"}
        assert j.verify().ok
        _note(j, 2, "审计时补的备注")  # the file's own chain goes on
        assert j.verify().ok


@pytest.mark.parametrize("direction", ["to-postgres", "to-sqlite"])
def test_a_copy_is_never_made_twice_nor_over_other_runs(
    direction: str, tmp_path: Path, pg_url: str
) -> None:
    source = _fixture(tmp_path)
    if direction == "to-sqlite":
        copy_journal(source, pg_url)
        source, target = pg_url, str(tmp_path / "copy.sqlite3")
    else:
        target = pg_url
    copy_journal(source, target)
    with pytest.raises(JournalError, match="已经有"):
        copy_journal(source, target)
    with Journal(target) as j:  # the copy is used: it is no longer the source
        _note(j, 3, "复制之后的备注")
    with pytest.raises(JournalError, match="编号相同的其他运行"):
        copy_journal(source, target)
    other = str(tmp_path / "other.sqlite3")
    with Journal(other) as j:
        for _ in range(7):
            _new(j)
    with pytest.raises(JournalError, match="编号相同"):
        copy_journal(source, other)
    with pytest.raises(JournalError, match="同一个日志"):
        copy_journal(source, source)


def test_a_copy_goes_only_into_an_empty_journal(tmp_path: Path, pg_url: str) -> None:
    source = str(tmp_path / "one.sqlite3")
    with Journal(source) as j:
        _new(j)
    _sites(pg_url)  # runs 1..4 there, but run 1 is another
    with pytest.raises(JournalError, match="编号相同"):
        copy_journal(source, pg_url)
    lone = str(tmp_path / "lone.sqlite3")
    with Journal(lone) as j:
        for _ in range(5):
            _new(j)
    target = str(tmp_path / "target.sqlite3")
    with Journal(target) as j:
        _new(j)
        _new(j)
    with pytest.raises(JournalError, match="编号相同"):
        copy_journal(lone, target)


def _big(target: str, n: int = 30) -> None:
    with Journal(target) as j:
        journey_gen.walk(j, journey_gen.plans(n, 7, datetime.date(2026, 11, 23)))


@pytest.mark.parametrize("into", ["postgres", "sqlite"])
def test_an_interrupted_copy_goes_on_where_it_stopped(
    into: str, tmp_path: Path, pg_url: str, sop: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, target = str(tmp_path / "src.sqlite3"), pg_url
    _big(source)
    if into == "sqlite":
        copy_journal(source, pg_url)
        source, target = pg_url, str(tmp_path / "copy.sqlite3")
    before = _everything(source)
    backend = PostgresJournal if into == "postgres" else SqliteJournal
    real = backend.absorb
    calls = 0

    def interrupted(self: Journal, batch: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt  # Ctrl-C between two batches
        real(self, batch)

    monkeypatch.setattr(backend, "absorb", interrupted)
    with pytest.raises(KeyboardInterrupt):
        copy_journal(source, target, batch=40)
    monkeypatch.undo()
    with Journal(target, write=False) as j:
        assert j.meta(COPYING) and j.count_events() == 80
    # Meanwhile nothing records into it, and verify says why it differs.
    refused = sop("milestone", "1", "signed", "2026-11-01", "--journal", target)
    assert refused.returncode == 1 and "复制还没有完成" in refused.stderr
    verify = sop("journal", "verify", "--journal", target)
    assert verify.returncode == 1 and "被中断了" in verify.stdout
    # Another journal cannot finish it.
    stranger = _fixture(tmp_path)
    with pytest.raises(JournalError, match="尚未完成的复制"):
        copy_journal(stranger, target)
    done = copy_journal(source, target, batch=40)
    assert done.resumed and done.copied == done.events - 80
    assert _everything(target) == before
    with Journal(target, write=False) as j:
        assert j.meta(COPYING) is None and j.verify().ok


_KILLED = """
import sys, time
from engine.journal.copy import copy_journal
from engine.journal.postgres import PostgresJournal
from engine.journal.sqlite_store import SqliteJournal

def slow(done, total):
    print(done, flush=True)
    time.sleep(0.2)

copy_journal(sys.argv[1], sys.argv[2], batch=25, progress=slow)
"""


def test_a_copy_killed_mid_way_is_finished_by_the_same_command(
    tmp_path: Path, pg_url: str, sop: Runner
) -> None:
    source = str(tmp_path / "src.sqlite3")
    _big(source)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED, source, pg_url],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert child.stdout is not None
    assert int(child.stdout.readline()) > 0  # a batch committed…
    child.send_signal(signal.SIGKILL)  # …and the next one cut off
    child.wait(10)
    with Journal(pg_url, write=False) as j:
        assert j.meta(COPYING) is not None
    again = sop("journal", "copy", source, pg_url)
    assert again.returncode == 0, again.stderr
    assert "接着上次中断处" in again.stdout
    assert _everything(pg_url) == _everything(source)
    assert sop("journal", "verify", "--journal", pg_url).returncode == 0


def test_backup_of_a_postgres_journal_is_a_whole_file(
    tmp_path: Path, pg_url: str, sop: Runner
) -> None:
    _sites(pg_url)
    dest = tmp_path / "备份.sqlite3"
    made = sop("journal", "backup", str(dest), "--journal", pg_url)
    assert made.returncode == 0, made.stderr
    assert _everything(str(dest)) == _everything(pg_url)
    with Journal(str(dest), write=False) as j:  # (the runs' rulebook is a stand-in)
        assert j.verify().ok
    assert str(dest) in made.stdout
    again = sop("journal", "backup", str(dest), "--journal", pg_url)
    assert again.returncode == 1 and "已存在" in again.stderr
    into_db = sop("journal", "backup", pg_url, "--journal", str(dest))
    assert into_db.returncode == 2 and "sop journal copy" in into_db.stderr


def test_the_copy_of_a_run_resumes_where_the_original_stood(tmp_path: Path, pg_url: str) -> None:
    """A site moves to the shared store mid-journey: its runs go on there."""
    source = str(tmp_path / "site.sqlite3")
    _big(source, 12)
    copy_journal(source, pg_url)
    with Journal(pg_url) as j:
        open_runs = [r for r in j.runs() if isinstance(r, RunRow) and r.status != "finished"]
        row = open_runs[0]
        update = RunUpdate(row.status, row.step, row.step_title, row.outcome, row.dues, row.subject)
        note = NoteAdded(step=row.step, procedure=row.procedure, text="x")
        j.write([Write(row.id, [Draft(note.kind, row.updated_at, note.to_json())], update,
                       row.last_seq)])  # fmt: skip
        assert j.verify().ok
