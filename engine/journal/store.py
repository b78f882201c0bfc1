"""The journal's storage interface: one `Journal`, two backends.

`Journal(target)` opens the journal a command names: an SQLite file (the
embedded default, `engine.journal.sqlite_store`) or a PostgreSQL database
given by its URL (`postgresql://user@host:port/db`, the shared store of many
sites, `engine.journal.postgres`). Every command reads and writes through the
methods declared here and nothing else, so each works the same on both; what
only one backend can check (a file cut short, a trigger disabled) it reports
through `file_problems`.

Both backends keep the same promises: events and pinned rulebooks are
append-only (the database refuses to change or delete them), each event
names the hash of the one before it on its chain, every read gives back each
row as written or a `Damaged` in its place, a database that is not a journal
is refused unchanged, and a command that only reads opens the journal
read-only and changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from engine.errors import JournalError
from engine.i18n import message
from engine.journal.events import Damaged, canonical
from engine.journal.rows import CallRow, call_row, describe_damage, describe_place

if TYPE_CHECKING:
    from engine.journal.audit import Verification
    from engine.journal.bulk import Batch, DueEntry, FileProblem, Head
    from engine.journal.chain import ChainRow, Event
    from engine.journal.summary import RunRow
    from engine.journal.writes import NewRun, Write

JOURNAL_DAMAGED_ROW = message(
    "journal.damaged-row",
    "日志 {path} 中 {what} 已损坏 ({why}), 不能在它的基础上继续。用 sop journal verify 查看详情",
    "in the journal {path}, {what} is damaged ({why}); nothing can build on it. See the "
    "details with sop journal verify",
)
JOURNAL_SNAPSHOT_MISSING = message(
    "journal.snapshot-missing",
    "日志中缺少规则手册快照 {sha}",
    "the journal lacks the rulebook snapshot {sha}",
)
JOURNAL_NO_RUN = message(
    "journal.no-run", "日志中没有运行 {run}", "there is no run {run} in the journal"
)
JOURNAL_CONFLICT = message(
    "journal.conflict",
    "运行 {run} 已在别处被继续 (另一个终端?), 本次操作未写入。请用 sop show {run} 查看, "
    "再 sop resume {run}",
    "run {run} was carried on elsewhere (another terminal?); this step was not written. "
    "Look with sop show {run}, then sop resume {run}",
)
JOURNAL_ALREADY = message(
    "journal.already",
    "日志中已有 {procedure} 的记录 (另一个终端刚刚建立?), 本次操作未写入, 请再试一次",
    "the journal already keeps {procedure} (another terminal just began it); nothing was "
    "written, try again",
)

# The columns of a run's summary, in the order `parse_run` reads them.
RUN_NAMES = (
    "id",
    "procedure",
    "title",
    "kind",
    "operator",
    "site",
    "started_at",
    "updated_at",
    "rulebook_sha",
    "procedure_sha",
    "parent",
    "status",
    "step",
    "step_title",
    "outcome",
    "last_seq",
    "events",
    "dues",
    "subject",
)
# The columns of a run that never change once written (the database refuses).
RUN_IDENTITY = frozenset(
    ("id", "procedure", "title", "kind", "operator", "site", "started_at", "rulebook_sha",
     "procedure_sha", "parent")
)  # fmt: skip
EVENT_COLUMNS = "seq, run, at, kind, actor, data, prev, hash"


At = tuple[str | None]  # a site, or None for runs recorded without one (see `started`)


def in_window(event: Event | Damaged, window: tuple[str, str] | None) -> bool:
    """Whether `started` keeps a run.started event for `window` (see there)."""
    if window is None or isinstance(event, Damaged):
        return True
    key = event.data.get("occurrence")
    return isinstance(key, str) and window[0] <= key <= window[1]


class RunFilter(NamedTuple):
    """Which runs a listing wants. This and `DueRow` are typed tuples: a
    command that reads the journal defines them, for a fraction of a
    frozen dataclass's cost."""

    statuses: tuple[str, ...] = ()
    procedure: str | None = None
    site: str | None = None
    since: str | None = None  # started at or after (ISO text; a date works)
    until: str | None = None  # started before
    limit: int | None = None
    # Runs of this kind only; None: every run but the streams that keep a
    # queue (kind QUEUE_KIND), which are no run anyone walks.
    kind: str | None = None


