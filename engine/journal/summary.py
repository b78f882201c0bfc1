"""A run's summary as the journal keeps it beside its events (`RunRow`),
and a stored row of it read back, checked column by column (`parse_run`).

Apart from engine.journal.events and engine.journal.rows so that a command
that reads no run's summary, such as `sop due`, defines no class for it: a
frozen dataclass costs some 0.7 ms (this one, of 19 fields, 1.6 ms) to
define on Python 3.11.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.journal.events import STATUSES, Damaged, due_problem, is_moment
from engine.journal.rows import (
    Bad,
    _int,
    _json,
    _moment,
    _optional_text,
    _req_int,
    _req_text,
    _text,
)


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


def parse_run(row: Sequence[Any]) -> RunRow | Damaged:
    """A `runs` row (columns in `_RUN_NAMES` order), or what is wrong with it."""
    key = row[0]
    if row[17] is None and _plain_run(row):
        # The usual case without a list of deadlines (a finished run, or one
        # read for the call list), checked in one go; `type(x) is str` also
        # rules out BadText. Anything else is told apart column by column.
        columns: tuple[Any, ...] = (*row[:17], (), row[18])  # `dues` empty
        return RunRow(*columns)
    try:
        dues_text = _text(row[17], "dues", optional=True)
        dues: tuple[dict[str, Any], ...] = ()
        if dues_text is not None:
            parsed = _json(dues_text, "dues")
            if not isinstance(parsed, list):
                raise Bad("type", "dues")
            if json.dumps(parsed, ensure_ascii=False, sort_keys=True) != dues_text:
                raise Bad("value", "dues", dues_text[:40])  # not as sop writes it
            for d in parsed:
                problem = due_problem(d)
                if problem is not None:
                    raise Bad("shape", "dues", problem)
            dues = tuple(parsed)
        status = _req_text(row[11], "status")
        if status not in STATUSES:
            raise Bad("value", "status", status[:40])
        return RunRow(
            id=_req_int(row[0], "id"),
            procedure=_req_text(row[1], "procedure"),
            title=_req_text(row[2], "title"),
            kind=_req_text(row[3], "kind"),
            operator=_text(row[4], "operator", optional=True),
            site=_text(row[5], "site", optional=True),
            started_at=_moment(row[6], "started_at"),
            updated_at=_moment(row[7], "updated_at"),
            rulebook_sha=_req_text(row[8], "rulebook_sha"),
            procedure_sha=_req_text(row[9], "procedure_sha"),
            parent=_int(row[10], "parent", optional=True),
            status=status,
            step=_text(row[12], "step", optional=True),
            step_title=_text(row[13], "step_title", optional=True),
            outcome=_text(row[14], "outcome", optional=True),
            last_seq=_req_int(row[15], "last_seq"),
            events=_req_int(row[16], "events"),
            dues=dues,
            subject=_text(row[18], "subject", optional=True),
        )
    except Bad as bad:
        run = key if type(key) is int else None
        return Damaged("runs", str(key), run, bad.kind, bad.column, bad.detail)


def _plain_run(row: Sequence[Any]) -> bool:
    """Every column but `dues` of the type and value sop writes."""
    return (
        type(row[0]) is int
        and type(row[1]) is str
        and type(row[2]) is str
        and type(row[3]) is str
        and _optional_text(row[4])
        and _optional_text(row[5])
        and type(row[6]) is str
        and type(row[7]) is str
        and is_moment(row[6])
        and is_moment(row[7])
        and type(row[8]) is str
        and type(row[9]) is str
        and (row[10] is None or type(row[10]) is int)
        and type(row[11]) is str
        and row[11] in STATUSES
        and _optional_text(row[12])
        and _optional_text(row[13])
        and _optional_text(row[14])
        and type(row[15]) is int
        and type(row[16]) is int
        and _optional_text(row[18])
    )
