"""The journal in an SQLite file (the embedded default): recognise and
open, append in one transaction, read back row by row, and the checks only
the file can show.

A file is recognised as a journal before anything is written to it (its
SQLite `application_id`, or the tables of a journal an older sop made):
another program's database given by mistake is refused as it is. Commands
that only read open the file read-only (an immutable view when no writer has
left a WAL), so they work on a read-only folder or medium and never change
the file; only a writing command creates a journal or brings an old one up to
date. Every read gives back each row as it was written or, in its place, a
`Damaged` saying what is wrong, so one damaged row hides nothing else.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from engine.errors import JOURNAL_MISSING, JournalConflict, JournalError
from engine.i18n import message, os_reason
from engine.journal import schema
from engine.journal.events import (
    GENESIS,
    Damaged,
    Table,
    canonical,
    chain_hash,
)
from engine.journal.rows import (
    CallRow,
    decode,
    describe_damage,
    describe_place,
    parse_call_row,
    parse_due,
    read_listed,
    role_titles,
    snapshot_damage,
)
from engine.journal.sqlite_file import (
    Found,
    Kind,
    check_wal,
    identify,
    shm_path,
    truncated,
    wal_lost,
    wal_path,
)
from engine.journal.store import (
    EVENT_COLUMNS,
    EVERY_RUN,
    JOURNAL_ALREADY,
    JOURNAL_CONFLICT,
    JOURNAL_DAMAGED_ROW,
    JOURNAL_NO_RUN,
    JOURNAL_SNAPSHOT_MISSING,
    QUEUE_KIND,
    RUN_IDENTITY,
    RUN_NAMES,
    At,
    DueRow,
    Journal,
    JournalDamaged,
    RunFilter,
    dedupe,
    in_window,
    run_values,
)

if TYPE_CHECKING:
    from engine.journal.bulk import Batch, DueEntry, FileProblem, Head
    from engine.journal.chain import ChainRow, Event
    from engine.journal.summary import RunRow
    from engine.journal.writes import NewRun, RunUpdate, Write

BUSY_TIMEOUT_S = 30.0
# One writer at a time per journal file within a process (a server's worker
# threads each hold a connection): they queue here, woken as soon as the
# writer before them is done, rather than in SQLite's busy handler, which
# sleeps up to 100 ms between tries and lets a late comer go first. Writers
# in other processes still wait in the busy handler.
_WRITERS: dict[tuple[int, int], threading.RLock] = {}
_WRITERS_GUARD = threading.Lock()


def _writer_lock(identity: tuple[int, int] | None) -> contextlib.AbstractContextManager[Any]:
    """The lock this process's writers to the file `identity` (device, inode) share."""
    if identity is None:
        return contextlib.nullcontext()
    with _WRITERS_GUARD:
        return _WRITERS.setdefault(identity, threading.RLock())


# What reading a damaged file can raise: SQLite's errors, and Python's when
# SQLite's own message quotes bytes that are not UTF-8 (a damaged schema).
DB_ERRORS = (sqlite3.Error, UnicodeDecodeError)

