"""Every journal backend implements the whole storage interface."""

from __future__ import annotations

import pytest

from engine.journal.postgres import PostgresJournal
from engine.journal.sqlite_store import SqliteJournal
from engine.journal.store import BACKEND_METHODS, Journal

BACKENDS = [SqliteJournal, PostgresJournal]


@pytest.mark.parametrize("backend", BACKENDS, ids=lambda b: b.__name__)
def test_every_backend_overrides_every_method(backend: type[Journal]) -> None:
    missing = [m for m in BACKEND_METHODS if getattr(backend, m) is getattr(Journal, m)]
    assert not missing, f"{backend.__name__} lacks {missing}"


def test_the_base_declares_what_backends_must_do() -> None:
    for name in BACKEND_METHODS:
        with pytest.raises(NotImplementedError):
            method = getattr(Journal, name)
            method(*[None] * method.__code__.co_argcount)


def test_a_file_opens_the_sqlite_backend() -> None:
    with Journal(":memory:") as journal:
        assert isinstance(journal, SqliteJournal)
