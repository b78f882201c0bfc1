"""The journal store: open and migrate, append in one transaction, read back, verify."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from engine.errors import JournalConflict, JournalError
from engine.journal import schema
from engine.journal.events import (
    GENESIS,
    Event,
    NewRun,
    RunRow,
    RunUpdate,
    Write,
    canonical,
    chain_hash,
)

_RUN_COLUMNS = (
    "id, procedure, title, kind, operator, site, started_at, updated_at, rulebook_sha, "
    "procedure_sha, parent, status, step, step_title, outcome, last_seq, events, dues, subject"
)
BUSY_TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class RunFilter:
    statuses: tuple[str, ...] = ()
    procedure: str | None = None
    site: str | None = None
    since: str | None = None  # started at or after (ISO text; a date works)
    until: str | None = None  # started before
    limit: int | None = None


@dataclass(frozen=True, slots=True)
class DueRow:
    run: RunRow
    due: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Verification:
    """`broken_at` is the sequence number of the first event that does not fit
    the chain (None when all fit); `head` is the hash of the last event, which
    an auditor can write down to detect a later rewrite of the whole tail."""

    events: int
    head: str
    broken_at: int | None = None
    reason: str | None = None  # content | link | gap | summary
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None and self.reason is None


def _row_to_run(row: Sequence[Any]) -> RunRow:
    names = _RUN_COLUMNS.split(", ")
    values: dict[str, Any] = dict(zip(names, row, strict=True))
    values["dues"] = tuple(json.loads(row[17])) if row[17] else ()
    return RunRow(**values)


def _row_to_event(row: Sequence[Any]) -> Event:
    return Event(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), row[6], row[7])


class Journal:
    """One connection to a journal file. Not shared between threads."""

    def __init__(self, path: str) -> None:
        self.path = path
        if path != ":memory:":
            folder = os.path.dirname(os.path.abspath(path))
            try:
                os.makedirs(folder, exist_ok=True)
            except OSError as exc:
                raise JournalError(f"无法创建日志文件夹 {folder}: {exc.strerror}") from exc
        try:
            self._db = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_S)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise JournalError(f"无法打开日志 {path}: {exc}") from exc

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- writing

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _migrate(self) -> None:
        (version,) = self._db.execute("PRAGMA user_version").fetchone()
        if version == schema.VERSION:
            return
        with self._transaction() as db:
            # Another process may have migrated while this one waited for the lock.
            (version,) = db.execute("PRAGMA user_version").fetchone()
            if version > schema.VERSION:
                raise JournalError(
                    f"日志 {self.path} 由更新版本的 sop 创建 (格式 {version}, 本程序支持到 "
                    f"{schema.VERSION})。请升级 sop。"
                )
            for number in range(version, schema.VERSION):
                for statement in schema.MIGRATIONS[number]:
                    if callable(statement):
                        statement(db)
                    else:
                        db.execute(statement)
            db.execute(f"PRAGMA user_version = {schema.VERSION}")

    def write(self, writes: Sequence[Write]) -> list[Event]:
        """Append events to one or more runs atomically, with their summaries."""
        try:
            with self._transaction() as db:
                return self._apply(db, writes)
        except sqlite3.DatabaseError as exc:
            raise JournalError(f"无法写入日志 {self.path}: {exc}") from exc

    def start_run(
        self, new: NewRun, build: Callable[[int], Sequence[Write]]
    ) -> tuple[int, list[Event]]:
        """Create a run and write its first events in the same transaction;
        `build` receives the new run's id (so linked events can name it)."""
        try:
            with self._transaction() as db:
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
        except sqlite3.DatabaseError as exc:
            raise JournalError(f"无法写入日志 {self.path}: {exc}") from exc

    def _apply(self, db: sqlite3.Connection, writes: Sequence[Write]) -> list[Event]:
        head = db.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (head[0], head[1]) if head else (0, GENESIS)
        out: list[Event] = []
        for w in writes:
            row = db.execute("SELECT last_seq FROM runs WHERE id = ?", (w.run,)).fetchone()
            if row is None:
                raise JournalError(f"日志中没有运行 {w.run}")
            if w.expect is not None and row[0] != w.expect:
                raise JournalConflict(
                    f"运行 {w.run} 已在别处被继续 (另一个终端?), 本次操作未写入。"
                    f"请用 sop show {w.run} 查看, 再 sop resume {w.run}。"
                )
            last = row[0]
            for d in w.drafts:
                seq += 1
                text = canonical(d.data)
                digest = chain_hash(prev, seq, w.run, d.at, d.kind, d.actor, text)
                db.execute(
                    "INSERT INTO events(seq, run, at, kind, actor, data, prev, hash) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
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
            db.executemany(
                "INSERT INTO dues VALUES (?, ?, ?, ?, ?, ?)", schema.due_rows(run, u.dues)
            )

    # ---- reading

    def run(self, run_id: int) -> RunRow | None:
        row = self._db.execute(
            f"SELECT {_RUN_COLUMNS} FROM runs WHERE id = ?", (run_id,)
        ).fetchone()
        return _row_to_run(row) if row else None

    def runs(self, flt: RunFilter = RunFilter()) -> list[RunRow]:
        where: list[str] = []
        args: list[Any] = []
        if flt.statuses:
            where.append(f"status IN ({','.join('?' * len(flt.statuses))})")
            args.extend(flt.statuses)
        for column, value, op in (
            ("procedure", flt.procedure, "="),
            ("site", flt.site, "="),
            ("started_at", flt.since, ">="),
            ("started_at", flt.until, "<"),
        ):
            if value is not None:
                where.append(f"{column} {op} ?")
                args.append(value)
        sql = f"SELECT {_RUN_COLUMNS} FROM runs"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC"
        if flt.limit is not None:
            sql += f" LIMIT {int(flt.limit)}"
        return [_row_to_run(r) for r in self._db.execute(sql, args)]

    def children(self, run_id: int) -> list[RunRow]:
        rows = self._db.execute(
            f"SELECT {_RUN_COLUMNS} FROM runs WHERE parent = ? ORDER BY id", (run_id,)
        )
        return [_row_to_run(r) for r in rows]

    def with_dues(self) -> list[RunRow]:
        rows = self._db.execute(
            f"SELECT {_RUN_COLUMNS} FROM runs WHERE dues IS NOT NULL AND status != 'finished' "
            "ORDER BY id"
        )
        return [_row_to_run(r) for r in rows]

    def dues(self, until: str, site: str | None = None, role: str | None = None) -> list[DueRow]:
        """Open deadlines that fall on or before `until` (a date: the whole
        day counts), earliest first, read through the date index."""
        sql = (
            f"SELECT d.data, {', '.join('r.' + c for c in _RUN_COLUMNS.split(', '))} "
            "FROM dues d JOIN runs r ON r.id = d.run "
            "WHERE d.due_key <= ? AND r.status != 'finished'"
        )
        args: list[Any] = [until + "~"]  # "~" sorts after "T...": all of that day
        if site is not None:
            sql += " AND r.site = ?"
            args.append(site)
        if role is not None:
            sql += " AND d.role = ?"
            args.append(role)
        sql += " ORDER BY d.due_key, d.run, d.n"
        return [DueRow(_row_to_run(r[1:]), json.loads(r[0])) for r in self._db.execute(sql, args)]

    def reminders_for(self, mine: Sequence[int], soon: str) -> list[RunRow]:
        """The runs whose deadlines a prompt may show: this session's, and
        other non-journey runs with a deadline by `soon` (journey touchpoints
        belong to the call list, not to every prompt)."""
        marks = ",".join("?" * len(mine)) or "NULL"
        sql = (
            f"SELECT {_RUN_COLUMNS} FROM runs WHERE status != 'finished' AND dues IS NOT NULL "
            f"AND (id IN ({marks}) OR (kind != 'journey' AND id IN ("
            "SELECT run FROM dues WHERE kind IN ('within', 'at') AND due_key <= ?))) ORDER BY id"
        )
        return [_row_to_run(r) for r in self._db.execute(sql, [*mine, soon])]

    def events(self, run_id: int) -> list[Event]:
        rows = self._db.execute(
            "SELECT seq, run, at, kind, actor, data, prev, hash FROM events WHERE run = ? "
            "ORDER BY seq",
            (run_id,),
        )
        return [_row_to_event(r) for r in rows]

    def snapshot(self, sha: str) -> dict[str, str]:
        row = self._db.execute("SELECT files FROM snapshots WHERE sha = ?", (sha,)).fetchone()
        if row is None:
            raise JournalError(f"日志中缺少规则手册快照 {sha[:12]}")
        files: dict[str, str] = json.loads(row[0])
        return files

    def count_events(self) -> int:
        (n,) = self._db.execute("SELECT COUNT(*) FROM events").fetchone()
        return int(n)

    # ---- checking

    def integrity(self) -> str:
        """SQLite's own page-level check: "ok" or the first problems found."""
        rows = self._db.execute("PRAGMA integrity_check").fetchall()
        return "\n".join(str(r[0]) for r in rows)

    def verify(self) -> Verification:
        """Walk the hash chain from the first event; stop at the first break."""
        prev, expected_seq, count = GENESIS, 1, 0
        cur = self._db.execute(
            "SELECT seq, run, at, kind, actor, data, prev, hash FROM events ORDER BY seq"
        )
        for seq, run, at, kind, actor, data, stored_prev, stored_hash in cur:
            if seq != expected_seq:
                return Verification(count, prev, seq, "gap", f"{expected_seq}..{seq - 1}")
            if stored_prev != prev:
                return Verification(count, prev, seq, "link")
            if chain_hash(prev, seq, run, at, kind, actor, data) != stored_hash:
                return Verification(count, prev, seq, "content")
            prev, expected_seq, count = stored_hash, seq + 1, count + 1
        mismatch = self._summary_mismatch()
        if mismatch is not None:
            return Verification(count, prev, None, "summary", str(mismatch))
        return Verification(count, prev)

    def _summary_mismatch(self) -> int | None:
        """A run whose summary does not match its events (a sign of tampering)."""
        row = self._db.execute(
            "SELECT r.id FROM runs r LEFT JOIN (SELECT run, COUNT(*) n, MAX(seq) m FROM events "
            "GROUP BY run) e ON e.run = r.id "
            "WHERE r.events != COALESCE(e.n, 0) OR r.last_seq != COALESCE(e.m, 0) LIMIT 1"
        ).fetchone()
        return int(row[0]) if row else None
