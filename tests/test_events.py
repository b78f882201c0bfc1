"""Journal events as types (engine/runtime/events.py): every event an earlier
sop wrote reads back as the same JSON, generated events survive a round
trip, and stored data no sop wrote is damage, never a crash."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import hypothesis
import msgspec
import msgspec.inspect as mi
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import JournalError, SopError
from engine.journal import Event
from engine.journal.events import canonical, due_problem
from engine.runtime.events import (
    EVENT_TYPES,
    EventDamaged,
    EventKind,
    RunEvent,
    decode,
    read,
)

FIXTURES = Path(__file__).parent / "fixtures" / "journals"


def _stored() -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for path in sorted(FIXTURES.glob("*.sqlite3")):
        with sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True) as db:
            rows += db.execute("SELECT kind, data FROM events ORDER BY seq").fetchall()
    return rows


def test_every_kind_has_its_type() -> None:
    assert set(EVENT_TYPES) == set(EventKind)
    for kind, cls in EVENT_TYPES.items():
        assert cls.kind is kind


def test_journals_written_by_earlier_releases_read_back_byte_for_byte() -> None:
    rows = _stored()
    kinds = {kind for kind, _ in rows}
    assert len(rows) > 150 and len(kinds) >= 15  # both fixtures, nearly every kind
    for kind, text in rows:
        event = decode(kind, json.loads(text))
        assert event.kind == kind
        assert canonical(event.to_json()) == text


# ---------------------------------------------------------------- generated events

_json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
_json = st.recursive(
    _json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=10,
)
_moments = st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat())


@st.composite
def _dues(draw: st.DrawFn) -> dict[str, Any]:
    """A deadline as engine/runtime/dues.py writes it."""
    kind = draw(st.sampled_from(["within", "at", "due", "every"]))
    due: dict[str, Any] = {
        k: draw(st.text()) for k in ("procedure", "procedure_title", "step", "title", "text")
    }
    for k in ("stage", "role", "role_title"):
        if draw(st.booleans()):
            due[k] = draw(st.none() | st.text())
    due["kind"] = kind
    if kind in ("within", "every"):
        due["since"] = draw(_moments)
    if kind in ("within", "at"):
        due["due"] = draw(_moments)
    if kind == "due":
        due["due"] = draw(st.dates().map(str) | _moments)
        due["anchor"], due["anchor_title"] = draw(st.text()), draw(st.text())
    if kind == "every":
        low = draw(st.integers(0, 10_000))
        due["low"], due["high"] = low, low + draw(st.integers(0, 10_000))
    assert due_problem(due) is None
    return due


def _values(t: mi.Type, words: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Any]:
    """Values of a field's type, as msgspec describes it (texts from `words`,
    small numbers, when given: names a rulebook knows)."""
    match t:
        case mi.StrType():
            return words if words is not None else st.text()
        case mi.BoolType():
            return st.booleans()
        case mi.IntType():
            return st.integers(-1, 6) if words is not None else st.integers()
        case mi.NoneType():
            return st.none()
        case mi.AnyType():
            return _json
        case mi.LiteralType(values=values):
            return st.sampled_from(values)
        case mi.UnionType(types=types):
            return st.one_of(*(_values(u, words) for u in types))
        case mi.DictType():
            return st.dictionaries(st.text(), _json, max_size=4)
        case mi.VarTupleType(item_type=mi.StrType()):
            return st.lists(st.text(), max_size=3).map(tuple)  # names (people.signed)
        case mi.VarTupleType():
            return st.lists(_dues(), max_size=3).map(tuple)
    raise AssertionError(f"no strategy for {t}")


@st.composite
def events(
    draw: st.DrawFn,
    cls: type[RunEvent] | None = None,
    words: st.SearchStrategy[str] | None = None,
) -> RunEvent:
    cls = cls or draw(st.sampled_from(list(EVENT_TYPES.values())))
    info = mi.type_info(cls)
    assert isinstance(info, mi.StructType)
    given_: dict[str, Any] = {}
    for f in info.fields:
        if f.required or draw(st.booleans()):
            given_[f.name] = draw(_values(f.type, words))
    return cls(**given_)


@settings(max_examples=150)
@given(events())
def test_an_event_reads_back_as_written(event: RunEvent) -> None:
    data = event.to_json()
    assert decode(event.kind, data) == event
    # What the journal hashes: one canonical text, read back to the same event.
    assert decode(event.kind, json.loads(canonical(data))) == event


@pytest.mark.parametrize("cls", list(EVENT_TYPES.values()), ids=lambda c: c.__name__)
@settings(max_examples=25)
@given(data=st.data())
def test_each_kind_round_trips(cls: type[RunEvent], data: st.DataObject) -> None:
    event = data.draw(events(cls))
    assert type(event).from_json(event.to_json()) == event


# ---------------------------------------------------------------- damage, never a crash


@settings(max_examples=200)
@given(
    kind=st.sampled_from([k.value for k in EventKind]) | st.text(max_size=20),
    data=_json,
)
def test_any_json_is_an_event_or_damage(kind: str, data: Any) -> None:
    try:
        event = decode(kind, data)
    except EventDamaged as exc:
        assert exc.message  # said from the catalogue
    else:
        assert event.kind == kind


@settings(max_examples=200)
@given(event=events(), data=st.data())
def test_a_changed_key_is_an_event_or_damage(event: RunEvent, data: st.DataObject) -> None:
    """One key of a real event dropped or given another value: read as an
    event only if that is still one sop writes."""
    stored = event.to_json()
    key = data.draw(st.sampled_from([*stored, "extra"]))
    if data.draw(st.booleans()):
        stored.pop(key, None)
    else:
        stored[key] = data.draw(_json)
    try:
        decode(event.kind, stored)
    except EventDamaged as exc:
        assert event.kind in exc.message


def test_damage_names_the_kind_and_what_is_wrong() -> None:
    with pytest.raises(EventDamaged) as missing:
        decode("step.entered", {"procedure": "visit", "title": "迎宾", "dues": []})
    assert "step.entered" in missing.value.message and "`step`" in missing.value.message
    with pytest.raises(EventDamaged) as wrong:
        decode("item.checked", {**_item(), "index": "3"})
    assert "$.index" in wrong.value.message
    with pytest.raises(EventDamaged) as bad_due:
        decode("step.entered", {"procedure": "p", "step": "s", "title": "t", "dues": [{}]})
    assert "kind" in bad_due.value.message
    with pytest.raises(EventDamaged) as unknown:
        decode("step.skipped", {})
    assert '"step.skipped"' in unknown.value.message
    with pytest.raises(EventDamaged):
        decode("run.paused", ["not", "an", "object"])


def _item() -> dict[str, Any]:
    return {
        "step": "greet",
        "index": 0,
        "text": "开门",
        "critical": False,
        "status": "done",
        "reason": None,
    }


def test_keys_that_are_python_words_keep_their_stored_names() -> None:
    stored = {"step": "s", "procedure": "p", "title": "回访", "with": {"phone": "139"}}
    event = decode("call.started", stored)
    assert event.to_json() == stored
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({**stored, "with": []}, type(event), strict=True)


# ---------------------------------------------------------------- hand-edited journals


def _rewrite(path: Path, seq: int, kind: str, data: dict[str, Any]) -> None:
    """Event `seq` replaced, and every hash after it computed again: what
    someone who can write the file can do (only the head kept elsewhere,
    or what the data says, gives it away)."""
    from engine.journal.events import chain_hash

    db = sqlite3.connect(path)
    triggers = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for name, _ in triggers:
        db.execute(f"DROP TRIGGER {name}")
    rows = db.execute("SELECT seq, run, at, kind, actor, data FROM events ORDER BY seq").fetchall()
    prev = "0" * 64
    for at_seq, run, at, k, actor, text in rows:
        if at_seq == seq:
            k, text = kind, canonical(data)
        digest = chain_hash(prev, at_seq, run, at, k, actor, text)
        db.execute(
            "UPDATE events SET kind = ?, data = ?, prev = ?, hash = ? WHERE seq = ?",
            (k, text, prev, digest, at_seq),
        )
        prev = digest
    for _, sql in triggers:
        db.execute(sql)
    db.commit()
    db.close()


def _event_of(path: Path, run: int, kind: str) -> tuple[int, dict[str, Any]]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        seq, text = db.execute(
            "SELECT seq, data FROM events WHERE run = ? AND kind = ? ORDER BY seq LIMIT 1",
            (run, kind),
        ).fetchone()
    return seq, json.loads(text)


@pytest.mark.parametrize(
    "kind, change",
    [
        ("item.checked", lambda d: {**d, "index": str(d["index"])}),
        ("step.entered", lambda d: {k: v for k, v in d.items() if k != "dues"}),
        ("input.answered", lambda d: {**d, "depth": None}),
        ("item.checked", "step.skipped"),  # a kind sop never writes
    ],
    ids=["wrong-type", "missing-key", "null", "unknown-kind"],
)
def test_an_event_no_sop_wrote_is_damage_to_every_command(
    tmp_path: Path, kind: str, change: Any
) -> None:
    """Run #3 of the fixture (a visit paused at the register) with one event
    rewritten and the chain computed again: verify names the event, show
    leaves it out and says so, resume refuses — none of them crashes."""
    import shutil

    from click.testing import CliRunner

    from engine.cli import cli

    path = tmp_path / "journal.sqlite3"
    shutil.copy(FIXTURES / "v2.sqlite3", path)
    seq, data = _event_of(path, 3, kind)
    if isinstance(change, str):
        _rewrite(path, seq, change, data)
    else:
        _rewrite(path, seq, kind, change(data))

    def sop(*args: str) -> tuple[int, str]:
        """The exit code and what is said (an error as `sop` prints it)."""
        result = CliRunner().invoke(cli, [*args, "--journal", str(path)], input="")
        if result.exception is None or isinstance(result.exception, SystemExit):
            return result.exit_code, result.output
        assert isinstance(result.exception, SopError), result.exception  # never exit 3
        return result.exception.exit_code, result.output + result.exception.message

    code, said = sop("journal", "verify")
    assert code == 1 and f"#{seq}" in said, said
    code, said = sop("show", "3")
    assert code in (0, 1) and f"#{seq}" in said, said
    code, said = sop("resume", "3")
    assert code == 1 and f"#{seq}" in said and "sop journal verify" in said, said


# ---------------------------------------------------------------- the fold, on any events


@pytest.fixture(scope="module")
def visit_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, list[Event]]:
    """Run #3 of the v2 fixture (a visit paused at the register) and its pinned rulebook."""
    import shutil

    from engine.journal import Journal
    from engine.runtime.pinning import restore

    # A copy: even reading a journal in WAL mode makes its -wal and -shm files.
    copy = tmp_path_factory.mktemp("fixture") / "v2.sqlite3"
    shutil.copy(FIXTURES / "v2.sqlite3", copy)
    with Journal(str(copy), write=False) as journal:
        row = journal.run(3)
        assert row is not None
        pinned = restore(journal.snapshot(row.rulebook_sha), row.rulebook_sha)
        return pinned.rulebook, journal.events(3)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_a_fold_over_any_events_is_a_state_or_damage(
    visit_run: tuple[Any, list[Event]], data: st.DataObject
) -> None:
    """A real run's events with some replaced, added, dropped or swapped —
    events of the right types naming the rulebook's own procedures and
    steps, as someone editing a journal would write them: the replay gives
    a state or says the journal is damaged (JournalError), nothing else."""
    from engine.runtime.state import replay

    rulebook, stored = visit_run
    visit = rulebook.procedure("visit")
    words = st.sampled_from(
        ["visit", "fire", "shuttle", "completed", *visit.steps, *rulebook.procedures]
    )
    typed = [read(e) for e in stored]
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(typed) - 1))
        match data.draw(st.sampled_from(["replace", "insert", "delete", "swap"])):
            case "replace":
                typed[at] = data.draw(events(words=words))
            case "insert":
                typed.insert(at, data.draw(events(words=words)))
            case "delete" if len(typed) > 1:
                del typed[at]
            case _:
                other = data.draw(st.integers(0, len(typed) - 1))
                typed[at], typed[other] = typed[other], typed[at]
    envelopes = [
        Event(n, 3, stored[0].at, e.kind, None, e.to_json(), "", "") for n, e in enumerate(typed, 1)
    ]
    try:
        state = replay(3, rulebook, envelopes)
        state.summary()
    except JournalError:
        hypothesis.event("damage")
    else:
        hypothesis.event("a state")


