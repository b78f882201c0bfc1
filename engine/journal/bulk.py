"""What only the commands that walk or copy a whole journal read: the
deadline index's rows as stored (`DueEntry`), the last event of each chain
(`Head`), rows brought over from another journal (`Batch`), and what the
storage itself reports beside its rows (`FileProblem`).

They live apart from engine.journal.rows and engine.journal.store so that a
command that only lists, such as `sop due`, defines none of them: a frozen
dataclass costs some 0.7 ms to define on Python 3.11.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from engine.journal.events import Damaged
from engine.journal.rows import Bad, _req_int, _req_text, _text

if TYPE_CHECKING:
    from engine.journal.chain import ChainRow
    from engine.journal.summary import RunRow


@dataclass(frozen=True, slots=True)
class DueEntry:
    """A row of the deadline index as stored."""

    run: int
    n: int
    due_key: str
    kind: str
    role: str | None
    data: str


def parse_due_entry(row: Sequence[Any]) -> DueEntry | Damaged:
    """A row of the deadline index (run, n, due_key, kind, role, data) as stored."""
    run, n, key, kind, role, data = row
    try:
        return DueEntry(
            _req_int(run, "run"),
            _req_int(n, "n"),
            _req_text(key, "due_key"),
            _req_text(kind, "kind"),
            _text(role, "role", optional=True),
            _req_text(data, "data"),
        )
    except Bad as bad:
        owner = run if type(run) is int else None
        return Damaged("dues", f"{run}/{n}", owner, bad.kind, bad.column, bad.detail)


@dataclass(frozen=True, slots=True)
class Head:
    """The last event of one chain: its sequence number and hash, and how
    many events the chain holds."""

    chain: str
    seq: int
    hash: str
    events: int


@dataclass(frozen=True, slots=True)
class Batch:
    """Rows brought over from another journal by `sop journal copy`, stored
    as they are, in one transaction (`Journal.absorb`)."""

    snapshots: Sequence[tuple[str, str]] = ()  # (sha, files as stored)
    runs: Sequence[RunRow] = ()  # new runs, with their summaries as the source has them
    events: Sequence[ChainRow] = ()
    summaries: Sequence[RunRow] = ()  # runs already copied, their summaries written again
    dues: Sequence[DueEntry] = ()  # the deadline index of the `summaries` runs, replacing theirs
    meta: Mapping[str, str | None] = field(default_factory=dict)  # None removes a key


@dataclass(frozen=True, slots=True)
class FileProblem:
    """What the storage itself reports (for SQLite: a file cut short, a
    damaged WAL, pages that fail SQLite's integrity check, or a file that
    changed while it was read)."""

    what: Literal[
        "truncated",
        "wal-damaged",
        "wal-torn",
        "wal-missing",
        "integrity",
        "schema",
        "changed",
        "unreadable",
        "copying",
        "evidence-missing",
        "evidence-altered",
    ]
    detail: str = ""
