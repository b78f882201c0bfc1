"""The journal in PostgreSQL: one store for many sites (`sop[postgres]`).

`--journal postgresql://user@host:port/db` (or `SOP_JOURNAL`) selects it;
psycopg 3 is imported only then. The journal lives in the connection's
current schema (`public` unless the URL sets `options=-csearch_path=…`).

- **Recognised before use.** A schema holding the mark of a journal
  (`sop_journal`) is one; an empty schema becomes one on the first command
  that records; anything else is refused and left unchanged.
- **One chain per site.** Each event goes on its run's site's chain
  (`chain_of`), and a writer takes a transaction-scoped advisory lock on
  that chain only (`pg_advisory_xact_lock`), reads the chain's last hash,
  and draws its sequence numbers after taking the lock: one chain's events
  are numbered and linked in the order they committed, while sites write
  side by side. Sequence numbers are shared by all chains and may skip a
  number a rolled-back write drew (`dense` is false): a removed event is
  still seen, since the next one of its chain no longer names it.
- **Read-only use.** Commands that only read open one read-only, repeatable-
  read transaction for the whole command: a consistent view while others
  write, nothing written, and they work through a role that may only SELECT
  or on a read replica.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from engine.errors import JournalConflict, JournalError
from engine.i18n import message
from engine.journal import pg_schema, schema
from engine.journal.events import (
    GENESIS,
    Damaged,
    canonical,
    chain_hash,
)
from engine.journal.rows import (
    CallRow,
    describe_damage,
    describe_place,
    parse_call_row,
    parse_due,
    read_listed,
    role_titles,
    snapshot_damage,
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
    chain_of,
    dedupe,
    display_url,
    in_window,
    run_values,
)

if TYPE_CHECKING:
    import psycopg

    from engine.journal.bulk import Batch, DueEntry, FileProblem, Head
    from engine.journal.chain import ChainRow, Event
    from engine.journal.summary import RunRow
    from engine.journal.writes import NewRun, RunUpdate, Write

CONNECT_TIMEOUT_S = 10
LOCK_TIMEOUT = "30s"  # a writer waits this long for its chain, then says so
PAGE = 5000  # events read at a time when walking the chains
PG_MISSING_DRIVER = message(
    "journal.pg-driver",
    "要使用 PostgreSQL 日志 ({path}), 需要安装 psycopg: pip install 'sop[postgres]'",
    "a PostgreSQL journal ({path}) needs psycopg: pip install 'sop[postgres]'",
)
PG_CONNECT_FAILED = message(
    "journal.pg-connect",
    "无法连接日志数据库 {path}: {error}。请检查地址、端口、用户名和密码 "
    "(密码可放在 PGPASSWORD 或 ~/.pgpass 中, 不要写在命令行里)",
    "cannot connect to the journal database {path}: {error}. Check the host, port, user and "
    "password (keep the password in PGPASSWORD or ~/.pgpass, not on the command line)",
)
PG_NOT_A_JOURNAL = message(
    "journal.pg-foreign",
    "{path} 不是 sop 的日志: 数据库 (模式 {schema}) 中已有别的表 ({tables})。sop 没有改动它。"
    "请给出一个空数据库或 sop 的日志数据库",
    "{path} is not a sop journal: the database (schema {schema}) already holds other tables "
    "({tables}). sop left it unchanged. Give an empty database or sop's journal database",
)
PG_NO_SCHEMA = message(
    "journal.pg-no-schema",
    "数据库 {path} 的 search_path 中没有可用的模式 (schema)。请先创建它, 或在地址中改用已有的模式",
    "the database {path} has no usable schema on its search_path. Create it first, or name "
    "an existing one in the address",
)
PG_EMPTY = message(
    "journal.pg-empty",
    "数据库 {path} 中还没有日志 (没有任何记录)。记录命令 (如 sop run) 会在其中建立日志",
    "the database {path} holds no journal yet (no records). A command that records (such as "
    "sop run) creates one there",
)
PG_NEWER = message(
    "journal.pg-newer",
    "数据库 {path} 中的日志由更新版本的 sop 创建 (格式 {version}, 本程序支持到 {supported})。"
    "请升级 sop",
    "the journal in {path} was made by a newer sop (format {version}; this one reads up to "
    "{supported}). Upgrade sop",
)
PG_READ_ONLY = message(
    "journal.pg-read-only",
    "日志数据库 {path} 只允许读取 ({error}), 不能在其中记录。查看记录的命令 "
    "(sop runs / show / report / due / journal verify) 仍可使用; "
    "要记录, 请用有写权限的用户连接主库",
    "the journal database {path} may only be read ({error}), so nothing can be recorded in "
    "it. Commands that read (sop runs / show / report / due / journal verify) still work; to "
    "record, connect to the primary as a user who may write",
)
PG_WRITE_FAILED = message(
    "journal.pg-write-failed",
    "无法写入日志数据库 {path}: {error}。刚才的操作没有记录; 恢复后用 sop resume 继续",
    "cannot write to the journal database {path}: {error}. The last step was not recorded; "
    "go on with sop resume once it is back",
)
PG_READ_FAILED = message(
    "journal.pg-read-failed",
    "无法读取日志数据库 {path}: {error}",
    "cannot read the journal database {path}: {error}",
)
PG_BUSY = message(
    "journal.pg-busy",
    "日志数据库 {path} 中{chain}的记录被另一个程序占用超过 {timeout}, 刚才的操作没有记录。"
    "请稍后用 sop resume 继续",
    "the records of {chain} in the journal database {path} were held by another program for "
    "over {timeout}; the last step was not recorded. Go on later with sop resume",
)
PG_CHAIN = message("journal.pg-chain", "案场 {site}", "site {site}")
PG_NO_SITE_CHAIN = message("journal.pg-no-site", "未指定案场的运行", "runs without a site")


# The tables (and views…) of the current schema, by name.
_TABLES = (
    "ARRAY(SELECT c.relname::text FROM pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() "
    "AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY c.relname)"
)


def _schema(
    current: object, tables: list[object], pairs: list[Any]
) -> tuple[str | None, list[str], dict[str, str]]:
    if current is None:
        return None, [], {}
    return str(current), [str(t) for t in tables], {str(k): str(v) for k, v in pairs}


def _psycopg(path: str) -> Any:
    try:
        import psycopg
    except ImportError:
        raise JournalError(PG_MISSING_DRIVER, path=path) from None
    return psycopg


def _why(exc: BaseException) -> str:
    """A database error as one line (psycopg's messages may span several)."""
    text = " ".join(str(exc).split())
    return text[:300] or type(exc).__name__


def _chain_said(chain: str) -> str:
    return PG_CHAIN.say(site=chain) if chain else PG_NO_SITE_CHAIN.say()


_CALL_COLUMNS = "d.run, d.n, d.data, r.site, r.subject"
# Some deadlines as _CALL_COLUMNS, by (run, n).
_CALL_SOME = (
    f"SELECT {_CALL_COLUMNS} FROM dues d JOIN runs r ON r.id = d.run "
    "WHERE (d.run, d.n) IN (SELECT * FROM unnest(%s::bigint[], %s::int[])) "
    "AND r.status != 'finished'"
)
_LISTED_COLUMNS = "d.run, d.n, d.kind, d.due, d.since, d.low, d.high, d.words, r.site, r.subject"


class PostgresJournal(Journal):
    """One connection to a journal in a PostgreSQL database."""

    def __init__(self, target: str, write: bool = True) -> None:
        self.url = target
        self.path = display_url(target)
        self.writable = write
        self.version = pg_schema.VERSION
        self._pg = _psycopg(self.path)
        self._locking: str | None = None
        self._sites: dict[int, str | None] = {}  # run -> site (a run's identity never changes)
        self._snapshots: set[str] = set()  # pinned rulebooks known to be stored
        try:
            # A reader sees one consistent moment of the journal however
            # long it reads; a writer commits each write on its own.
            self._db: psycopg.Connection[Any] = self._pg.connect(
                target,
                autocommit=write,
                connect_timeout=CONNECT_TIMEOUT_S,
                application_name="sop",
            )
        except self._pg.Error as exc:
            raise JournalError(PG_CONNECT_FAILED, path=self.path, error=_why(exc)) from exc
        try:
            if write:
                self._open_for_writing()
            else:
                self._db.isolation_level = self._pg.IsolationLevel.REPEATABLE_READ
                self._db.read_only = True
                self.version = self._recognise(create=False)
        except BaseException:
            self._db.close()
            raise

    # ---- opening

    def _inspect(self) -> tuple[str | None, list[str], dict[str, str]]:
        """The current schema, the tables in it, and the journal's mark: in
        one query where the mark's table is there (every journal), in two
        where it is not (an empty schema, another program's tables) or a
        transaction is under way (where a failed query would end it)."""
        if self._db.info.transaction_status == self._pg.pq.TransactionStatus.IDLE:
            try:
                row = self._db.execute(
                    f"SELECT current_schema(), {_TABLES}, "
                    "ARRAY(SELECT ARRAY[key, value] FROM sop_journal)"
                ).fetchone()
            except self._pg.errors.UndefinedTable:
                self._db.rollback()  # a reader's transaction began with the query
            else:
                assert row is not None
                current, tables, pairs = row
                # The mark counts only in the current schema (the name alone
                # could find one further along the search path).
                return _schema(current, tables, pairs if "sop_journal" in tables else [])
        row = self._db.execute(f"SELECT current_schema(), {_TABLES}").fetchone()
        assert row is not None
        current, tables = row
        pairs = []
        if current is not None and "sop_journal" in tables:
            pairs = self._db.execute("SELECT key, value FROM sop_journal").fetchall()
        return _schema(current, tables, pairs)

    def _recognise(self, create: bool) -> int:
        """The journal's format; creates one in an empty schema when `create`."""
        try:
            current, tables, mark = self._inspect()
        except self._pg.Error as exc:
            raise JournalError(PG_READ_FAILED, path=self.path, error=_why(exc)) from exc
        if current is None:
            raise JournalError(PG_NO_SCHEMA, path=self.path)
        if not tables:
            if not create:
                raise JournalError(PG_EMPTY, path=self.path)
            return 0
        if mark.get("application") != "sop":
            shown = ", ".join(tables[:5]) + (" …" if len(tables) > 5 else "")
            raise JournalError(PG_NOT_A_JOURNAL, path=self.path, schema=current, tables=shown)
        try:
            version = int(mark.get("format", ""))
        except ValueError:
            raise JournalDamaged(
                PG_READ_FAILED, path=self.path, error=f"format {mark.get('format')!r}"
            ) from None
        if version > pg_schema.VERSION:
            raise JournalError(
                PG_NEWER, path=self.path, version=version, supported=pg_schema.VERSION
            )
        return version

    def _open_for_writing(self) -> None:
        version = self._recognise(create=True)
        if version == pg_schema.VERSION:
            return
        try:
            with self._db.transaction():
                cur = self._db.cursor()
                cur.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)",
                    (pg_schema.LOCK_SPACE, pg_schema.MIGRATION_LOCK),
                )
                # Another process may have created or migrated it meanwhile.
                version = self._recognise(create=True)
                for number in range(version, pg_schema.VERSION):
                    for statement in pg_schema.MIGRATIONS[number]:
                        if callable(statement):
                            statement(cur)
                        else:
                            cur.execute(statement)
                cur.execute(
                    "INSERT INTO sop_journal VALUES ('application', 'sop'), ('format', %s) "
                    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                    (str(pg_schema.VERSION),),
                )
        except JournalError:
            raise
        except self._pg.Error as exc:
            raise self._write_error(exc) from exc
        self.version = pg_schema.VERSION

    def close(self) -> None:
        if not self._db.closed:
            if not self.writable:
                self._db.rollback()
            self._db.close()

    @property
    def dense(self) -> bool:
        return False

    # ---- writing

    def _write_error(self, exc: BaseException, chain: str | None = None) -> JournalError:
        errors = self._pg.errors
        if isinstance(exc, errors.ReadOnlySqlTransaction | errors.InsufficientPrivilege):
            return JournalError(PG_READ_ONLY, path=self.path, error=_why(exc))
        if isinstance(exc, errors.LockNotAvailable) and chain is not None:
            return JournalError(
                PG_BUSY, path=self.path, chain=_chain_said(chain), timeout=LOCK_TIMEOUT
            )
        return JournalError(PG_WRITE_FAILED, path=self.path, error=_why(exc))

    @contextmanager
    def _writing(self, pipelined: bool = True) -> Iterator[psycopg.Cursor[Any]]:
        """One transaction of the store: the summaries may be rewritten in it."""
        if not self.writable:
            raise JournalError(PG_READ_ONLY, path=self.path, error="read-only")
        self._locking = None  # the chain whose lock is being waited for
        try:
            # Pipelined: statements go out together and only a result that
            # is needed waits for the server (a write takes two round trips).
            with (
                self._db.pipeline() if pipelined else contextlib.nullcontext(),
                self._db.transaction(),
            ):
                cur = self._db.cursor()
                # Both for this transaction only (SET LOCAL): nothing stays on
                # the connection, so a pooler may hand it to another client.
                cur.execute(
                    "SELECT set_config('sop.writing', 'on', true), "
                    "set_config('lock_timeout', %s, true)",
                    (LOCK_TIMEOUT,),
                )
                yield cur
        except JournalError:
            raise
        except self._pg.Error as exc:
            raise self._write_error(exc, self._locking) from exc

    def write(self, writes: Sequence[Write]) -> list[Event]:
        with self._writing() as cur:
            return self._apply(cur, writes)

    def start_run(
        self, new: NewRun, build: Callable[[int], Sequence[Write]], alone: bool = False
    ) -> tuple[int, list[Event]]:
        with self._writing() as cur:
            if alone:
                # The site's chain lock (taken again by _apply: it is held to
                # the end of the transaction) keeps a second writer out until
                # this run is committed, and then it sees it.
                chain = chain_of(new.site)
                self._locking = chain
                self._db.cursor().execute(
                    "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (pg_schema.LOCK_SPACE, chain)
                ).fetchone()
                self._locking = None
                there = (
                    self._db.cursor()
                    .execute(
                        "SELECT 1 FROM runs WHERE procedure = %s AND kind = %s "
                        "AND site IS NOT DISTINCT FROM %s",
                        (new.procedure, new.kind, new.site),
                    )
                    .fetchone()
                )
                if there is not None:
                    raise JournalConflict(JOURNAL_ALREADY, procedure=new.procedure)
            if new.rulebook_sha not in self._snapshots:
                known = self._db.cursor().execute(
                    "SELECT 1 FROM snapshots WHERE sha = %s", (new.rulebook_sha,)
                )
                if known.fetchone() is None:  # sent whole only when the store lacks it
                    cur.execute(
                        "INSERT INTO snapshots(sha, files) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                        (new.rulebook_sha, canonical(new.snapshot)),
                    )
            row = (
                self._db.cursor()
                .execute(
                    "INSERT INTO runs(id, procedure, title, kind, operator, site, started_at, "
                    "rulebook_sha, procedure_sha, parent, status, updated_at) "
                    "VALUES (nextval('runs_id'), %s, %s, %s, %s, %s, %s, %s, %s, %s, 'active', %s) "
                    "RETURNING id",
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
                .fetchone()
            )
            assert row is not None
            run_id = int(row[0])
            self._sites[run_id] = new.site
            events = self._apply(cur, build(run_id))
        self._snapshots.add(new.rulebook_sha)
        return run_id, events

    def _apply(self, cur: psycopg.Cursor[Any], writes: Sequence[Write]) -> list[Event]:
        from engine.journal.chain import Event

        ids = sorted({w.run for w in writes})
        unknown = [r for r in ids if r not in self._sites]
        if unknown:  # a run's site never changes: asked once per connection
            found = self._db.cursor().execute(
                "SELECT id, site FROM runs WHERE id = ANY(%s)", (unknown,)
            )
            self._sites.update((int(i), s) for i, s in found.fetchall())
        for w in writes:
            if w.run not in self._sites:
                raise JournalError(JOURNAL_NO_RUN, run=w.run)
        chains = sorted({chain_of(self._sites[r]) for r in ids})
        count = sum(len(w.drafts) for w in writes)
        # One round trip: each chain's lock (always in the same order: two
        # writers never deadlock) and last hash, then — read after the
        # locks, so whoever wrote to these runs before has committed — the
        # runs' last sequence numbers, and the numbers for the new events.
        # A write to runs of several sites (rare) waits for each lock in
        # turn, so that a lock not granted names its own site.
        tops = []
        for chain in chains:
            lock = self._db.cursor().execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (pg_schema.LOCK_SPACE, chain)
            )
            if len(chains) > 1:
                self._locking = chain
                lock.fetchone()
            tops.append(
                self._db.cursor().execute(
                    "SELECT hash FROM events WHERE chain = %s ORDER BY seq DESC LIMIT 1", (chain,)
                )
            )
        lasts = self._db.cursor().execute(
            "SELECT id, last_seq FROM runs WHERE id = ANY(%s)", (ids,)
        )
        numbers = self._db.cursor().execute(
            "SELECT nextval('events_seq') FROM generate_series(1, %s)", (count,)
        )
        self._locking = chains[0] if len(chains) == 1 else None
        heads: dict[str, str] = {}
        for chain, top in zip(chains, tops, strict=True):
            row = top.fetchone()
            heads[chain] = str(row[0]) if row else GENESIS
        self._locking = None
        last = {int(i): int(n) for i, n in lasts.fetchall()}
        seqs = [int(r[0]) for r in numbers.fetchall()]
        for w in writes:
            if w.expect is not None and last[w.run] != w.expect:
                raise JournalConflict(JOURNAL_CONFLICT, run=w.run)
        sites = self._sites
        out: list[Event] = []
        rows: list[tuple[Any, ...]] = []
        dues: dict[int, list[tuple[Any, ...]]] = {}  # run -> its deadlines after the batch
        taken = iter(seqs)
        for w in writes:
            chain = chain_of(sites[w.run])
            prev = heads[chain]
            end = last[w.run]
            for d in w.drafts:
                seq = next(taken)
                text = canonical(d.data)
                digest = chain_hash(prev, seq, w.run, d.at, d.kind, d.actor, text)
                rows.append((seq, chain, w.run, d.at, d.kind, d.actor, text, prev, digest))
                out.append(Event(seq, w.run, d.at, d.kind, d.actor, d.data, prev, digest))
                prev, end = digest, seq
            heads[chain] = prev
            last[w.run] = end  # a later write to the same run in this batch follows this one
            dues[w.run] = self._update_run(
                cur, w.run, w.update, end, len(w.drafts), w.drafts[-1].at if w.drafts else None
            )
        self._insert_dues(cur, [d for run in dues.values() for d in run])
        if rows:
            cur.execute(
                "INSERT INTO events(seq, chain, run, at, kind, actor, data, prev, hash) VALUES "
                + ", ".join([f"({', '.join(['%s'] * 9)})"] * len(rows)),
                [v for r in rows for v in r],
            )
        return out

    @staticmethod
    def _update_run(
        cur: psycopg.Cursor[Any], run: int, u: RunUpdate, last: int, added: int, at: str | None
    ) -> list[tuple[Any, ...]]:
        """The run's summary rewritten and its deadlines removed: the rows of
        the deadlines it has now are returned (`_insert_dues`)."""
        dues = json.dumps(list(u.dues), ensure_ascii=False, sort_keys=True) if u.dues else None
        cur.execute(
            "UPDATE runs SET status = %s, step = %s, step_title = %s, outcome = %s, dues = %s, "
            "last_seq = %s, events = events + %s, updated_at = COALESCE(%s, updated_at), "
            "subject = COALESCE(%s, subject) WHERE id = %s",
            (u.status, u.step, u.step_title, u.outcome, dues, last, added, at, u.subject, run),
        )
        cur.execute("DELETE FROM dues WHERE run = %s", (run,))
        if u.dues and u.status != "finished":
            return schema.split_dues(run, u.dues)
        return []

    def _insert_dues(self, cur: psycopg.Cursor[Any], rows: list[tuple[Any, ...]]) -> None:
        """The deadlines of a write's runs, split (`schema.split_dues`), their
        words inserted in one go before them (pg_schema.INSERT_WORDS)."""
        if not rows:
            return
        split, words = pg_schema.typed(rows)
        cur.execute(pg_schema.INSERT_WORDS, (words,))
        cur.executemany(pg_schema.INSERT_DUE, split)

    def backup(self, dest: str) -> tuple[int, str] | None:
        """A whole copy in one SQLite file (`sop journal copy` to a new
        file): every chain as it is, checkable on its own. The database's own
        backups (pg_dump, a hosting's snapshots) are the DBA's business."""
        import os

        from engine.journal.copy import copy_from
        from engine.journal.sqlite_store import JOURNAL_BACKUP_EXISTS

        if os.path.lexists(dest):
            raise JournalError(JOURNAL_BACKUP_EXISTS, dest=dest)
        copy_from(self, dest)
        return self.head()

    # ---- reading

    def _select(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._db.execute(sql, args).fetchall()
        except self._pg.Error as exc:
            raise JournalDamaged(PG_READ_FAILED, path=self.path, error=_why(exc)) from exc

    @staticmethod
    def _run_columns(prefix: str = "") -> str:
        return ", ".join(prefix + n for n in RUN_NAMES)

    def _runs_where(
        self, where: str, args: Sequence[Any], tail: str = ""
    ) -> list[RunRow | Damaged]:
        from engine.journal.summary import parse_run

        rows = self._select(f"SELECT {self._run_columns()} FROM runs {where} {tail}", args)
        return [parse_run(r) for r in rows]

    def read_run(self, run_id: int) -> RunRow | Damaged | None:
        rows = self._runs_where("WHERE id = %s", (run_id,))
        return rows[0] if rows else None

    def runs(self, flt: RunFilter = EVERY_RUN) -> list[RunRow | Damaged]:
        where: list[str] = []
        args: list[Any] = []
        if flt.statuses:
            where.append("status = ANY(%s)")
            args.append(list(flt.statuses))
        where.append("kind = %s" if flt.kind is not None else "kind != %s")
        args.append(flt.kind if flt.kind is not None else QUEUE_KIND)
        for column, value, op in (
            ("procedure", flt.procedure, "="),
            ("site", flt.site, "="),
            ("started_at", flt.since, ">="),
            ("started_at", flt.until, "<"),
        ):
            if value is not None:
                where.append(f"{column} {op} %s")
                args.append(value)
        clause = ("WHERE " + " AND ".join(where)) if where else ""
        tail = "ORDER BY id DESC"
        if flt.limit is not None:
            tail += f" LIMIT {int(flt.limit)}"
        return self._runs_where(clause, args, tail)

    def children(self, run_id: int) -> list[RunRow | Damaged]:
        return self._runs_where("WHERE parent = %s", (run_id,), "ORDER BY id")

    def sites(self) -> list[str]:
        rows = self._select("SELECT DISTINCT site FROM runs WHERE site IS NOT NULL")
        return sorted(str(r[0]) for r in rows if isinstance(r[0], str) and r[0])

    def due_roles(self) -> dict[str, str]:
        return role_titles(
            self._select(
                "SELECT DISTINCT ON (role) role, data FROM dues WHERE role IS NOT NULL "
                "ORDER BY role"
            )
        )

    def dues(
        self, until: str, site: str | None = None, role: str | None = None
    ) -> list[DueRow | Damaged]:
        from engine.journal.summary import parse_run

        out: list[DueRow | Damaged] = []
        rows = self._select(*schema.due_query("d.run, d.n, d.data", until, site, role, "%s"))
        # Each run's summary once (its own list of deadlines is long), not per deadline.
        runs: dict[object, RunRow | Damaged] = {
            r[0]: parse_run(r)
            for r in self._select(
                f"SELECT {self._run_columns()} FROM runs WHERE id = ANY(%s)",
                (sorted({r[0] for r in rows}),),
            )
        }
        for r in rows:
            due = parse_due(r[:3])
            run = runs.get(r[0])
            if run is None:
                continue  # finished between the two reads of a writer's connection
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
        if self.version < 2:  # each deadline's JSON
            rows = self._select(*schema.due_query(_CALL_COLUMNS, until, site, role, "%s"))
            return dedupe([parse_call_row(r) for r in rows])
        # Each distinct text once, and when each deadline falls, through
        # indexes that hold all of it (format 2).
        rows = self._select(*schema.due_query(_LISTED_COLUMNS, until, site, role, "%s"))
        ids = sorted({r[7] for r in rows if r[7] is not None})
        words = (
            self._select("SELECT id, data FROM due_words WHERE id = ANY(%s::bigint[])", (ids,))
            if ids
            else []
        )
        listed = read_listed(rows, words)
        again = [r for r in listed if not isinstance(r, CallRow)]
        if not again:
            return cast(list[CallRow | Damaged], listed)  # the usual case: all read
        # Not as sop splits it: read from the deadline's JSON, as before format 2.
        found = {
            (r[0], r[1]): parse_call_row(r)
            for r in self._select(_CALL_SOME, ([r[0] for r in again], [r[1] for r in again]))
        }
        out: list[CallRow | Damaged] = []
        for r in listed:
            if isinstance(r, CallRow):
                out.append(r)
            elif (hit := found.get(r)) is not None:  # a writer may have just removed it
                out.append(hit)
        return dedupe(out)

    def reminders_for(self, mine: Sequence[int], soon: str) -> list[RunRow]:
        where = (
            "WHERE status != 'finished' AND dues IS NOT NULL "
            "AND (id = ANY(%s) OR (kind != 'journey' AND id IN ("
            "SELECT run FROM dues WHERE kind IN ('within', 'at') AND due_key <= %s)))"
        )
        rows = self._runs_where(where, [list(mine), soon], "ORDER BY id")
        return [r for r in rows if not isinstance(r, Damaged)]

    def read_events(self, run_id: int) -> list[Event | Damaged]:
        from engine.journal.chain import parse_event

        rows = self._select(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE run = %s ORDER BY seq", (run_id,)
        )
        return [parse_event(r) for r in rows]

    def events_of_kinds(self, kinds: Sequence[str]) -> list[Event | Damaged]:
        from engine.journal.chain import parse_event

        rows = self._select(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE kind = ANY(%s) ORDER BY seq", (list(kinds),)
        )
        return [parse_event(r) for r in rows]

    def started(
        self, procedure: str, window: tuple[str, str] | None = None, at: At | None = None
    ) -> list[Event | Damaged]:
        runs = "SELECT id FROM runs WHERE procedure = %s"
        args: tuple[Any, ...] = (procedure,)
        if at is not None:
            runs += " AND site IS NOT DISTINCT FROM %s"
            args += at
        sql = f"SELECT {EVENT_COLUMNS} FROM events WHERE kind = 'run.started' AND run IN ({runs})"
        rows: list[tuple[Any, ...]] | None = None
        if window is not None:
            # Keys compared byte by byte (COLLATE "C"), as Python compares them.
            # A text that is not JSON fails the cast: then all are read.
            try:
                with self._db.transaction():  # a savepoint: a reader's view stays usable
                    rows = self._db.execute(
                        f"{sql} AND (data::jsonb ->> 'occurrence') COLLATE \"C\" "
                        "BETWEEN %s AND %s ORDER BY run, seq",
                        (*args, *window),
                    ).fetchall()
            except self._pg.Error:
                rows = None
        if rows is None:
            rows = self._select(f"{sql} ORDER BY run, seq", args)
        if not rows:
            return []  # no run of a scheduled duty yet: the events' types are not loaded
        from engine.journal.chain import parse_event

        return [e for e in map(parse_event, rows) if in_window(e, window)]

    def snapshot(self, sha: str) -> dict[str, str]:
        row = self._select("SELECT files FROM snapshots WHERE sha = %s", (sha,))
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

    def count_events(self) -> int:
        (n,) = self._select("SELECT COUNT(*) FROM events")[0]
        return int(n)

    def meta(self, key: str) -> str | None:
        rows = self._select("SELECT value FROM sop_journal WHERE key = %s", (key,))
        return str(rows[0][0]) if rows else None

    def absorb(self, batch: Batch) -> None:
        names = ", ".join(RUN_NAMES)
        with self._writing(pipelined=False) as cur:  # COPY is not for pipelines
            if batch.snapshots:
                cur.executemany(
                    "INSERT INTO snapshots VALUES (%s, %s) ON CONFLICT DO NOTHING", batch.snapshots
                )
            if batch.runs:
                with cur.copy(f"COPY runs ({names}) FROM STDIN") as copy:
                    for r in batch.runs:
                        copy.write_row(run_values(r))
                cur.execute("SELECT setval('runs_id', GREATEST((SELECT MAX(id) FROM runs), 1))")
            if batch.events:
                with cur.copy(f"COPY events ({EVENT_COLUMNS}, chain) FROM STDIN") as copy:
                    for e in batch.events:
                        copy.write_row(
                            (e.seq, e.run, e.at, e.kind, e.actor, e.data, e.prev, e.hash, e.chain)
                        )
                cur.execute(
                    "SELECT setval('events_seq', GREATEST((SELECT MAX(seq) FROM events), 1))"
                )
            settable = [n for n in RUN_NAMES if n not in RUN_IDENTITY]
            if batch.summaries:
                cur.executemany(
                    f"UPDATE runs SET {', '.join(f'{n} = %s' for n in settable)} WHERE id = %s",
                    [
                        (*(v for n, v in zip(RUN_NAMES, run_values(r), strict=True)
                           if n in settable), r.id)
                        for r in batch.summaries
                    ],
                )  # fmt: skip
                cur.execute(
                    "DELETE FROM dues WHERE run = ANY(%s)", ([r.id for r in batch.summaries],)
                )
            if batch.dues:
                pg_schema.copy_dues(
                    cur, [(d.run, d.n, d.due_key, d.kind, d.role, d.data) for d in batch.dues]
                )
            for key, value in batch.meta.items():
                if value is None:
                    cur.execute("DELETE FROM sop_journal WHERE key = %s", (key,))
                else:
                    cur.execute(
                        "INSERT INTO sop_journal VALUES (%s, %s) "
                        "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                        (key, value),
                    )

    @contextmanager
    def consistent(self) -> Iterator[None]:
        # A reader already sees one moment for its whole life (one
        # repeatable-read transaction); a writer reads as of each statement.
        yield

    def heads(self) -> list[Head]:
        from engine.journal.bulk import Head

        rows = self._select(
            "SELECT h.chain, h.seq, e.hash, h.n FROM (SELECT chain, MAX(seq) AS seq, COUNT(*) AS n "
            "FROM events GROUP BY chain) h JOIN events e ON e.seq = h.seq ORDER BY h.chain"
        )
        return [Head(str(c), int(s), str(h), int(n)) for c, s, h, n in rows]

    # ---- streaming, for verification

    def chain_rows(self) -> Iterator[ChainRow | Damaged]:
        from engine.journal.chain import parse_chain_row

        last = 0
        while True:
            rows = self._select(
                f"SELECT {EVENT_COLUMNS}, chain FROM events WHERE seq > %s ORDER BY seq LIMIT %s",
                (last, PAGE),
            )
            for row in rows:
                yield parse_chain_row(row)
            if len(rows) < PAGE:
                return
            last = int(rows[-1][0])

    def all_runs(self) -> list[RunRow | Damaged]:
        return self._runs_where("", (), "ORDER BY id")

    def due_entries(self) -> Iterator[DueEntry | Damaged]:
        from engine.journal.bulk import DueEntry, parse_due_entry

        cols = "run, n, due_key, kind, role, data"
        rows: list[tuple[Any, ...]] | None = None
        if self.version >= 2:  # and the split, checked against data
            try:
                with self._db.transaction():  # a savepoint: a reader's view stays usable
                    rows = self._db.execute(
                        "SELECT d.run, d.n, d.due_key, d.kind, d.role, d.data, d.due, d.since, "
                        "d.low, d.high, w.data FROM dues d LEFT JOIN due_words w ON w.id = d.words "
                        "ORDER BY d.run, d.n"
                    ).fetchall()
            except self._pg.Error:
                rows = None  # its columns altered: file_problems names them
        if rows is None:
            rows = self._select(f"SELECT {cols} FROM dues ORDER BY run, n")
        for row in rows:
            entry = parse_due_entry(row[:6])
            if len(row) > 6 and isinstance(entry, DueEntry):
                yield schema.split_damage(entry, row[6:], typed=True) or entry
                continue
            yield entry

    def snapshots(self) -> Iterator[tuple[str, object]]:
        yield from (
            (str(sha), files) for sha, files in self._select("SELECT sha, files FROM snapshots")
        )

    def file_problems(self) -> list[FileProblem]:
        """The guards as the migrations made them: a trigger dropped, disabled
        or changed, a guard function rewritten, a table or a column added or
        removed."""
        from engine.journal.bulk import FileProblem

        changed: list[str] = []
        want = pg_schema.TRIGGERS[self.version]
        have = {
            (str(t), str(n), str(f), int(b)): str(e)
            for t, n, f, b, e in self._select(
                "SELECT c.relname, t.tgname, p.proname, t.tgtype, t.tgenabled FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
                "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"
            )
        }
        for key in sorted(want | set(have)):
            if key not in want or key not in have:
                changed.append(key[1])
            elif have[key] == "D":
                changed.append(f"{key[1]} (disabled)")
        sources = pg_schema.function_sources()
        for name, src in self._select(
            "SELECT proname, prosrc FROM pg_proc "
            "WHERE pronamespace = current_schema()::regnamespace AND proname = ANY(%s)",
            (list(sources),),
        ):
            if src != sources.get(str(name)):
                changed.append(f"{name}()")
        tables = {
            str(r[0])
            for r in self._select(
                "SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace "
                "AND relkind IN ('r', 'p', 'v', 'm', 'f')"
            )
        }
        changed.extend(sorted(tables ^ pg_schema.TABLES[self.version]))
        found: dict[str, set[str]] = {}
        for table, column, kind in self._select(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema()"
        ):
            found.setdefault(str(table), set()).add(f"{column} {kind}")
        for table, columns in sorted(pg_schema.COLUMNS[self.version].items()):
            there = found.get(table)
            if there is not None:  # (a table missing is named above)
                changed.extend(f"{table}.{c.split()[0]}" for c in sorted(there ^ set(columns)))
        return [FileProblem("schema", ", ".join(dict.fromkeys(changed)))] if changed else []
