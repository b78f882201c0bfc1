"""The journal: an append-only, hash-chained SQLite record of every run.

Only this package touches SQL. Events are written one transaction at a time
(`BEGIN IMMEDIATE`, WAL, `synchronous=FULL`), so an answer acknowledged on the
screen is on disk before the next prompt appears, and several processes can
append to one journal at once.
"""

from __future__ import annotations

from engine.journal.events import Draft, Event, NewRun, RunRow, RunUpdate, Write
from engine.journal.paths import default_journal_path, resolve_journal_path
from engine.journal.store import DueRow, Journal, RunFilter, Verification

__all__ = [
    "Draft",
    "DueRow",
    "Event",
    "Journal",
    "NewRun",
    "RunFilter",
    "RunRow",
    "RunUpdate",
    "Verification",
    "Write",
    "default_journal_path",
    "resolve_journal_path",
]
