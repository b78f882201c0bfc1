"""Reaching into a journal's database the way someone with a SQL shell
would, on either store: a plain connection, and edits made with the guards
put aside and put back exactly as they were."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from engine.journal import is_database_url

GUARDED = ("events", "snapshots", "runs", "dues", "due_words")


def is_pg(store: str) -> bool:
    return is_database_url(store)


@contextmanager
def raw(store: str) -> Iterator[Any]:
    """A DB-API connection to the journal's database (committed on success)."""
    if is_pg(store):
        import psycopg

        with psycopg.connect(store) as pg:
            yield pg
        return
    db = sqlite3.connect(store)
    try:
        yield db
        db.commit()
    finally:
        db.close()


def tamper(store: str, *statements: str) -> None:
    """Statements run as an attacker would: the guard triggers set aside
    (dropped, or disabled), the edit made, the guards restored as they were."""
    with raw(store) as db:
        if is_pg(store):
            for table in GUARDED:
                db.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            for statement in statements:
                db.execute(statement)
            for table in GUARDED:
                db.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            return
        guards = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
        for name, _ in guards:
            db.execute(f"DROP TRIGGER {name}")
        for statement in statements:
            db.execute(statement)
        for _, sql in guards:
            db.execute(sql)


def refused(store: str, statement: str) -> str | None:
    """Why the database refuses `statement`, or None when it would run it
    (nothing is changed either way)."""
    if is_pg(store):
        import psycopg

        with psycopg.connect(store) as pg:
            try:
                pg.execute(statement)  # type: ignore[call-overload]
            except psycopg.Error as exc:
                return str(exc)
            pg.rollback()
            return None
    db = sqlite3.connect(store)
    try:
        db.execute(statement)
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        db.rollback()
        db.close()
    return None
