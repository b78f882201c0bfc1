"""Where the journal lives when no `--journal` is given."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

JOURNAL_ENV = "SOP_JOURNAL"
JOURNAL_FILE = "journal.sqlite3"


def default_journal_path() -> Path:
    """The per-user data folder the platform expects (XDG on Linux,
    Application Support on macOS, AppData on Windows)."""
    from platformdirs import user_data_path

    return user_data_path("sop", appauthor=False) / JOURNAL_FILE


def resolve_journal_path(option: str | None) -> str:
    """`--journal PATH`, else `$SOP_JOURNAL`, else the default location."""
    if option:
        return option
    env = os.environ.get(JOURNAL_ENV)
    if env:
        return env
    return str(default_journal_path())
