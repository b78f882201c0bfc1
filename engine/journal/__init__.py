"""The journal: an append-only, hash-chained record of every run, in an
SQLite file (the default) or a PostgreSQL database shared by many sites.

Only this package touches SQL. Events are written one transaction at a time,
so an answer acknowledged on the screen is stored before the next prompt
appears, and several processes can append to one journal at once. A journal
is recognised before anything is written to it; reading commands open it
read-only; every read gives back each row as written or a `Damaged` in its
place. `store.Journal` is the interface both backends implement.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.journal.events import Damaged, Draft, Event, NewRun, RunRow, RunUpdate, Write
from engine.journal.paths import default_journal_path, resolve_journal_path
from engine.journal.rows import CallRow, describe_damage, describe_place
from engine.journal.store import (
    DueRow,
    Head,
    Journal,
    JournalDamaged,
    RunFilter,
    is_database_url,
    snapshot_sha,
)

if TYPE_CHECKING:
    from engine.journal.audit import Verification


def __getattr__(name: str) -> Any:
    # The verification's types are loaded only by what verifies: a command
    # that lists runs or deadlines starts without them.
    if name == "Verification":
        from engine.journal.audit import Verification

        return Verification
    raise AttributeError(name)


__all__ = [
    "CallRow",
    "Damaged",
    "Draft",
    "DueRow",
    "Event",
    "Head",
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
    "is_database_url",
    "resolve_journal_path",
    "snapshot_sha",
]
