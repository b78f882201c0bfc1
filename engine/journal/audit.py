"""Checking a journal: is everything a command reads what the events say?

The events form hash chains: each names the hash of the one before it on
its chain, so an edited, removed or inserted event breaks its chain from
there on. A journal in one SQLite file has one chain; a shared PostgreSQL
store has one per site, so sites never wait for each other's writes. Each
chain is walked on its own links, in sequence order. Everything else a
command reads is checked against the chains here:

- each pinned rulebook against the sha it is stored under (the text a run
  resumes on);
- each run's summary row — who, what, when, where it stands, its deadlines —
  against what its events say, worked out by the runtime's own fold (the
  `FoldFactory` given in: this package does not know what events mean);
- the deadline index against the runs' deadlines;
- a head against a hash written down elsewhere (`expect`, found on whichever
  chain holds it), which is the only way to see that the last events were
  cut off or the journal rolled back.

Nothing here knows SQLite: it reads through the store's streaming API
(`chain_rows`, `all_runs`, `due_entries`, `snapshots`), so another storage
backend offering the same is checked the same way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from engine.journal import schema
from engine.journal.bulk import DueEntry, FileProblem
from engine.journal.chain import ChainRow, Event, event_of
from engine.journal.events import GENESIS, Damaged, chain_hash
from engine.journal.rows import snapshot_damage
from engine.journal.summary import RunRow

MIN_EXPECT = 8  # hex digits of a written-down head that are enough to find it


@dataclass(frozen=True, slots=True)
class Expected:
    """What a run's events say its summary row must hold."""

    procedure: str
    title: str
    kind: str
    operator: str | None
    site: str | None
    rulebook_sha: str
    procedure_sha: str
    parent: int | None
    status: str
    step: str | None
    step_title: str | None
    outcome: str | None
    dues: tuple[Mapping[str, Any], ...]
    subject: str | None


class Fold(Protocol):
    """A run's events folded, one at a time, into the summary they imply."""

    def feed(self, event: Event) -> None: ...

    def expected(self) -> Expected | str:
        """The summary, or why it cannot be worked out (said to a person)."""
        ...


# Given a run's first event, a fold for that run — or why there cannot be one.
FoldFactory = Callable[[Event], "Fold | str"]


# ---- what can be wrong


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first event (or a later one) that does not fit the chain:
    `content` it was changed; `link` it does not name the previous event;
    `gap` events before it are missing."""

    seq: int
    reason: Literal["content", "link", "gap"]
    detail: str = ""
    chain: str = ""


@dataclass(frozen=True, slots=True)
class RowDamaged:
    row: Damaged


@dataclass(frozen=True, slots=True)
class RunDiffers:
    """A summary column that is not what the run's events say."""

    run: int
    column: str
    stored: str
    expected: str


@dataclass(frozen=True, slots=True)
class RunWithoutEvents:
    run: int


@dataclass(frozen=True, slots=True)
class EventsWithoutRun:
    run: int
    events: int


@dataclass(frozen=True, slots=True)
class DuesDiffer:
    """The deadline index does not hold a run's deadlines as its summary has
    them: each side as "kind date" per deadline."""

    run: int
    stored: str
    expected: str


@dataclass(frozen=True, slots=True)
class SnapshotMissing:
    sha: str
    run: int


@dataclass(frozen=True, slots=True)
class RunUnchecked:
    """A run whose summary could not be worked out from its events."""

    run: int
    why: str


@dataclass(frozen=True, slots=True)
class AnchorProblem:
    """`missing`: the written-down head is not in the chain (the journal was
    cut short, rolled back or rewritten); `short`: too few digits to tell;
    `ambiguous`: more than one event's hash begins so."""

    expect: str
    what: Literal["missing", "short", "ambiguous", "broken"]


@dataclass(frozen=True, slots=True)
class NoEvents:
    pass


