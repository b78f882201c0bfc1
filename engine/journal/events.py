"""What the journal stores: events, and the per-run summary kept beside them."""

# Without `from __future__ import annotations`: a typed tuple's annotations
# written as strings are each compiled when its class is defined, and
# `sop due` defines this module's on every call.

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Literal, NamedTuple

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


Table = Literal["events", "runs", "dues", "snapshots"]
# What is wrong with a stored row: SQLite cannot read its page; a text is not
# UTF-8; a JSON column does not parse; a value has the wrong type or is not
# one of the values written; a deadline lacks what it needs; an event does
# not match its hash; a snapshot does not match its sha; an event's data is
# not what an event of its kind holds; a run's events are not all there.
Damage = Literal["unreadable", "text", "json", "type", "value", "shape", "hash", "data", "missing"]


class Damaged(NamedTuple):
    """A row the journal holds but cannot give back as it was written. Readers
    get it in place of the row, so one bad row does not hide the others. A
    typed tuple: every reading command defines it (it is what each read
    checks its rows against), for a fraction of a frozen dataclass's cost."""

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


# A stored deadline's keys that say when it falls; all the others are its words.
WHEN = ("kind", "due", "since", "low", "high")


class DueWords(NamedTuple):
    """What a stored deadline says (all but when it falls), read and typed."""

    procedure: str
    procedure_title: str
    step: str
    title: str
    text: str
    stage: str | None
    role: str | None
    role_title: str | None
    text_en: str | None
    timeout_title: str | None  # the step an overdue run is moved to


class DueFields(NamedTuple):
    """A stored deadline read and typed (`read_due`): what its readers use."""

    kind: str  # within | at | due | every
    words: DueWords
    due: str | None  # a moment; for a journey touchpoint (`due`) a day or a moment
    since: str | None  # within, every: when the step was entered
    low: int | None  # every: the round, in seconds
    high: int | None


def due_problem(due: object) -> str | None:
    """What a stored deadline lacks (None when every reader can use it): the
    keys the runtime writes (engine/runtime/dues.py `step_dues`) and reads."""
    read = read_due(due)
    return read if isinstance(read, str) else None


def read_due(due: object) -> DueFields | str:
    """A stored deadline as typed fields, or what it lacks or mangles (the
    first key found wrong). A call list reads thousands: this is its inner
    loop, so every key is looked up once."""
    if not isinstance(due, Mapping):
        return "not an object"
    get = due.get
    kind = get("kind")
    if kind not in DUE_KINDS:
        return "kind"
    words = read_words(due)
    if isinstance(words, str):
        return words
    moment, since, low, high = get("due"), get("since"), get("low"), get("high")
    problem = when_problem(kind, moment, since, low, high)
    if problem is not None:
        return problem
    return fields_of(kind, words, moment, since, low, high)


def fields_of(
    kind: str, words: DueWords, moment: Any, since: Any, low: Any, high: Any
) -> DueFields:
    """A deadline's fields from its words and when it falls, once checked
    (`read_words`, `when_problem`): only the keys its kind reads are kept."""
    if kind == "every":
        return DueFields(kind, words, None, since, low, high)
    return DueFields(kind, words, moment, since if kind == "within" else None, None, None)


def read_words(due: Mapping[str, Any]) -> DueWords | str:
    """A deadline's words typed, or the first key found wrong."""
    get = due.get
    # `type(v) is str`: also not BadText (a str subclass).
    procedure = get("procedure")
    if type(procedure) is not str:
        return "procedure"
    procedure_title = get("procedure_title")
    if type(procedure_title) is not str:
        return "procedure_title"
    step = get("step")
    if type(step) is not str:
        return "step"
    title = get("title")
    if type(title) is not str:
        return "title"
    text = get("text")
    if type(text) is not str:
        return "text"
    stage, role, role_title, text_en = get("stage"), get("role"), get("role_title"), get("text_en")
    for key, v in (
        ("stage", stage), ("role", role), ("role_title", role_title), ("text_en", text_en),
        ("anchor", get("anchor")), ("anchor_title", get("anchor_title")),
    ):  # fmt: skip
        if v is not None and type(v) is not str:
            return key
    timeout = get("timeout_title")
    return DueWords(
        procedure, procedure_title, step, title, text, stage, role, role_title, text_en,
        str(timeout) if timeout else None,
    )  # fmt: skip


def when_problem(
    kind: object, moment: object, since: object, low: object, high: object
) -> str | None:
    """What is wrong with when a deadline of `kind` falls (None: nothing)."""
    if kind in ("within", "every") and not is_moment(since):
        return "since"
    if kind in ("within", "at") and not is_moment(moment):
        return "due"
    if kind == "due" and not (is_day(moment) or is_moment(moment)):
        return "due"
    if kind == "every" and not (type(low) is int and type(high) is int and 0 <= low <= high):
        return "low/high"
    return None