EVERY_RUN = RunFilter()


class DueRow(NamedTuple):
    """An open deadline of the index and the run it belongs to (its whole
    summary: `Journal.call_rows` reads a listed line's few columns)."""

    run: RunRow
    due: dict[str, Any]


# The kind of the runs that keep a queue's events (`engine.runtime.queues`):
# one per queue and site, its procedure the queue's id.
QUEUE_KIND = "queue"

COPYING = "copying"  # meta key: a copy into this journal is under way (the source's origin)


def run_values(row: RunRow) -> tuple[Any, ...]:
    """A summary's columns in `RUN_NAMES` order, as the store writes them."""
    dues = json.dumps(list(row.dues), ensure_ascii=False, sort_keys=True) if row.dues else None
    return (
        row.id, row.procedure, row.title, row.kind, row.operator, row.site, row.started_at,
        row.updated_at, row.rulebook_sha, row.procedure_sha, row.parent, row.status, row.step,
        row.step_title, row.outcome, row.last_seq, row.events, dues, row.subject,
    )  # fmt: skip


def snapshot_sha(files: dict[str, str]) -> str:
    """The key a pinned rulebook is stored under: the sha256 of its canonical JSON."""
    import hashlib  # loaded by what hashes (see events.chain_hash)

    return hashlib.sha256(canonical(files).encode("utf-8")).hexdigest()


def chain_of(site: str | None) -> str:
    """The chain a site's events go on where each site has its own ("" for
    runs that name no site)."""
    return site or ""


class JournalDamaged(JournalError):
    """A row a command needs cannot be read as it was written."""


