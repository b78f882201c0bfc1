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

from engine.journal.events import Damaged
from engine.journal.paths import default_journal_path, resolve_journal_path
from engine.journal.rows import CallRow, describe_damage, describe_place
from engine.journal.store import (
    DueRow,
    Journal,
    JournalDamaged,
    RunFilter,
    is_database_url,
    snapshot_sha,
)

if TYPE_CHECKING:
    from engine.journal.audit import Verification
    from engine.journal.bulk import Head
    from engine.journal.chain import Event
    from engine.journal.summary import RunRow
    from engine.journal.writes import Draft, NewRun, RunUpdate, Write

# Loaded only by what uses them: a command that lists runs or deadlines
# starts without the verification's, the writers', the copies', an event's
# or a run summary's types.
_LAZY = {
    "Verification": "engine.journal.audit",
    "Head": "engine.journal.bulk",
    "Event": "engine.journal.chain",
    "RunRow": "engine.journal.summary",
    "Draft": "engine.journal.writes",
    "NewRun": "engine.journal.writes",
    "RunUpdate": "engine.journal.writes",
    "Write": "engine.journal.writes",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(module), name)


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