JOURNAL_EMPTY = message(
    "journal.empty",
    "日志文件 {path} 是空的 (0 字节), 里面没有任何记录。若它本应有记录, 说明文件被截断了: "
    "请从备份恢复 (sop journal backup 做的副本)",
    "the journal {path} is empty (0 bytes): it holds no records. If it should, the file was "
    "cut short: restore it from a backup (a copy made by sop journal backup)",
)
JOURNAL_FOLDER = message(
    "journal.folder",
    "{path} 是文件夹, 不是日志文件。请用 --journal 指定日志文件, 如 {path}/journal.sqlite3",
    "{path} is a folder, not a journal file. Give the file with --journal, "
    "e.g. {path}/journal.sqlite3",
)
JOURNAL_NOT_SQLITE = message(
    "journal.not-sqlite",
    "{path} 不是 sop 的日志: 它不是 SQLite 数据库 (若它曾是日志, 文件开头已损坏)。"
    "sop 没有改动它。请用 --journal 指定日志文件",
    "{path} is not a sop journal: it is not an SQLite database (if it was a journal, its "
    "start is damaged). sop left it unchanged. Give the journal with --journal",
)
JOURNAL_NOT_A_JOURNAL = message(
    "journal.foreign",
    "{path} 不是 sop 的日志, 而是另一个程序的 SQLite 数据库。sop 没有改动它。"
    "请用 --journal 指定 sop 的日志文件",
    "{path} is not a sop journal but another program's SQLite database. sop left it "
    "unchanged. Give sop's journal with --journal",
)
JOURNAL_NEWER = message(
    "journal.newer",
    "日志 {path} 由更新版本的 sop 创建 (格式 {version}, 本程序支持到 {supported})。请升级 sop",
    "the journal {path} was made by a newer sop (format {version}; this one reads up to "
    "{supported}). Upgrade sop",
)
JOURNAL_UNREADABLE = message(
    "journal.unreadable",
    "无法读取日志 {path}: {error}。文件可能已损坏; 用 sop journal verify --journal {path} "
    "查看还能读出什么",
    "cannot read the journal {path}: {error}. The file may be damaged; see what can still be "
    "read with: sop journal verify --journal {path}",
)
JOURNAL_READ_ONLY = message(
    "journal.read-only",
    "日志 {path} 是只读的 (文件或所在文件夹不可写), 不能在其中记录。查看记录的命令 "
    "(sop runs / show / report / due) 仍可使用; 要继续流程, 请把日志放到可写的位置",
    "the journal {path} is read-only (the file or its folder cannot be written), so nothing "
    "can be recorded in it. Commands that read (sop runs / show / report / due) still work; "
    "to go on with a run, put the journal where it can be written",
)
JOURNAL_FOLDER_FAILED = message(
    "journal.folder-failed",
    "无法创建日志文件夹 {folder}: {error}",
    "cannot create the journal's folder {folder}: {error}",
)
JOURNAL_DISK_FULL = message(
    "journal.full",
    "磁盘已满, 日志 {path} 无法写入: 刚才的操作没有记录。请腾出磁盘空间后用 sop resume 继续",
    "the disk is full and the journal {path} cannot be written: the last step was not "
    "recorded. Free some space, then go on with sop resume",
)
JOURNAL_WRITE_FAILED = message(
    "journal.write-failed",
    "无法写入日志 {path}: {error}。刚才的操作没有记录",
    "cannot write to the journal {path}: {error}. The last step was not recorded",
)
JOURNAL_BUSY = message(
    "journal.busy",
    "日志 {path} 被另一个程序占用超过 {seconds} 秒, 刚才的操作没有记录。请稍后用 sop resume 继续",
    "the journal {path} was held by another program for over {seconds} seconds; the last "
    "step was not recorded. Go on later with sop resume",
)
JOURNAL_GONE = message(
    "journal.gone",
    "日志文件 {path} 在运行中被删除或替换了: 之后的记录会丢失, 所以停止记录。刚才的操作没有记录。"
    "请找回原来的日志文件 (或从备份恢复), 再用 sop resume 继续",
    "the journal file {path} was deleted or replaced while in use: what followed would be "
    "lost, so recording stops here. The last step was not recorded. Put the journal back "
    "(or restore it from a backup), then go on with sop resume",
)
JOURNAL_WAL_GONE = message(
    "journal.wal-gone",
    "日志的预写文件 {wal} 在运行中被删除或替换了, 其中的记录已丢失, 所以停止记录。"
    "刚才的操作没有记录。请用 sop journal verify 检查日志",
    "the journal's write-ahead file {wal} was deleted or replaced while in use; the records "
    "in it are lost, so recording stops here. The last step was not recorded. Check the "
    "journal with sop journal verify",
)
JOURNAL_WAL_DAMAGED = message(
    "journal.wal-damaged",
    "日志的预写文件 {wal} 已损坏: 第 {frame} 帧之后的 {lost} 次写入无法读出。"
    "继续写入会让它们永远丢失, 所以没有写入。请先用 sop journal verify 检查, 并从备份恢复",
    "the journal's write-ahead file {wal} is damaged: {lost} writes after frame {frame} "
    "cannot be read. Writing now would lose them for good, so nothing was written. Check "
    "with sop journal verify and restore from a backup",
)
JOURNAL_WAL_MISSING = message(
    "journal.wal-missing",
    "日志的预写文件 {wal} 不见了或被截短, 但索引文件显示其中有 {frames} 帧尚未并入日志的记录: "
    "这些记录已丢失。若能找回 {wal}, 请放回原处; 若找不回, 先用 sop journal backup 备份, "
    "再删除 {shm} 即可继续记录",
    "the journal's write-ahead file {wal} is gone or cut short, yet its index shows {frames} "
    "frames of records not yet in the journal: they are lost. If you can find {wal}, put it "
    "back; if not, make a copy with sop journal backup, then delete {shm} to go on recording",
)
JOURNAL_BACKUP_EXISTS = message(
    "journal.backup-exists",
    "{dest} 已存在, 没有覆盖。请换一个文件名",
    "{dest} already exists and was not overwritten. Choose another name",
)
JOURNAL_BACKUP_FAILED = message(
    "journal.backup-failed",
    "无法写入备份 {dest}: {error}",
    "cannot write the backup {dest}: {error}",
)


# Bytes a file: URI keeps as they are (urllib.parse.quote's safe set and the
# separator); any other byte is written %XX.
_URI_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~/")
_URI_BYTE = tuple(chr(b) if b in _URI_SAFE else f"%{b:02X}" for b in range(256))


def _uri(path: str, query: str) -> str:
    """The file's URI, as pathlib's `as_uri` writes it (on POSIX without
    importing pathlib and urllib, which a reading command needs for nothing
    else), with SQLite's query."""
    absolute = os.path.abspath(path)
    if os.name == "nt":  # drive letters and UNC shares: pathlib knows them
        from pathlib import Path

        return Path(absolute).as_uri() + "?" + query
    return "file://" + "".join(_URI_BYTE[b] for b in os.fsencode(absolute)) + "?" + query


