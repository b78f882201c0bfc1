"""Rows of the journal as stored, checked column by column: each is given
back as written, or as a `Damaged` saying what is wrong with it."""

# Without `from __future__ import annotations`: a typed tuple's annotations
# written as strings are each compiled when its class is defined, and
# `sop due` defines this module's on every call.

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from engine.i18n import message
from engine.journal.events import (
    DUE_KINDS,
    WHEN,
    BadText,
    Damaged,
    DueFields,
    DueWords,
    due_problem,
    fields_of,
    is_moment,
    read_due,
    read_words,
    when_problem,
)


def decode(raw: bytes) -> str:
    """SQLite text as str; bytes that are not UTF-8 as `BadText`."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return BadText(raw.decode("utf-8", "replace"))


def _is_hash(value: object) -> bool:
    """A SHA-256 as the journal writes it: 64 lowercase hex digits."""
    return isinstance(value, str) and len(value) == 64 and not value.strip("0123456789abcdef")


class Bad(Exception):
    """A column that does not hold what was written there."""

    def __init__(self, kind: Any, column: str, detail: str = "") -> None:
        super().__init__(column)
        self.kind, self.column, self.detail = kind, column, detail


def _text(value: object, column: str, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if isinstance(value, BadText):
        raise Bad("text", column)
    if not isinstance(value, str):
        raise Bad("type", column)
    return value


def _int(value: object, column: str, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if type(value) is not int:
        raise Bad("type", column)
    return value


def _req_text(value: object, column: str) -> str:
    text = _text(value, column)
    assert text is not None
    return text


def _req_int(value: object, column: str) -> int:
    number = _int(value, column)
    assert number is not None
    return number


def _moment(value: object, column: str) -> str:
    text = _req_text(value, column)
    if not is_moment(text):
        raise Bad("value", column, text[:40])
    return text


def _json(value: object, column: str) -> Any:
    text = _req_text(value, column)
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise Bad("json", column) from None


def _optional_text(value: object) -> bool:
    return value is None or type(value) is str


def parse_due(row: Sequence[Any]) -> tuple[int, dict[str, Any]] | Damaged:
    """A row of the deadline index: (run, deadline) or what is wrong."""
    run, n = row[0], row[1]
    try:
        data = _json(row[2], "data")
        problem = due_problem(data)
        if problem is not None:
            raise Bad("shape", "data", problem)
        return _req_int(run, "run"), data
    except Bad as bad:
        owner = run if type(run) is int else None
        return Damaged("dues", f"{run}/{n}", owner, bad.kind, bad.column, bad.detail)


# One JSON value filling the whole text, read without json.loads's passes
# for white space around it (which sop never writes; parse_due allows it).
_JSON_VALUE = json.JSONDecoder().raw_decode


class CallRow(NamedTuple):
    """An open deadline as the call list shows it: the deadline, and of its
    run only the number, site and customer. One is read for every
    line of a company's call list (thousands), so it is a typed tuple, made
    for a fraction of what a frozen dataclass costs."""

    run: int
    site: str | None
    subject: str | None
    due: DueFields


def call_row(run: int, site: str | None, subject: str | None, due: Mapping[str, Any]) -> CallRow:
    """A call-list row of a deadline already checked (`due_problem`)."""
    fields = read_due(due)
    assert not isinstance(fields, str), fields
    return CallRow(run, site, subject, fields)


def parse_call_row(row: Sequence[Any]) -> CallRow | Damaged:
    """A row of the deadline index joined with its run's summary (run, n,
    data, site, subject), or what is wrong with it: a run column is the
    run's damage, the deadline's JSON the index's."""
    run, n, data, site, subject = row
    # The usual case in one go (`type(x) is str` also rules out BadText).
    if (
        type(run) is int
        and (site is None or type(site) is str)
        and (subject is None or type(subject) is str)
        and type(data) is str
    ):
        try:
            due, end = _JSON_VALUE(data)
        except (ValueError, RecursionError):
            due, end = None, 0
        if end == len(data) and type(due) is dict:
            fields = read_due(due)
            if not isinstance(fields, str):
                return CallRow(run, site, subject, fields)
    # Anything else told apart column by column.
    try:
        _req_int(run, "id")
        _text(site, "site", optional=True)
        _text(subject, "subject", optional=True)
    except Bad as bad:
        owner = run if type(run) is int else None
        return Damaged("runs", str(run), owner, bad.kind, bad.column, bad.detail)
    parsed = parse_due((run, n, data))
    if isinstance(parsed, Damaged):
        return parsed
    return call_row(run, site, subject, parsed[1])


def read_listed(
    rows: Iterable[Sequence[Any]], words: Iterable[Sequence[Any]]
) -> list[CallRow | tuple[Any, Any]]:
    """Call-list rows of format 5 — (run, n, kind, due, since, low, high,
    words id, site, subject) — with the deadlines' words (id, JSON): each
    distinct text decoded and checked once, each distinct when once. A row
    that does not read so comes back as its (run, n), to be read from its
    deadline's JSON (`parse_call_row`), which names what is wrong."""
    said: dict[object, DueWords | None] = {}
    for key, text in words:
        said[key] = _words(text)
    # Thousands of deadlines share a few hundred (words, when): each is
    # checked and typed once.
    typed: dict[tuple[Any, ...], DueFields | None] = {}
    out: list[CallRow | tuple[Any, Any]] = []
    for run, n, kind, due, since, low, high, wid, site, subject in rows:
        if (
            type(run) is int
            and (site is None or type(site) is str)
            and (subject is None or type(subject) is str)
        ):
            key = (wid, kind, due, since, low, high)
            fields = typed.get(key)
            if fields is None:  # not seen yet (or seen not to read: rare, checked again)
                fields = typed[key] = _fields(said.get(wid), kind, due, since, low, high)
            if fields is not None:
                out.append(CallRow(run, site, subject, fields))
                continue
        out.append((run, n))
    return out


