"""What the journal stores: events, and the per-run summary kept beside them."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

GENESIS = "0" * 64  # the `prev` of the very first event


def canonical(data: Mapping[str, Any]) -> str:
    """One spelling per value, so the hash of an event never depends on dict order."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def chain_hash(
    prev: str, seq: int, run: int, at: str, kind: str, actor: str | None, data_text: str
) -> str:
    body = "\x1f".join((prev, str(seq), str(run), at, kind, actor or "", data_text))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Draft:
    """An event before the journal gives it a place in the chain."""

    kind: str
    at: str
    data: Mapping[str, Any] = field(default_factory=dict)
    actor: str | None = None


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
class RunUpdate:
    """The summary columns of a run after a write (for `sop runs` and `sop due`)."""

    status: str  # active | paused | waiting | finished
    step: str | None = None
    step_title: str | None = None
    outcome: str | None = None
    dues: Sequence[Mapping[str, Any]] = ()
    subject: str | None = None  # who the run is about, once known


@dataclass(frozen=True, slots=True)
class Write:
    """Events for one run, written together with its new summary. `expect`
    is the last sequence number the writer has seen for the run: if someone
    else has written to the run since, the write is refused."""

    run: int
    drafts: Sequence[Draft]
    update: RunUpdate
    expect: int | None = None


@dataclass(frozen=True, slots=True)
class NewRun:
    procedure: str
    title: str
    kind: str
    started_at: str
    rulebook_sha: str
    procedure_sha: str
    snapshot: Mapping[str, str]  # relative path -> file text, the pinned rulebook
    operator: str | None = None
    site: str | None = None
    parent: int | None = None  # the run an emergency interrupted


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