@given(st.lists(_dues(), max_size=4))
def test_a_runs_deadlines_split_the_same_from_themselves_as_from_their_json(
    dues: list[dict[str, Any]],
) -> None:
    """Format 5 indexes a deadline by when it falls and its words: a writer
    splits the deadlines it has, a copy splits their stored JSON."""
    from engine.journal import schema

    split = schema.split_dues(7, dues)
    assert split == schema.split_rows(schema.due_rows(7, dues))
    for row, due in zip(split, dues, strict=True):
        when = {k: due[k] for k in ("kind", "due", "since", "low", "high") if k in due}
        assert {**json.loads(row[10]), **when} == due  # nothing lost


def test_a_deadline_a_database_column_cannot_hold_is_left_unsplit() -> None:
    """Read from its JSON instead (a number past 64 bits, a list): never an
    error on writing it."""
    from engine.journal import schema

    base = {
        "kind": "every", "since": "2026-11-22T10:00:00+08:00", "procedure": "p",
        "procedure_title": "流程", "step": "s", "title": "巡查", "text": "每 1 小时",
    }  # fmt: skip
    assert schema.due_split({**base, "low": 3600, "high": 2**63 - 1})[2:4] == (3600, 2**63 - 1)
    for odd in ({"low": 2**63}, {"low": -(2**63) - 1}, {"high": [1]}, {"due": 1.5}):
        assert schema.due_split({**base, "low": 1, "high": 2, **odd}) == schema.NO_SPLIT