def _fields(
    w: DueWords | None, kind: Any, due: Any, since: Any, low: Any, high: Any
) -> DueFields | None:
    """A stored deadline's typed fields from its columns, if they read so."""
    if (
        w is not None
        and kind in DUE_KINDS
        and (due is None or type(due) is str)
        and (since is None or type(since) is str)
        and (low is None or type(low) is int)
        and (high is None or type(high) is int)
        and when_problem(kind, due, since, low, high) is None
    ):
        return fields_of(kind, w, due, since, low, high)
    return None


def _words(text: object) -> DueWords | None:
    if type(text) is not str:
        return None
    try:
        words, end = _JSON_VALUE(text)
    except (ValueError, RecursionError):
        return None
    if end != len(text) or type(words) is not dict or any(k in words for k in WHEN):
        return None
    read = read_words(words)
    return None if isinstance(read, str) else read


def snapshot_damage(sha: str, stored: object) -> Damaged | None:
    """What is wrong with a stored snapshot: not text, not the JSON of
    {path: text}, or not the text its sha was taken of."""
    if not isinstance(stored, str):
        return Damaged("snapshots", sha, None, "type", "files")
    if isinstance(stored, BadText):
        return Damaged("snapshots", sha, None, "text", "files")
    import hashlib  # loaded by what hashes (see chain_hash)

    if hashlib.sha256(stored.encode("utf-8")).hexdigest() != sha:
        return Damaged("snapshots", sha, None, "hash", "files")
    try:
        files = json.loads(stored)
    except ValueError:
        return Damaged("snapshots", sha, None, "json", "files")
    if not isinstance(files, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in files.items()
    ):
        return Damaged("snapshots", sha, None, "type", "files")
    return None


PLACES = {
    "events": message("journal.place.event", "事件 #{key}", "event #{key}"),
    "runs": message("journal.place.run", "运行 #{key} 的摘要", "run #{key}'s summary"),
    "dues": message("journal.place.due", "运行 #{key} 的期限", "run #{key}'s deadlines"),
    "snapshots": message(
        "journal.place.snapshot", "保存的规则手册 {key}", "the pinned rulebook {key}"
    ),
}
DAMAGES = {
    "unreadable": message(
        "journal.damage.unreadable",
        "SQLite 无法读出它所在的页{detail}",
        "SQLite cannot read the page it is on{detail}",
    ),
    "text": message(
        "journal.damage.text", "{column} 不是有效的 UTF-8 文本", "{column} is not valid UTF-8 text"
    ),
    "json": message(
        "journal.damage.json", "{column} 不是有效的 JSON", "{column} is not valid JSON"
    ),
    "type": message(
        "journal.damage.type", "{column} 的类型不对", "{column} holds a value of the wrong type"
    ),
    "value": message(
        "journal.damage.value",
        '{column} 的值 "{detail}" 不是 sop 写入的样子',
        '{column} holds "{detail}", which sop never writes there',
    ),
    "shape": message(
        "journal.damage.shape",
        "{column} 中的期限缺少或写错了 {detail}",
        "a deadline in {column} lacks or mangles {detail}",
    ),
    "data": message(
        "journal.damage.data",
        "内容不是 {detail} 事件应有的样子",
        "its data is not what a {detail} event holds",
    ),
    "missing": message(
        "journal.damage.missing",
        "它的 {detail} 个事件不见了 (被删除, 或无法读出)",
        "{detail} of its events are gone (deleted, or unreadable)",
    ),
    "hash": message(
        "journal.damage.hash",
        "内容与它的哈希不符 (写入后被改动过)",
        "its content does not match its hash (it was changed after it was written)",
    ),
}


TABLE_PLACE = message(
    "journal.place.table",
    "{table} 表中无法读出的部分",
    "what cannot be read of the {table} table",
)


def describe_place(d: Damaged) -> str:
    """Where the damaged row is, for a person: event #37, run #5's summary…"""
    if d.key == "*":
        return TABLE_PLACE.say(table=d.table)
    if d.table == "snapshots":
        key = d.key[:12]
    elif d.table == "dues":
        key = d.key.split("/")[0]
    else:
        key = d.key
    return PLACES[d.table].say(key=key)


def describe_damage(d: Damaged) -> str:
    msg = DAMAGES[d.kind]
    detail = f" ({d.detail})" if d.kind == "unreadable" and d.detail else d.detail
    params = {"column": d.column or "", "detail": detail}
    return msg.say(**{k: v for k, v in params.items() if k in msg.fields})


def role_titles(rows: Iterable[tuple[Any, Any]]) -> dict[str, str]:
    """role → title from (role, a deadline's JSON) rows; a deadline that
    cannot be read still names its role."""
    out: dict[str, str] = {}
    for role, data in rows:
        title = ""
        try:
            parsed = json.loads(data) if isinstance(data, str) else None
        except ValueError:
            parsed = None
        if isinstance(parsed, dict) and isinstance(parsed.get("role_title"), str):
            title = parsed["role_title"]
        out[str(role)] = title
    return out