def display_url(url: str) -> str:
    """The URL as messages show it: any password replaced by ***."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if parts.port is not None:
        host += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def is_database_url(target: str) -> bool:
    """Whether `--journal` names a PostgreSQL database rather than a file."""
    return target.startswith(("postgresql://", "postgres://"))


# What each backend implements (the base raises NotImplementedError);
# tests/test_journal_backends.py checks every backend overrides every one.
BACKEND_METHODS = (
    "close",
    "write",
    "start_run",
    "backup",
    "read_run",
    "runs",
    "children",
    "sites",
    "due_roles",
    "dues",
    "reminders_for",
    "read_events",
    "events_of_kinds",
    "snapshot",
    "count_events",
    "heads",
    "chain_rows",
    "all_runs",
    "due_entries",
    "snapshots",
    "meta",
    "absorb",
    "consistent",
)


class Journal:
    """One connection to a journal. Not shared between threads.

    `Journal(target)` opens the backend `target` names (a PostgreSQL URL, or
    else an SQLite file; ":memory:" is a journal that lives as long as the
    object). `write=False` opens it for reading only: nothing is created,
    migrated or written."""

    path: str  # what messages call the journal: the file, or the URL without a password
    writable: bool
    version: int  # the format of the journal as stored

    def __new__(cls, target: str, write: bool = True) -> Journal:
        if cls is not Journal:
            return super().__new__(cls)
        if is_database_url(target):
            from engine.journal.postgres import PostgresJournal

            return super().__new__(PostgresJournal)
        from engine.journal.sqlite_store import SqliteJournal

        return super().__new__(SqliteJournal)

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        raise NotImplementedError

    # ---- what the backend says about itself

    @property
    def dense(self) -> bool:
        """Whether sequence numbers run 1, 2, 3… with no gap (a single
        writer hands them out), so a missing number is a deleted event.
        Where writers on different chains draw numbers at once, a number can
        be skipped by a write that was rolled back."""
        return True

    @property
    def due_index(self) -> bool:
        """Whether open deadlines are kept in an index of their own (`dues`)."""
        return True

    @property
    def exact_start(self) -> bool:
        """Whether a run's `started_at` is exactly its first event's time
        (sop before SQLite format 3 read the clock a moment earlier)."""
        return True

    def file_problems(self) -> list[FileProblem]:
        """What the storage itself shows beside the rows (a file cut short,
        a guard trigger disabled…)."""
        return []

    def changed_while_read(self) -> bool:
        """Whether what was read may be torn because the store changed under
        a view that does not see writers."""
        return False

    # ---- writing

    def write(self, writes: Sequence[Write]) -> list[Event]:
        """Append events to one or more runs atomically, with their summaries,
        in the order given. A run may have several writes in one batch (what
        a session did up to its next question): each `expect` is checked
        against the run as it stands when that write's turn comes, so a later
        write to a run leaves it None (the first one checked it, and nobody
        writes between)."""
        raise NotImplementedError

    def start_run(
        self, new: NewRun, build: Callable[[int], Sequence[Write]], alone: bool = False
    ) -> tuple[int, list[Event]]:
        """Create a run and write its first events in the same transaction;
        `build` receives the new run's id (so linked events can name it).
        `alone`: refused (JournalConflict) when a run of the same procedure,
        kind and site exists already, decided inside the transaction, so two
        writers starting one at the same moment never both succeed."""
        raise NotImplementedError

    def backup(self, dest: str) -> tuple[int, str] | None:
        """A consistent copy at `dest`; returns the copy's head (sequence
        number and hash of its last event)."""
        raise NotImplementedError

    # ---- reading

    def read_run(self, run_id: int) -> RunRow | Damaged | None:
        raise NotImplementedError

    def runs(self, flt: RunFilter = EVERY_RUN) -> list[RunRow | Damaged]:
        """Runs newest first, each as written or `Damaged` in its place."""
        raise NotImplementedError

    def children(self, run_id: int) -> list[RunRow | Damaged]:
        raise NotImplementedError

    def sites(self) -> list[str]:
        """The sites runs were recorded at, sorted (not every run, only the names)."""
        raise NotImplementedError

    def due_roles(self) -> dict[str, str]:
        """The roles open deadlines belong to: id → title as the deadline has it."""
        raise NotImplementedError

    def dues(
        self, until: str, site: str | None = None, role: str | None = None
    ) -> list[DueRow | Damaged]:
        """Open deadlines that fall on or before `until` (a date: the whole
        day counts), earliest first, each with its run's whole summary (for
        a reader that writes it back); a deadline or run that cannot be read
        is `Damaged` in its place. A reader that only lists them reads
        `call_rows`."""
        raise NotImplementedError

    def call_rows(
        self, until: str, site: str | None = None, role: str | None = None
    ) -> list[CallRow | Damaged]:
        """The open deadlines `dues` gives, as the call list reads them: of
        each run only its number, site and customer, read and
        checked (a backend reads just those columns; this is the way for
        one that cannot, and for a journal whose index cannot be read)."""
        return [
            r if isinstance(r, Damaged) else call_row(*_call_columns(r.run), r.due)
            for r in self.dues(until, site, role)
        ]

    def reminders_for(self, mine: Sequence[int], soon: str) -> list[RunRow]:
        """The runs whose deadlines a prompt may show: this session's, and
        other non-journey runs with a deadline (`within`, `at`) by `soon`."""
        raise NotImplementedError

    def read_events(self, run_id: int) -> list[Event | Damaged]:
        """A run's events in order, each as written or `Damaged` in its place."""
        raise NotImplementedError

    def events_of_kinds(self, kinds: Sequence[str]) -> list[Event | Damaged]:
        """Every run's events of these kinds, in order (`sop notify` asks for
        its own notices across the journal in one read, not run by run)."""
        raise NotImplementedError

    def started(
        self, procedure: str, window: tuple[str, str] | None = None, at: At | None = None
    ) -> list[Event | Damaged]:
        """The `run.started` events of every run of `procedure`, by run: which
        of a schedule's occurrences have a run is read from them, however
        long before its occurrence a run was started (`sop run --for`).
        With `window` (first, last), only those whose occurrence key falls
        between the two (as text: "2026-12-01", "2026-12-07~"), and those
        that cannot be read (the caller names or skips them): a patrol
        every hour keeps thousands of runs a year, and the call list wants
        a few weeks of them. With `at` (site,), only runs at that site (None:
        recorded without one): sites sharing a journal run the same duties."""
        raise NotImplementedError

    def snapshot(self, sha: str) -> dict[str, str]:
        """A pinned rulebook's files, checked against the sha it is stored under."""
        raise NotImplementedError

    def count_events(self) -> int:
        raise NotImplementedError

    def heads(self) -> list[Head]:
        """The last event of every chain, by chain."""
        raise NotImplementedError

    def head(self) -> tuple[int, str] | None:
        """The last event's sequence number and hash (None when there is none)."""
        heads = self.heads()
        if not heads:
            return None
        last = max(heads, key=lambda h: h.seq)
        return last.seq, last.hash

    def run(self, run_id: int) -> RunRow | None:
        """A run by its id (None when there is none); a damaged row is an error
        (JournalDamaged): nothing can continue or be shown from it."""
        row = self.read_run(run_id)
        return None if row is None else self._strict(row)

    def _strict(self, row: RunRow | Damaged) -> RunRow:
        if isinstance(row, Damaged):
            raise JournalDamaged(
                JOURNAL_DAMAGED_ROW,
                path=self.path,
                what=describe_place(row),
                why=describe_damage(row),
            )
        return row

    def events(self, run_id: int) -> list[Event]:
        """A run's events, every one as written: a damaged one is an error
        (JournalDamaged), since replaying without it would be wrong."""
        out: list[Event] = []
        for e in self.read_events(run_id):
            if isinstance(e, Damaged):
                raise JournalDamaged(
                    JOURNAL_DAMAGED_ROW,
                    path=self.path,
                    what=describe_place(e),
                    why=describe_damage(e),
                )
            out.append(e)
        return out

    # ---- streaming, for verification (engine.journal.audit)

    def chain_rows(self) -> Iterator[ChainRow | Damaged]:
        """Every event in sequence order, as stored."""
        raise NotImplementedError

    def all_runs(self) -> list[RunRow | Damaged]:
        raise NotImplementedError

    def due_entries(self) -> Iterator[DueEntry | Damaged]:
        """The deadline index as stored."""
        raise NotImplementedError

    def snapshots(self) -> Iterator[tuple[str, object]]:
        """(sha, stored text) of every pinned rulebook."""
        raise NotImplementedError

    # ---- copying between journals (engine.journal.copy)

    def meta(self, key: str) -> str | None:
        """A value the journal keeps about itself (COPYING…), or None."""
        raise NotImplementedError

    def absorb(self, batch: Batch) -> None:
        """Store rows copied from another journal exactly as they are, in one
        transaction (ids, times and hashes kept)."""
        raise NotImplementedError

    def consistent(self) -> AbstractContextManager[None]:
        """While inside, every read sees the journal at one moment."""
        raise NotImplementedError

    def unfinished_copy(self) -> list[FileProblem]:
        """A copy into this journal that was interrupted: its summaries and
        index are not yet those of its events."""
        from engine.journal.bulk import FileProblem

        origin = self.meta(COPYING)
        return [FileProblem("copying", origin[:16])] if origin else []

    def verify(self) -> Verification:
        """The chains from their first events (stopping at the first break),
        then what the store can check beside them; see `engine.journal.audit`
        and `engine.runtime.audit` for the whole check `sop journal verify` makes."""
        from engine.journal.audit import check_store

        return check_store(self)


def _call_columns(run: RunRow) -> tuple[int, str | None, str | None]:
    return run.id, run.site, run.subject


_Listed = TypeVar("_Listed", DueRow, CallRow)


def dedupe(rows: list[_Listed | Damaged]) -> list[_Listed | Damaged]:
    """A damaged run is named once, however many of its deadlines fall due."""
    seen: set[tuple[str, str]] = set()
    out: list[_Listed | Damaged] = []
    for r in rows:
        if isinstance(r, Damaged):
            if (r.table, r.key) in seen:
                continue
            seen.add((r.table, r.key))
        out.append(r)
    return out
