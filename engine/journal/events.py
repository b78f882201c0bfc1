"""What the journal stores: events, and the per-run summary kept beside them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

GENESIS = "0" * 64  # the `prev` of the very first event
STATUSES = ("active", "paused", "waiting", "finished")
DUE_KINDS = ("within", "at", "due", "every")


def canonical(data: Mapping[str, Any]) -> str:
    """One spelling per value, so the hash of an event never depends on dict order."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def chain_hash(
    prev: str, seq: int, run: int, at: str, kind: str, actor: str | None, data_text: str
) -> str:
    # hashlib (OpenSSL) is loaded by what hashes: a command that only lists
    # what the journal holds starts without it.
    import hashlib

    body = "\x1f".join((prev, str(seq), str(run), at, kind, actor or "", data_text))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Event:
    """A committed event: its global sequence number, the run it belongs to,
    and its link in the hash chain."""

    seq: int
    run: int
    at: str
    kind: str
    actor: str | None
    data: Mapping[str, Any]
    prev: str
    hash: str


@dataclass(frozen=True, slots=True)
class RunRow:
    id: int
    procedure: str
    title: str
    kind: str
    operator: str | None
    site: str | None
    started_at: str
    updated_at: str
    rulebook_sha: str
    procedure_sha: str
    parent: int | None
    status: str
    step: str | None
    step_title: str | None
    outcome: str | None
    last_seq: int
    events: int
    dues: tuple[Mapping[str, Any], ...]
    subject: str | None = None


Table = Literal["events", "runs", "dues", "snapshots"]
# What is wrong with a stored row: SQLite cannot read its page; a text is not
# UTF-8; a JSON column does not parse; a value has the wrong type or is not
# one of the values written; a deadline lacks what it needs; an event does
# not match its hash; a snapshot does not match its sha; an event's data is
# not what an event of its kind holds; a run's events are not all there.
Damage = Literal["unreadable", "text", "json", "type", "value", "shape", "hash", "data", "missing"]


@dataclass(frozen=True, slots=True)
class Damaged:
    """A row the journal holds but cannot give back as it was written. Readers
    get it in place of the row, so one bad row does not hide the others."""

    table: Table
    key: str  # the event's seq, the run's id, "run/n" of a deadline, a snapshot's sha
    run: int | None  # the run it belongs to, when that can be read
    kind: Damage
    column: str | None = None
    detail: str = ""


class BadText(str):
    """A stored text whose bytes are not UTF-8, decoded with U+FFFD in place
    of what cannot be read (so the row can be named, then reported)."""

    __slots__ = ()


def is_moment(value: object) -> bool:
    """An ISO 8601 date and time with its UTC offset, as events and
    deadlines record moments (a bare date counts: the start of that day)."""
    if not isinstance(value, str) or isinstance(value, BadText):
        return False
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10 or moment.tzinfo is not None


def is_day(value: object) -> bool:
    if not isinstance(value, str) or len(value) != 10:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def due_problem(due: object) -> str | None:
    """What a stored deadline lacks (None when every reader can use it): the
    keys the runtime writes (engine/runtime/dues.py `step_dues`) and reads."""
    if not isinstance(due, Mapping):
        return "not an object"
    kind = due.get("kind")
    if kind not in DUE_KINDS:
        return "kind"
    # `type(v) is str`: also not BadText (a str subclass). A call list checks
    # every deadline it lists: this is in its inner loop.
    for key in ("procedure", "procedure_title", "step", "title", "text"):
        if type(due.get(key)) is not str:
            return key
    for key in ("stage", "role", "role_title", "text_en", "anchor", "anchor_title"):
        v = due.get(key)
        if v is not None and type(v) is not str:
            return key
    if kind in ("within", "every") and not is_moment(due.get("since")):
        return "since"
    if kind in ("within", "at") and not is_moment(due.get("due")):
        return "due"
    if kind == "due" and not (is_day(due.get("due")) or is_moment(due.get("due"))):
        return "due"
    if kind == "every":
        low, high = due.get("low"), due.get("high")
        if not (type(low) is int and type(high) is int and 0 <= low <= high):
            return "low/high"
    return None