Problem = (
    ChainBreak
    | RowDamaged
    | RunDiffers
    | RunWithoutEvents
    | EventsWithoutRun
    | DuesDiffer
    | SnapshotMissing
    | RunUnchecked
    | FileProblem
    | AnchorProblem
    | NoEvents
)


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where the written-down head was found: at event `seq` of `chain`,
    with `since` events after it on that chain."""

    expect: str
    seq: int
    since: int
    chain: str = ""


@dataclass(frozen=True, slots=True)
class ChainHead:
    """The last event read of one chain."""

    chain: str
    events: int
    seq: int
    hash: str


@dataclass(frozen=True)
class Report:
    events: int  # events read
    head: str  # hash of the last event read (GENESIS when none)
    head_seq: int
    runs: int  # summary rows read
    problems: tuple[Problem, ...] = ()
    anchor: Anchor | None = None
    checked_summaries: bool = True  # re-derived with the runtime's fold
    chains: tuple[ChainHead, ...] = ()  # every chain's head, by chain

    @property
    def one_chain(self) -> bool:
        """A journal with its one chain (""): said as before chains were kept per site."""
        return all(c.chain == "" for c in self.chains)

    @property
    def ok(self) -> bool:
        return not self.problems


# ---- the walk


@dataclass
class _Run:
    events: int = 0
    last_seq: int = 0
    first_at: str | None = None
    last_at: str | None = None
    fold: Fold | str | None = None
    damaged: bool = False


@dataclass
class _Chain:
    """Where the walk stands on one chain."""

    prev: str = GENESIS
    events: int = 0
    head_seq: int = 0


@dataclass
class _Walk:
    """Walks the events in sequence order, each chain on its own links;
    remembers each run's counters and folds. `dense`: sequence numbers have
    no gaps, so a missing one is a deleted event."""

    folds: FoldFactory | None
    dense: bool = True
    problems: list[Problem] = field(default_factory=list)
    chains: dict[str, _Chain] = field(default_factory=dict)
    expected_seq: int = 1
    count: int = 0
    head_seq: int = 0
    last_hash: str = GENESIS
    runs: dict[int, _Run] = field(default_factory=dict)
    expect: str | None = None  # a head written down: the events whose hash begins so
    found: list[tuple[str, int, int]] = field(default_factory=list)  # (chain, seq, nth)
    broken: dict[str, int] = field(default_factory=dict)  # chain (or "*": all) -> first break
    broken_at: int | None = None  # the first break of any chain
    blind: bool = False  # some event could not be read far enough to know its run

    def feed(self, row: ChainRow | Damaged) -> None:
        if isinstance(row, Damaged):
            self.problems.append(RowDamaged(row))
            self._break(None, int(row.key) if row.key.isdigit() else self.expected_seq)
            if row.run is not None:
                self.runs.setdefault(row.run, _Run()).damaged = True
            else:
                self.blind = True
            if row.key.isdigit():
                self.expected_seq = int(row.key) + 1
            return
        chain = self.chains.get(row.chain)
        if chain is None:
            chain = self.chains[row.chain] = _Chain()
        if self.dense and row.seq != self.expected_seq:
            if row.seq > self.expected_seq:
                gap = f"{self.expected_seq}..{row.seq - 1}"
                self.problems.append(ChainBreak(row.seq, "gap", gap, row.chain))
            else:
                self.problems.append(ChainBreak(row.seq, "gap", f"{row.seq}", row.chain))
            self._break(row.chain, row.seq)
        if row.prev != chain.prev:
            self.problems.append(ChainBreak(row.seq, "link", chain=row.chain))
            self._break(row.chain, row.seq)
        content = chain_hash(row.prev, row.seq, row.run, row.at, row.kind, row.actor, row.data)
        run = self.runs.setdefault(row.run, _Run())
        if content != row.hash:
            self.problems.append(ChainBreak(row.seq, "content", chain=row.chain))
            self._break(row.chain, row.seq)
            run.damaged = True
        chain.prev, chain.events, chain.head_seq = row.hash, chain.events + 1, row.seq
        self.expected_seq = row.seq + 1
        self.count += 1
        self.head_seq, self.last_hash = row.seq, row.hash
        if self.expect is not None and row.hash.startswith(self.expect):
            self.found.append((row.chain, row.seq, chain.events))
        run.events += 1
        run.last_seq = row.seq
        run.first_at = run.first_at if run.first_at is not None else row.at
        run.last_at = row.at
        if run.damaged or self.folds is None:
            return
        event = event_of(row)  # its hash was checked above
        if isinstance(event, Damaged):
            self.problems.append(RowDamaged(event))
            run.damaged = True
            return
        if run.fold is None:
            run.fold = self.folds(event)
        if not isinstance(run.fold, str):
            run.fold.feed(event)

    def _break(self, chain: str | None, seq: int) -> None:
        """A break on `chain` (None: an event whose chain cannot be read,
        which breaks every chain from there)."""
        if self.broken_at is None:
            self.broken_at = seq
        self.broken.setdefault("*" if chain is None else chain, seq)

    def broken_before(self, chain: str, seq: int) -> bool:
        first = [b for b in (self.broken.get(chain), self.broken.get("*")) if b is not None]
        return any(b <= seq for b in first)


def _show(value: object) -> str:
    if value is None:
        return "∅"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _deadlines(dues: Iterable[Mapping[str, Any]]) -> str:
    """Deadlines in short ("due 2026-11-24, at 2026-11-23T21:00"), or "∅"."""
    return ", ".join(f"{d.get('kind')} {d.get('due') or d.get('since')}" for d in dues) or "∅"


def _index_deadlines(rows: Iterable[tuple[Any, ...]]) -> str:
    out = []
    for row in rows:
        try:
            d = json.loads(row[5])
        except ValueError:
            d = None
        out.append(f"{row[3]} {row[2]}" if not isinstance(d, dict) else _deadlines([d]))
    return ", ".join(out) or "∅"


def _close_start(stored: str, first: str | None) -> bool:
    """Before format 3 a run's start was read from the clock a moment before
    its first event: up to a second earlier is that, not an edit."""
    from datetime import datetime

    if first is None:
        return False
    try:
        gap = (datetime.fromisoformat(first) - datetime.fromisoformat(stored)).total_seconds()
    except (ValueError, TypeError):
        return False
    return 0 <= gap < 1


def _compare(row: RunRow, run: _Run, problems: list[Problem], exact_start: bool) -> None:
    """The columns the store keeps itself: counters and times."""
    for column, stored, expected in (
        ("events", row.events, run.events),
        ("last_seq", row.last_seq, run.last_seq),
        ("started_at", row.started_at, run.first_at),
        ("updated_at", row.updated_at, run.last_at),
    ):
        if stored == expected:
            continue
        legacy = column == "started_at" and not exact_start
        if legacy and _close_start(row.started_at, run.first_at):
            continue
        problems.append(RunDiffers(row.id, column, _show(stored), _show(expected)))


def _compare_fold(row: RunRow, exp: Expected, problems: list[Problem]) -> None:
    for column in (
        "procedure",
        "title",
        "kind",
        "operator",
        "site",
        "rulebook_sha",
        "procedure_sha",
        "parent",
        "status",
        "step",
        "step_title",
        "outcome",
        "subject",
    ):
        stored, expected = getattr(row, column), getattr(exp, column)
        if stored != expected:
            problems.append(RunDiffers(row.id, column, _show(stored), _show(expected)))
    stored_dues = [dict(d) for d in row.dues]
    expected_dues = [dict(d) for d in exp.dues]
    if stored_dues != expected_dues:
        shown = (_deadlines(stored_dues), _deadlines(expected_dues))
        if shown[0] == shown[1]:  # the same dates: another key differs
            shown = (_show(stored_dues), _show(expected_dues))
        problems.append(RunDiffers(row.id, "dues", *shown))


def audit(
    store: Any,
    folds: FoldFactory | None = None,
    expect: str | None = None,
    file_problems: Iterable[FileProblem] = (),
) -> Report:
    """Check everything the store holds; see the module's docstring. `store`
    is a `Journal` (any store with the same streaming reads)."""

    problems: list[Problem] = list(file_problems)
    head = expect.strip().lower() if expect is not None else None
    walk = _Walk(folds, store.dense, expect=head if head and len(head) >= MIN_EXPECT else None)
    for row in store.chain_rows():
        walk.feed(row)
    problems.extend(walk.problems)
    if walk.count == 0 and not walk.problems:
        problems.append(NoEvents())

    # Pinned rulebooks: each the text its sha was taken of.
    known: set[str] = set()
    for sha, stored in store.snapshots():
        if isinstance(stored, Damaged):
            problems.append(RowDamaged(stored))
            continue
        known.add(sha)
        damage = snapshot_damage(sha, stored)
        if damage is not None:
            problems.append(RowDamaged(damage))

    # Summary rows against the events.
    rows = store.all_runs()
    summaries: dict[int, RunRow] = {}
    truths: dict[int, Expected] = {}  # what the fold says, where it could say it
    for row in rows:
        if isinstance(row, Damaged):
            problems.append(RowDamaged(row))
            continue
        summaries[row.id] = row
        run = walk.runs.get(row.id)
        if run is None or (run.events == 0 and not run.damaged):
            if not walk.blind:  # events it may have could not be read
                problems.append(RunWithoutEvents(row.id))
            continue
        if row.rulebook_sha not in known:
            problems.append(SnapshotMissing(row.rulebook_sha, row.id))
        if run.damaged:
            continue  # its events are reported; the summary cannot be checked
        _compare(row, run, problems, store.exact_start)
        if folds is None:
            continue
        fold = run.fold
        exp = fold if isinstance(fold, str) or fold is None else fold.expected()
        if exp is None:
            continue
        if isinstance(exp, str):
            problems.append(RunUnchecked(row.id, exp))
        else:
            truths[row.id] = exp
            _compare_fold(row, exp, problems)
    damaged_runs = {r.run for r in rows if isinstance(r, Damaged) and r.run is not None}
    runs_blind = any(isinstance(r, Damaged) and r.run is None for r in rows)
    if not runs_blind:
        for run_id, run in walk.runs.items():
            if run_id not in summaries and run_id not in damaged_runs:
                problems.append(EventsWithoutRun(run_id, run.events))

    # The deadline index: exactly the open runs' deadlines.
    if store.due_index:
        index: dict[int, list[tuple[Any, ...]]] = {}
        for entry in store.due_entries():
            if isinstance(entry, Damaged):
                problems.append(RowDamaged(entry))
                continue
            assert isinstance(entry, DueEntry)
            index.setdefault(entry.run, []).append(
                (entry.run, entry.n, entry.due_key, entry.kind, entry.role, entry.data)
            )
        for run_id in sorted(set(index) | set(summaries)):
            row_ = summaries.get(run_id)
            if row_ is None:
                if run_id not in damaged_runs:
                    problems.append(DuesDiffer(run_id, _index_deadlines(index[run_id]), "∅"))
                continue
            # Against the events' account when there is one (a forged status
            # is one problem, not two), else against the summary.
            said: Expected | RunRow = truths.get(run_id, row_)
            wanted = [] if said.status == "finished" else schema.due_rows(run_id, said.dues)
            have = index.get(run_id, [])
            if have != wanted:
                shown = (_index_deadlines(have), _index_deadlines(wanted))
                if shown[0] == shown[1]:
                    shown = (_show([list(h) for h in have]), _show([list(w) for w in wanted]))
                problems.append(DuesDiffer(run_id, *shown))

    anchor: Anchor | None = None
    if expect is not None:
        anchor = _anchor(expect.strip().lower(), walk, problems)
    return Report(
        walk.count,
        walk.last_hash if walk.count else GENESIS,
        walk.head_seq,
        len(rows),
        tuple(problems),
        anchor,
        folds is not None,
        tuple(
            ChainHead(name, c.events, c.head_seq, c.prev) for name, c in sorted(walk.chains.items())
        ),
    )


def _anchor(expect: str, walk: _Walk, problems: list[Problem]) -> Anchor | None:
    if len(expect) < MIN_EXPECT or not all(c in "0123456789abcdef" for c in expect):
        problems.append(AnchorProblem(expect, "short"))
        return None
    found = walk.found
    if not found:
        problems.append(AnchorProblem(expect, "missing"))
        return None
    if len(found) > 1:
        problems.append(AnchorProblem(expect, "ambiguous"))
        return None
    chain, seq, nth = found[0]
    if walk.broken_before(chain, seq):
        problems.append(AnchorProblem(expect, "broken"))
    return Anchor(expect, seq, walk.chains[chain].events - nth, chain)


@dataclass(frozen=True, slots=True)
class Verification:
    """The short answer of the store's own checks (`Journal.verify`):
    `broken_at` is the sequence number of the first event that does not fit
    the chain; `head` is the hash of the last event."""

    events: int
    head: str
    broken_at: int | None = None
    reason: str | None = None  # content | link | gap | damaged | summary
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None and self.reason is None


def check_store(store: Any) -> Verification:
    """The store's own checks (no fold: the chain, snapshots, counters and
    the deadline index), as a `Verification`."""
    report = audit(store)
    for p in report.problems:
        match p:
            case ChainBreak(seq=seq, reason=reason, detail=detail):
                return Verification(report.events, report.head, seq, reason, detail)
            case RowDamaged(row=row):
                at = int(row.key) if row.table == "events" and row.key.isdigit() else None
                return Verification(report.events, report.head, at, "damaged", row.key)
            case NoEvents():
                continue
            case _:
                return Verification(report.events, report.head, None, "summary", str(p))
    return Verification(report.events, report.head)
