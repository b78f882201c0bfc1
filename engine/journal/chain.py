"""The journal's events: as stored on their chain (`ChainRow`, `data` the
text hashed), and as written (`Event`), each read back checked column by
column, its hash and its data (`parse_chain_row`, `parse_event`).

Apart from engine.journal.events and engine.journal.rows so that a command
that reads no event, such as `sop due` over a journal with no scheduled
duty's runs, defines neither class: a frozen dataclass costs some 0.7 ms to
define on Python 3.11.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.journal.events import Damaged, chain_hash, is_moment
from engine.journal.rows import Bad, _is_hash, _json, _req_int, _req_text, _text


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
class ChainRow:
    """An event as stored, for walking the chain (`data` as the text hashed).
    `chain` names the chain it is on ("" for the journal's first chain, the
    only one of a journal kept in one SQLite file)."""

    seq: int
    run: int
    at: str
    kind: str
    actor: str | None
    data: str
    prev: str
    hash: str
    chain: str = ""


def parse_chain_row(row: Sequence[Any]) -> ChainRow | Damaged:
    """An `events` row as stored (seq, run, at, kind, actor, data, prev,
    hash and, when read, chain), with each column of the type written."""
    seq, run, at, kind, actor, data, prev, digest = row[:8]
    chain = row[8] if len(row) > 8 else ""
    # The usual case, checked in one go: `type(x) is str` also rules out
    # BadText (text that was not UTF-8).
    if (
        type(seq) is int
        and type(run) is int
        and type(at) is str
        and type(kind) is str
        and (actor is None or type(actor) is str)
        and type(data) is str
        and _is_hash(prev)
        and _is_hash(digest)
        and type(chain) is str
    ):
        return ChainRow(seq, run, at, kind, actor, data, prev, digest, chain)
    try:
        actor = _text(row[4], "actor", optional=True)
        chain = _req_text(chain, "chain")
        prev, digest = _req_text(row[6], "prev"), _req_text(row[7], "hash")
        for name, value in (("prev", prev), ("hash", digest)):
            if not _is_hash(value):
                raise Bad("value", name, value[:70])
        return ChainRow(
            _req_int(seq, "seq"),
            _req_int(run, "run"),
            _req_text(row[2], "at"),
            _req_text(row[3], "kind"),
            actor,
            _req_text(row[5], "data"),
            prev,
            digest,
            chain,
        )
    except Bad as bad:
        owner = run if type(run) is int else None
        return Damaged("events", str(seq), owner, bad.kind, bad.column, bad.detail)


def parse_event(row: Sequence[Any]) -> Event | Damaged:
    """An event as written: its columns of the right types, its content
    matching its hash, its time a moment and its data a JSON object."""
    stored = parse_chain_row(row)
    if isinstance(stored, Damaged):
        return stored
    s = stored
    if chain_hash(s.prev, s.seq, s.run, s.at, s.kind, s.actor, s.data) != s.hash:
        return Damaged("events", str(s.seq), s.run, "hash", "hash")
    return event_of(s)


def event_of(s: ChainRow) -> Event | Damaged:
    """A stored event whose hash was checked, as the event it records."""
    try:
        if not is_moment(s.at):
            raise Bad("value", "at", s.at[:40])
        data = _json(s.data, "data")
        if not isinstance(data, dict):
            raise Bad("type", "data")
    except Bad as bad:
        return Damaged("events", str(s.seq), s.run, bad.kind, bad.column, bad.detail)
    return Event(s.seq, s.run, s.at, s.kind, s.actor, data, s.prev, s.hash)
