"""The journal: an append-only, hash-chained SQLite record of every run.

Only this package touches SQL. Events are written one transaction at a time
(`BEGIN IMMEDIATE`, WAL, `synchronous=FULL`), so an answer acknowledged on the
screen is on disk before the next prompt appears, and several processes can
append to one journal at once. A file is recognised as a journal before
anything is written to it; reading commands open it read-only; every read
gives back each row as written or a `Damaged` in its place.
"""

from __future__ import annotations

from engine.journal.audit import Verification
from engine.journal.events import Damaged, Draft, Event, NewRun, RunRow, RunUpdate, Write
from engine.journal.paths import default_journal_path, resolve_journal_path
from engine.journal.rows import describe_damage, describe_place
from engine.journal.store import (
    DueRow,
    Journal,
    JournalDamaged,
    RunFilter,
    snapshot_sha,
)

__all__ = [
    "Damaged",
    "Draft",
    "DueRow",
    "Event",
    "Journal",
    "JournalDamaged",
    "NewRun",
    "RunFilter",
    "RunRow",
    "RunUpdate",
    "Verification",
    "Write",
    "default_journal_path",
    "describe_damage",
    "describe_place",
    "resolve_journal_path",
    "snapshot_sha",
]