def _fingerprint(path: str) -> tuple[int, int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


_CALL_COLUMNS = "d.run, d.n, d.data, r.site, r.subject"
_IDS_AT_ONCE = 500  # well within the oldest SQLite's 999 parameters a statement
# One deadline as _CALL_COLUMNS, by (run, n).
_CALL_ONE = (
    f"SELECT {_CALL_COLUMNS} FROM dues d JOIN runs r ON r.id = d.run "
    "WHERE d.run = ? AND d.n = ? AND r.status != 'finished'"
)


class SqliteJournal(Journal):
    """One connection to a journal file. Not shared between threads.

    `write=False` opens it for reading only: nothing is created, migrated or
    written, and a read-only file, folder or medium is fine."""

    def __init__(self, path: str, write: bool = True) -> None:
        self.path = path
        self.writable = write
        self.version = schema.VERSION
        self._private: str | None = None  # a copy read in place of an unopenable original
        self._fingerprint: tuple[int, int, int, int] | None = None  # of an immutable view
        self._identity: tuple[int, int] | None = None  # (device, inode) of the file written
        self._wal_identity: tuple[int, int] | None = None
        if path == ":memory:":
            self._db = self._connect(path)
            self._create()
            return
        found = identify(path)
        if write:
            self._db = self._open_for_writing(found)
        else:
            self._db = self._open_for_reading(found)

    # ---- opening

    def _connect(self, target: str, uri: bool = False) -> sqlite3.Connection:
        db = sqlite3.connect(target, isolation_level=None, timeout=BUSY_TIMEOUT_S, uri=uri)
        db.text_factory = decode
        return db

    def _refuse(self, found: Found) -> JournalError:
        if found.kind is Kind.FOLDER:
            return JournalError(JOURNAL_FOLDER, path=self.path)
        if found.kind is Kind.NOT_SQLITE:
            return JournalError(JOURNAL_NOT_SQLITE, path=self.path)
        return JournalError(JOURNAL_NOT_A_JOURNAL, path=self.path)

    def _unreadable(self, exc: BaseException) -> JournalDamaged:
        return JournalDamaged(JOURNAL_UNREADABLE, path=self.path, error=str(exc))

    def _open_readonly(self) -> sqlite3.Connection:
        """A read-only connection that changes nothing beside the file: an
        immutable view when no WAL holds anything (nothing else to read, and
        no lock or side file needed), else SQLite's read-only mode — and when
        that cannot open (a read-only folder lacking the WAL's index), a
        private copy of the file and its WAL."""
        try:
            wal_size = os.path.getsize(wal_path(self.path))
        except OSError:
            wal_size = 0
        if not wal_size:
            self._fingerprint = _fingerprint(self.path)
            return self._connect(_uri(self.path, "immutable=1"), uri=True)
        try:
            db = self._connect(_uri(self.path, "mode=ro"), uri=True)
            db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            return db
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorname", "") not in (
                "SQLITE_CANTOPEN",
                "SQLITE_READONLY_CANTINIT",
            ):
                raise
        import shutil
        import tempfile

        self._private = tempfile.mkdtemp(prefix="sop-journal-")
        copy = os.path.join(self._private, "journal.sqlite3")
        shutil.copyfile(self.path, copy)
        shutil.copyfile(wal_path(self.path), wal_path(copy))
        return self._connect(_uri(copy, "mode=ro"), uri=True)

    def _inspect(self, db: sqlite3.Connection) -> tuple[int, int, frozenset[str]]:
        (app,) = db.execute("PRAGMA application_id").fetchone()
        (version,) = db.execute("PRAGMA user_version").fetchone()
        tables = frozenset(
            str(name)
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not str(name).startswith("sqlite_")
        )
        return int(app), int(version), tables

    def _recognise(self, db: sqlite3.Connection, found: Found) -> int:
        """The journal's format version, or a refusal when it is not a journal."""
        from engine.journal.sqlite_file import APPLICATION_ID

        app, version, tables = self._inspect(db)
        if app == APPLICATION_ID or (app == 0 and tables == schema.TABLES.get(version)):
            if version > schema.VERSION:
                raise JournalError(
                    JOURNAL_NEWER, path=self.path, version=version, supported=schema.VERSION
                )
            marked_too_early = app == APPLICATION_ID and version < schema.MARKED_FROM
            if marked_too_early or version < 1 or tables != schema.TABLES.get(version):
                raise JournalDamaged(
                    JOURNAL_UNREADABLE,
                    path=self.path,
                    error=f"format {version}, tables {sorted(tables)}",
                )
            return version
        raise self._refuse(Found(Kind.FOREIGN, found.size, found.header))

    def _open_for_reading(self, found: Found) -> sqlite3.Connection:
        if found.kind is Kind.MISSING:
            raise JournalError(JOURNAL_MISSING, path=self.path)
        if found.kind is Kind.EMPTY:
            raise JournalError(JOURNAL_EMPTY, path=self.path)
        if found.kind not in (Kind.JOURNAL, Kind.UNMARKED):
            raise self._refuse(found)
        try:
            db = self._open_readonly()
            self.version = self._recognise(db, found)
            db.execute("PRAGMA query_only = ON")
        except DB_ERRORS as exc:
            self._drop_private()
            raise self._unreadable(exc) from exc
        except JournalError:
            self._drop_private()
            raise
        return db

    def _open_for_writing(self, found: Found) -> sqlite3.Connection:
        if found.kind in (Kind.FOLDER, Kind.NOT_SQLITE, Kind.FOREIGN):
            raise self._refuse(found)
        if found.kind is Kind.UNMARKED:  # an old journal, or someone else's database?
            try:
                probe = self._open_readonly()
                try:
                    self._recognise(probe, found)
                finally:
                    probe.close()
                    self._drop_private()
            except DB_ERRORS as exc:
                raise self._unreadable(exc) from exc
        folder = os.path.dirname(os.path.abspath(self.path))
        if found.kind is Kind.MISSING:
            try:
                os.makedirs(folder, exist_ok=True)
            except OSError as exc:
                raise JournalError(
                    JOURNAL_FOLDER_FAILED, folder=folder, error=os_reason(exc, writing=True)
                ) from exc
        exists = found.kind is not Kind.MISSING
        if not os.access(folder, os.W_OK) or (exists and not os.access(self.path, os.W_OK)):
            raise JournalError(JOURNAL_READ_ONLY, path=self.path)
        lost = wal_lost(self.path)
        if lost is not None:
            raise JournalError(
                JOURNAL_WAL_MISSING, wal=wal_path(self.path), shm=shm_path(self.path), frames=lost
            )
        wal = check_wal(self.path)
        if wal is not None and wal.damaged:
            raise JournalError(
                JOURNAL_WAL_DAMAGED,
                wal=wal_path(self.path),
                frame=wal.bad_frame or 0,
                lost=wal.lost,
            )
        try:
            self._db = db = self._connect(self.path)
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA foreign_keys=ON")
            if found.kind in (Kind.MISSING, Kind.EMPTY):
                self._create()
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            self.version = self._recognise(db, found)
            if self.version < schema.VERSION:
                self._migrate()
            st = os.stat(self.path)
            self._identity = (st.st_dev, st.st_ino)
            self._note_wal()
        except DB_ERRORS as exc:
            raise self._write_error(exc) from exc
        return db

    def _create(self) -> None:
        """A new journal, made in one transaction before the switch to WAL,
        so the main file carries its mark from the start."""
        with self._transaction() as db:
            app, version, tables = self._inspect(db)
            if version == 0 and not tables and app == 0:  # nobody made it meanwhile
                self._run_migrations(db, 0)

    def _migrate(self) -> None:
        with self._transaction() as db:
            # Another process may have migrated while this one waited for the lock.
            (version,) = db.execute("PRAGMA user_version").fetchone()
            if version > schema.VERSION:
                raise JournalError(
                    JOURNAL_NEWER, path=self.path, version=version, supported=schema.VERSION
                )
            self._run_migrations(db, version)
        self.version = schema.VERSION
        # Put the new mark into the main file now, not at some later checkpoint.
        self._db.execute("PRAGMA wal_checkpoint(PASSIVE)")

    @staticmethod
    def _run_migrations(db: sqlite3.Connection, version: int) -> None:
        for number in range(version, schema.VERSION):
            for statement in schema.MIGRATIONS[number]:
                if callable(statement):
                    statement(db)
                else:
                    db.execute(statement)
        db.execute(f"PRAGMA user_version = {schema.VERSION}")

    def close(self) -> None:
        if self.writable and self.path != ":memory:":
            # Fold the WAL into the main file, so a copy of the file alone is
            # whole; another process still writing keeps what it needs.
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        self._db.close()
        self._drop_private()

    def _drop_private(self) -> None:
        if self._private is not None:
            import shutil  # a private copy was made (a read-only medium): loaded then

            shutil.rmtree(self._private, ignore_errors=True)
            self._private = None

    def changed_while_read(self) -> bool:
        """Whether the file under an immutable view changed since it was
        opened (a writer folded its WAL in): what was read may be torn."""
        return self._fingerprint is not None and _fingerprint(self.path) != self._fingerprint

    # ---- writing

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        if self._db.in_transaction:
            # An interrupt landed between BEGIN and the handler that ends a
            # failed transaction: end it now rather than fail every later write.
            self._db.execute("ROLLBACK")
        with _writer_lock(self._identity):
            try:
                self._db.execute("BEGIN IMMEDIATE")
                yield self._db
                self._still_the_file()
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        self._db.execute("ROLLBACK")
                raise
        self._note_wal()

    def _still_the_file(self) -> None:
        """Refuse to commit into a file that is no longer the journal at
        `path` (deleted or replaced while open), or whose WAL was deleted:
        whatever SQLite wrote would be lost when the process ends."""
        if self._identity is None:
            return
        try:
            st = os.stat(self.path)
        except OSError:
            raise JournalError(JOURNAL_GONE, path=self.path) from None
        if (st.st_dev, st.st_ino) != self._identity:
            raise JournalError(JOURNAL_GONE, path=self.path)
        if self._wal_identity is not None:
            wal = wal_path(self.path)
            try:
                w = os.stat(wal)
            except OSError:
                raise JournalError(JOURNAL_WAL_GONE, wal=wal) from None
            if (w.st_dev, w.st_ino) != self._wal_identity:
                raise JournalError(JOURNAL_WAL_GONE, wal=wal)

    def _note_wal(self) -> None:
        if self._identity is None:
            return
        try:
            w = os.stat(wal_path(self.path))
        except OSError:
            self._wal_identity = None
            return
        self._wal_identity = (w.st_dev, w.st_ino)

    def _write_error(self, exc: Exception) -> JournalError:
        name = getattr(exc, "sqlite_errorname", "")
        if name == "SQLITE_FULL" or (name.startswith("SQLITE_IOERR") and self._disk_full()):
            return JournalError(JOURNAL_DISK_FULL, path=self.path)
        if name.startswith("SQLITE_READONLY"):
            return JournalError(JOURNAL_READ_ONLY, path=self.path)
        if name.startswith("SQLITE_BUSY"):
            return JournalError(JOURNAL_BUSY, path=self.path, seconds=int(BUSY_TIMEOUT_S))
        if name.startswith("SQLITE_CORRUPT") or name == "SQLITE_NOTADB":
            return self._unreadable(exc)
        return JournalError(JOURNAL_WRITE_FAILED, path=self.path, error=str(exc))

    def _disk_full(self) -> bool:
        """SQLite reports a full disk while growing its WAL index as an I/O error."""
        try:
            st = os.statvfs(os.path.dirname(os.path.abspath(self.path)))
        except OSError:
            return False
        return st.f_bavail * st.f_frsize < 64 * 1024

    def write(self, writes: Sequence[Write]) -> list[Event]:
        """Append events to one or more runs atomically, with their summaries."""
        try:
            with self._transaction() as db:
                return self._apply(db, writes)
        except DB_ERRORS as exc:
            raise self._write_error(exc) from exc

    def start_run(
        self, new: NewRun, build: Callable[[int], Sequence[Write]], alone: bool = False
    ) -> tuple[int, list[Event]]:
        """Create a run and write its first events in the same transaction;
        `build` receives the new run's id (so linked events can name it)."""
        try:
            with self._transaction() as db:
                # One writer at a time (BEGIN IMMEDIATE): nobody starts it meanwhile.
                if (
                    alone
                    and db.execute(
                        "SELECT 1 FROM runs WHERE procedure = ? AND kind = ? AND site IS ?",
                        (new.procedure, new.kind, new.site),
                    ).fetchone()
                ):
                    raise JournalConflict(JOURNAL_ALREADY, procedure=new.procedure)
                db.execute(
                    "INSERT OR IGNORE INTO snapshots(sha, files) VALUES (?, ?)",
                    (new.rulebook_sha, canonical(new.snapshot)),
                )
                cur = db.execute(
                    "INSERT INTO runs(procedure, title, kind, operator, site, started_at, "
                    "rulebook_sha, procedure_sha, parent, status, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?)",
                    (
                        new.procedure,
                        new.title,
                        new.kind,
                        new.operator,
                        new.site,
                        new.started_at,
                        new.rulebook_sha,
                        new.procedure_sha,
                        new.parent,
                        new.started_at,
                    ),
                )
                run_id = cur.lastrowid
                assert run_id is not None
                return run_id, self._apply(db, build(run_id))
        except DB_ERRORS as exc:
            raise self._write_error(exc) from exc

    def _apply(self, db: sqlite3.Connection, writes: Sequence[Write]) -> list[Event]:
        from engine.journal.chain import Event

        # One writer at a time (BEGIN IMMEDIATE): every event goes on the
        # file's one chain (""), numbered after the last event of any chain.
        seq, prev = db.execute(
            "SELECT (SELECT MAX(seq) FROM events), "
            "(SELECT hash FROM events WHERE chain = '' ORDER BY seq DESC LIMIT 1)"
        ).fetchone()
        seq, prev = seq or 0, prev or GENESIS
        out: list[Event] = []
        for w in writes:
            row = db.execute("SELECT last_seq FROM runs WHERE id = ?", (w.run,)).fetchone()
            if row is None:
                raise JournalError(JOURNAL_NO_RUN, run=w.run)
            if w.expect is not None and row[0] != w.expect:
                raise JournalConflict(JOURNAL_CONFLICT, run=w.run)
            last = row[0]
            for d in w.drafts:
                seq += 1
                text = canonical(d.data)
                digest = chain_hash(prev, seq, w.run, d.at, d.kind, d.actor, text)
                db.execute(
                    f"INSERT INTO events({EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (seq, w.run, d.at, d.kind, d.actor, text, prev, digest),
                )
                out.append(Event(seq, w.run, d.at, d.kind, d.actor, d.data, prev, digest))
                prev, last = digest, seq
            self._update_run(
                db, w.run, w.update, last, len(w.drafts), w.drafts[-1].at if w.drafts else None
            )
        return out

    @staticmethod
    def _update_run(
        db: sqlite3.Connection, run: int, u: RunUpdate, last: int, added: int, at: str | None
    ) -> None:
        dues = json.dumps(list(u.dues), ensure_ascii=False, sort_keys=True) if u.dues else None
        db.execute(
            "UPDATE runs SET status = ?, step = ?, step_title = ?, outcome = ?, dues = ?, "
            "last_seq = ?, events = events + ?, updated_at = COALESCE(?, updated_at), "
            "subject = COALESCE(?, subject) WHERE id = ?",
            (u.status, u.step, u.step_title, u.outcome, dues, last, added, at, u.subject, run),
        )
        db.execute("DELETE FROM dues WHERE run = ?", (run,))
        if u.dues and u.status != "finished":
            schema.insert_split(db, schema.split_dues(run, u.dues))

    def backup(self, dest: str) -> tuple[int, str] | None:
        """A consistent copy of the journal — the main file and what its WAL
        holds — made with SQLite's backup API while others may be writing.
        The copy is one whole file (no WAL beside it). Returns the copy's
        head (sequence number and hash of its last event)."""
        if os.path.lexists(dest):
            raise JournalError(JOURNAL_BACKUP_EXISTS, dest=dest)
        source = self._db
        if self.path != ":memory:" and self._fingerprint is not None:
            # An immutable view does not see a writer that starts meanwhile:
            # read through SQLite's locks when the folder allows it.
            try:
                source = self._connect(_uri(self.path, "mode=ro"), uri=True)
                source.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            except DB_ERRORS:
                source = self._db
        try:
            target = sqlite3.connect(dest, isolation_level=None)
        except DB_ERRORS as exc:
            raise JournalError(JOURNAL_BACKUP_FAILED, dest=dest, error=str(exc)) from exc
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")
            head = target.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
            found = head.fetchone()
        except DB_ERRORS as exc:
            target.close()
            with contextlib.suppress(OSError):
                os.unlink(dest)
            name = getattr(exc, "sqlite_errorname", "")
            if name.startswith("SQLITE_CORRUPT"):
                raise self._unreadable(exc) from exc
            raise JournalError(JOURNAL_BACKUP_FAILED, dest=dest, error=str(exc)) from exc
        finally:
            if source is not self._db:
                source.close()
        target.close()
        return (int(found[0]), str(found[1])) if found else None

    # ---- reading

    def _select(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._db.execute(sql, args).fetchall()
        except DB_ERRORS as exc:
            raise self._unreadable(exc) from exc

    def _fetch_text(self, sql: str, args: Sequence[Any]) -> list[Any]:
        """Rows with their text decoded by SQLite's own (fast) UTF-8 decoder,
        read again leniently (each bad value a `BadText`) when one is not UTF-8."""
        self._db.text_factory = str
        try:
            return self._db.execute(sql, args).fetchall()
        except sqlite3.OperationalError as exc:
            if "decode" not in str(exc):
                raise
        finally:
            self._db.text_factory = decode
        return self._db.execute(sql, args).fetchall()

    def _run_columns(self, prefix: str = "") -> str:
        names = list(RUN_NAMES)
        if self.version < 2:
            names[-1] = "NULL"  # format 1 did not know whom a run is about
        return ", ".join(prefix + n if n != "NULL" else n for n in names)

    def _salvage(self, table: Table, key: str, ids: Sequence[int], columns: str) -> Iterator[Any]:
        """Rows read one by one by key, when reading them together fails on a
        damaged page: each row that cannot be read is named instead."""
        for i in ids:
            try:
                row = self._db.execute(
                    f"SELECT {columns} FROM {table} WHERE {key} = ?", (i,)
                ).fetchone()
            except DB_ERRORS as exc:
                yield Damaged(table, str(i), i if table == "runs" else None, "unreadable",
                              None, str(exc))  # fmt: skip
                continue
            if row is not None:
                yield row

    def _keys(self, table: Table, key: str) -> tuple[list[int], bool]:
        """Every key a damaged table may hold (1 up to the largest readable),
        and whether the whole table could be scanned for them."""
        top, whole = 0, True
        for order in ("ASC", "DESC"):
            try:
                for (k,) in self._db.execute(f"SELECT {key} FROM {table} ORDER BY {key} {order}"):
                    if type(k) is int:
                        top = max(top, k)
                break
            except DB_ERRORS:
                whole = False
        return list(range(1, top + 1)), whole

    def _runs_where(
        self, where: str, args: Sequence[Any], tail: str = ""
    ) -> list[RunRow | Damaged]:
        from engine.journal.summary import parse_run

        sql = f"SELECT {self._run_columns()} FROM runs {where} {tail}"
        try:
            rows: list[Any] = self._db.execute(sql, args).fetchall()
        except DB_ERRORS:
            keys, whole = self._keys("runs", "id")
            rows = [
                r
                for r in self._salvage("runs", "id", keys, self._run_columns())
                if isinstance(r, Damaged) or self._matches(r, where, args)
            ]
            if not whole:
                rows.append(Damaged("runs", "*", None, "unreadable", None, ""))
            if "DESC" in tail:
                rows.reverse()
        return [r if isinstance(r, Damaged) else parse_run(r) for r in rows]

    def _matches(self, row: tuple[Any, ...], where: str, args: Sequence[Any]) -> bool:
        """A salvaged row against the same WHERE clause, asked of SQLite on its values."""
        if not where:
            return True
        placeholders = ", ".join(f"? AS {n}" for n in RUN_NAMES)
        try:
            hit = self._db.execute(
                f"SELECT 1 FROM (SELECT {placeholders}) {where}", [*row, *args]
            ).fetchone()
        except DB_ERRORS:
            return True
        return hit is not None

    def read_run(self, run_id: int) -> RunRow | Damaged | None:
        rows = self._runs_where("WHERE id = ?", (run_id,))
        return rows[0] if rows else None

    def runs(self, flt: RunFilter = EVERY_RUN) -> list[RunRow | Damaged]:
        """Runs newest first, each as written or `Damaged` in its place."""
        where: list[str] = []
        args: list[Any] = []
        if flt.statuses:
            where.append(f"status IN ({','.join('?' * len(flt.statuses))})")
            args.extend(flt.statuses)
        where.append("kind = ?" if flt.kind is not None else "kind != ?")
        args.append(flt.kind if flt.kind is not None else QUEUE_KIND)
        for column, value, op in (
            ("procedure", flt.procedure, "="),
            ("site", flt.site, "="),
            ("started_at", flt.since, ">="),
            ("started_at", flt.until, "<"),
        ):
            if value is not None:
                where.append(f"{column} {op} ?")
                args.append(value)
        clause = ("WHERE " + " AND ".join(where)) if where else ""
        tail = "ORDER BY id DESC"
        if flt.limit is not None:
            tail += f" LIMIT {int(flt.limit)}"
        rows = self._runs_where(clause, args, tail)
        return rows[: flt.limit] if flt.limit is not None else rows

    def children(self, run_id: int) -> list[RunRow | Damaged]:
        return self._runs_where("WHERE parent = ?", (run_id,), "ORDER BY id")

    def sites(self) -> list[str]:
        rows = self._select("SELECT DISTINCT site FROM runs WHERE site IS NOT NULL")
        return sorted(str(r[0]) for r in rows if isinstance(r[0], str) and r[0])

    def due_roles(self) -> dict[str, str]:
        if self.version < 2:  # no deadline index yet: the runs' own lists
            known: dict[str, str] = {}
            for row in self.dues("9999-12-31"):
                if not isinstance(row, Damaged) and row.due.get("role"):
                    known.setdefault(str(row.due["role"]), str(row.due.get("role_title") or ""))
            return known
        # One deadline per role (SQLite takes `data` from one of the group's rows).
        return role_titles(
            self._select("SELECT role, data FROM dues WHERE role IS NOT NULL GROUP BY role")
        )

    def dues(
        self, until: str, site: str | None = None, role: str | None = None
    ) -> list[DueRow | Damaged]:
        """Open deadlines that fall on or before `until` (a date: the whole
        day counts), earliest first, read through the date index; a deadline
        or run that cannot be read is `Damaged` in its place."""
        from engine.journal.summary import parse_run

        if self.version < 2:
            return self._dues_v1(until, site, role)
        columns = f"d.run, d.n, d.data, {self._run_columns('r.')}"
        sql, args = schema.due_query(columns, until, site, role)
        try:
            rows = self._fetch_text(sql, args)
        except DB_ERRORS:
            return self._dues_salvaged(until, site, role)
        out: list[DueRow | Damaged] = []
        runs: dict[object, RunRow | Damaged] = {}  # a run with several deadlines: read once
        for r in rows:
            due = parse_due(r[:3])
            run = runs.get(r[3])
            if run is None:
                run = runs[r[3]] = parse_run(r[3:])
            if isinstance(run, Damaged):
                out.append(run)
            elif isinstance(due, Damaged):
                out.append(due)
            else:
                out.append(DueRow(run, due[1]))
        return dedupe(out)

    def call_rows(
        self, until: str, site: str | None = None, role: str | None = None
    ) -> list[CallRow | Damaged]:
        if self.version < 2:  # no deadline index (nor customers) yet
            return super().call_rows(until, site, role)
        if self.version < 5:  # each deadline's JSON
            sql, args = schema.due_query(_CALL_COLUMNS, until, site, role)
            try:
                rows = self._fetch_text(sql, args)
            except DB_ERRORS:
                return super().call_rows(until, site, role)  # read row by row where it can be
            return dedupe([parse_call_row(r) for r in rows])
        # Each distinct text once, and when each deadline falls, through indexes
        # that hold all of it (format 5).
        sql, args = schema.due_query(
            "d.run, d.n, d.kind, d.due, d.since, d.low, d.high, d.words, r.site, r.subject",
            until, site, role, runs="runs r INDEXED BY runs_listed",
        )  # fmt: skip
        try:
            rows = self._fetch_text(sql, args)
            # The words these rows name (a few dozen), by their ids.
            ids = sorted({r[7] for r in rows if type(r[7]) is int})
            words = []
            for at in range(0, len(ids), _IDS_AT_ONCE):
                some = ids[at : at + _IDS_AT_ONCE]
                marks = ", ".join("?" * len(some))
                words += self._fetch_text(
                    f"SELECT id, data FROM due_words WHERE id IN ({marks})", some
                )
        except DB_ERRORS:
            return super().call_rows(until, site, role)
        listed = read_listed(rows, words)
        if not any(type(row) is tuple for row in listed):
            return cast(list[CallRow | Damaged], listed)  # the usual case: all read
        out: list[CallRow | Damaged] = []
        for row in listed:
            if isinstance(row, CallRow):
                out.append(row)
                continue
            # Not as sop splits it: read from the deadline's JSON, as before format 5.
            try:
                found = self._fetch_text(_CALL_ONE, row)
            except DB_ERRORS as exc:
                key = f"{row[0]}/{row[1]}"
                out.append(Damaged("dues", key, None, "unreadable", None, str(exc)))
                continue
            out.extend(parse_call_row(r) for r in found)
        return dedupe(out)

    def _dues_salvaged(
        self, until: str, site: str | None, role: str | None
    ) -> list[DueRow | Damaged]:
        """The call list when the index cannot be read: every open run's own
        deadlines, filtered here as the index would."""
        out: list[DueRow | Damaged] = []
        for row in self._runs_where("WHERE status != 'finished'", ()):
            if isinstance(row, Damaged):
                out.append(row)
                continue
            if site is not None and row.site != site:
                continue
            for d in row.dues:
                if schema.due_key(d) <= until + "~" and (role is None or d.get("role") == role):
                    out.append(DueRow(row, dict(d)))
        return out

    def _dues_v1(self, until: str, site: str | None, role: str | None) -> list[DueRow | Damaged]:
        out = self._dues_salvaged(until, site, role)
        return sorted(
            out,
            key=lambda r: ("", 0) if isinstance(r, Damaged) else (schema.due_key(r.due), r.run.id),
        )

    def reminders_for(self, mine: Sequence[int], soon: str) -> list[RunRow]:
        """The runs whose deadlines a prompt may show: this session's, and
        other non-journey runs with a deadline by `soon` (journey touchpoints
        belong to the call list, not to every prompt). A damaged run is left
        out (sop due and sop journal verify name it)."""
        marks = ",".join("?" * len(mine)) or "NULL"
        where = (
            f"WHERE status != 'finished' AND dues IS NOT NULL "
            f"AND (id IN ({marks}) OR (kind != 'journey' AND id IN ("
            "SELECT run FROM dues WHERE kind IN ('within', 'at') AND due_key <= ?)))"
        )
        rows = self._runs_where(where, [*mine, soon], "ORDER BY id")
        return [r for r in rows if not isinstance(r, Damaged)]

    def read_events(self, run_id: int) -> list[Event | Damaged]:
        """A run's events in order, each as written or `Damaged` in its place."""
        from engine.journal.chain import parse_event

        sql = f"SELECT {EVENT_COLUMNS} FROM events WHERE run = ? ORDER BY seq"
        try:
            rows: list[Any] = self._db.execute(sql, (run_id,)).fetchall()
        except DB_ERRORS:
            keys, whole = self._keys("events", "seq")
            rows = [
                r
                for r in self._salvage("events", "seq", keys, EVENT_COLUMNS)
                if isinstance(r, Damaged) or r[1] == run_id
            ]
            if not whole:
                rows.append(Damaged("events", "*", None, "unreadable", None, ""))
        return [r if isinstance(r, Damaged) else parse_event(r) for r in rows]

    def events_of_kinds(self, kinds: Sequence[str]) -> list[Event | Damaged]:
        from engine.journal.chain import parse_event

        marks = ", ".join("?" * len(kinds))
        rows = self._select(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE kind IN ({marks}) ORDER BY seq", kinds
        )
        return [parse_event(r) for r in rows]

    def started(
        self, procedure: str, window: tuple[str, str] | None = None, at: At | None = None
    ) -> list[Event | Damaged]:
        runs = "SELECT id FROM runs WHERE procedure = ?"
        args: tuple[Any, ...] = (procedure,)
        if at is not None:
            runs += " AND site IS ?"
            args += at
        sql = f"SELECT {EVENT_COLUMNS} FROM events WHERE kind = 'run.started' AND run IN ({runs})"
        rows: list[Any] | None = None
        if window is not None:
            # The window picked by SQLite's JSON functions (built in since
            # SQLite 3.38, and in most builds before; without them, below).
            try:
                rows = self._fetch_text(
                    f"{sql} AND (NOT json_valid(data) OR "
                    "json_extract(data, '$.occurrence') BETWEEN ? AND ?) ORDER BY run, seq",
                    (*args, *window),
                )
            except DB_ERRORS:
                rows = None  # without JSON functions, or damaged: as below
        if rows is None:
            rows = self._select(f"{sql} ORDER BY run, seq", args)
        if not rows:
            return []  # no run of a scheduled duty yet: the events' types are not loaded
        from engine.journal.chain import parse_event

        return [e for e in map(parse_event, rows) if in_window(e, window)]

    def snapshot(self, sha: str) -> dict[str, str]:
        """A pinned rulebook's files, checked against the sha it is stored
        under: a run never resumes on text that was changed."""
        row = self._select("SELECT files FROM snapshots WHERE sha = ?", (sha,))
        if not row:
            raise JournalError(JOURNAL_SNAPSHOT_MISSING, sha=sha[:12])
        damage = snapshot_damage(sha, row[0][0])
        if damage is not None:
            raise JournalDamaged(
                JOURNAL_DAMAGED_ROW, path=self.path, what=describe_place(damage),
                why=describe_damage(damage),
            )  # fmt: skip
        files: dict[str, str] = json.loads(row[0][0])
        return files

    def heads(self) -> list[Head]:
        from engine.journal.bulk import Head

        if self.version < 4:
            rows = self._select("SELECT '', MAX(seq), COUNT(*) FROM events HAVING COUNT(*) > 0")
        else:
            rows = self._select(
                "SELECT chain, MAX(seq), COUNT(*) FROM events GROUP BY chain ORDER BY chain"
            )
        out: list[Head] = []
        for chain, seq, count in rows:
            (digest,) = self._select("SELECT hash FROM events WHERE seq = ?", (seq,))[0]
            out.append(Head(str(chain), int(seq), str(digest), int(count)))
        return out

    @property
    def due_index(self) -> bool:
        return self.version >= 2

    @property
    def exact_start(self) -> bool:
        return self.version >= 3

    @property
    def dense(self) -> bool:
        try:
            return self.meta("seq") != "sparse"
        except JournalDamaged:
            return True  # then a gap is reported as a gap, and the link breaks there too

    def meta(self, key: str) -> str | None:
        """A value of the journal's `meta` table (format 4 on)."""
        if self.version < 4:
            return None
        rows = self._select("SELECT value FROM meta WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    def count_events(self) -> int:
        (n,) = self._select("SELECT COUNT(*) FROM events")[0]
        return int(n)

    def absorb(self, batch: Batch) -> None:
        names = ", ".join(RUN_NAMES)
        marks = ", ".join("?" * len(RUN_NAMES))
        try:
            with self._transaction() as db:
                db.executemany("INSERT OR IGNORE INTO snapshots VALUES (?, ?)", batch.snapshots)
                db.executemany(
                    f"INSERT INTO runs({names}) VALUES ({marks})",
                    [run_values(r) for r in batch.runs],
                )
                db.executemany(
                    f"INSERT INTO events({EVENT_COLUMNS}, chain) VALUES ({', '.join('?' * 9)})",
                    [
                        (e.seq, e.run, e.at, e.kind, e.actor, e.data, e.prev, e.hash, e.chain)
                        for e in batch.events
                    ],
                )
                settable = [n for n in RUN_NAMES if n not in RUN_IDENTITY]
                db.executemany(
                    f"UPDATE runs SET {', '.join(f'{n} = ?' for n in settable)} WHERE id = ?",
                    [
                        (*(v for n, v in zip(RUN_NAMES, run_values(r), strict=True)
                           if n in settable), r.id)
                        for r in batch.summaries
                    ],
                )  # fmt: skip
                db.executemany("DELETE FROM dues WHERE run = ?", [(r.id,) for r in batch.summaries])
                schema.insert_dues(
                    db, [(d.run, d.n, d.due_key, d.kind, d.role, d.data) for d in batch.dues]
                )
                for key, value in batch.meta.items():
                    if value is None:
                        db.execute("DELETE FROM meta WHERE key = ?", (key,))
                    else:
                        db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
        except DB_ERRORS as exc:
            raise self._write_error(exc) from exc

    @contextmanager
    def consistent(self) -> Iterator[None]:
        if self._db.in_transaction:
            yield
            return
        self._db.execute("BEGIN")  # a read transaction: one moment of the file
        try:
            yield
        finally:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")

    # ---- streaming, for verification

    def chain_rows(self) -> Iterator[ChainRow | Damaged]:
        """Every event in chain order as stored; rows on a damaged page are
        read one by one and the unreadable ones named. Text is decoded by
        SQLite's own (fast) UTF-8 decoder until a value is not UTF-8."""
        from engine.journal.chain import parse_chain_row

        last = 0
        columns = EVENT_COLUMNS + (", chain" if self.version >= 4 else "")
        self._db.text_factory = str
        try:
            while True:
                try:
                    cur = self._db.execute(
                        f"SELECT {columns} FROM events WHERE seq > ? ORDER BY seq", (last,)
                    )
                    for row in cur:
                        last = row[0] if type(row[0]) is int else last
                        yield parse_chain_row(row)
                    return
                except sqlite3.OperationalError as exc:
                    if self._db.text_factory is decode or "decode" not in str(exc):
                        break
                    self._db.text_factory = decode  # read the rest leniently, and name it
                except DB_ERRORS:
                    break
        finally:
            self._db.text_factory = decode
        keys, whole = self._keys("events", "seq")
        for row in self._salvage("events", "seq", [k for k in keys if k > last], columns):
            yield row if isinstance(row, Damaged) else parse_chain_row(row)
        if not whole:
            yield Damaged("events", "*", None, "unreadable", None, "")

    def all_runs(self) -> list[RunRow | Damaged]:
        return self._runs_where("", (), "ORDER BY id")

    def due_entries(self) -> Iterator[DueEntry | Damaged]:
        """The deadline index as stored (format 2 and later); from format 5, a
        deadline whose split (when it falls, its words) is not its `data`'s
        is damaged."""
        from engine.journal.bulk import DueEntry, parse_due_entry

        if self.version < 2:
            return
        cols = "run, n, due_key, kind, role, data"
        if self.version >= 5:
            cols += ", due, since, low, high, (SELECT w.data FROM due_words w WHERE w.id = words)"
        try:
            rows: list[Any] = self._db.execute(
                f"SELECT {cols} FROM dues ORDER BY run, n"
            ).fetchall()
        except DB_ERRORS as exc:
            yield Damaged("dues", "*", None, "unreadable", None, str(exc))
            return
        for row in rows:
            entry = parse_due_entry(row[:6])
            if len(row) > 6 and isinstance(entry, DueEntry):
                yield schema.split_damage(entry, row[6:]) or entry
                continue
            yield entry

    def snapshots(self) -> Iterator[tuple[str, object]]:
        """(sha, stored text) of every pinned rulebook."""
        try:
            rows = self._db.execute("SELECT sha, files FROM snapshots").fetchall()
        except DB_ERRORS as exc:
            yield ("*", Damaged("snapshots", "*", None, "unreadable", None, str(exc)))
            return
        yield from ((str(sha), files) for sha, files in rows)

    def file_problems(self) -> list[FileProblem]:
        """What the files show beside the rows: the main file cut short, a
        WAL holding writes SQLite will not read, pages failing SQLite's check."""
        from engine.journal.bulk import FileProblem

        out: list[FileProblem] = []
        if self.path == ":memory:":
            return out
        found = identify(self.path)
        size = truncated(found)
        if size is not None:
            out.append(FileProblem("truncated", f"{found.size}/{size}"))
        lost = wal_lost(self.path)
        if lost is not None:
            out.append(FileProblem("wal-missing", str(lost)))
        wal = check_wal(self.path)
        if wal is not None and (wal.damaged or wal.torn_tail):
            what: Any = "wal-damaged" if wal.damaged else "wal-torn"
            out.append(FileProblem(what, f"{wal.bad_frame or 0}/{wal.lost}"))
        changed = self._schema_changes()
        if changed:
            out.append(FileProblem("schema", ", ".join(changed)))
        integrity = self.integrity()
        if integrity != "ok":
            out.append(FileProblem("integrity", integrity[:2000]))
        return out

    def _schema_changes(self) -> list[str]:
        """The tables, indexes and triggers that are not exactly those of a
        journal of this format (a guard trigger dropped to edit history, an
        index rebuilt to hide rows): their names."""
        query = "SELECT type, name, tbl_name, sql FROM sqlite_master"
        try:
            have = set(self._db.execute(query).fetchall())
        except DB_ERRORS as exc:
            return [str(exc)]
        want = set(schema.expected_master(self.version))
        return sorted({str(row[1]) for row in have ^ want})

    def integrity(self) -> str:
        """SQLite's own page-level check: "ok" or the first problems found."""
        try:
            rows = self._db.execute("PRAGMA integrity_check").fetchall()
        except DB_ERRORS as exc:
            return str(exc)
        return "\n".join(str(r[0]) for r in rows)
