"""Queues: state shared between runs (the sales rotation, 轮序).

A queue is declared in rulebook.yaml (`queues:`); its members are people.
Everything that happens to it is an event on a stream of its own in the
journal — a run of kind `queue` (one per queue and site, its procedure the
queue's id) — and its state is the fold of those events, never a table that
is changed: `QueueState.apply` is the one place an event changes it, for
`sop queue`, for a step's `turn`, and for `sop journal verify`, which folds
every stream again.

The order is a rotation: the member at the head is next; a counted
reception (`counts: true`) sends the person to the back (源: 按顺序轮下一位);
`last` is the member at the back who is present. A member away
(外出) is skipped and keeps their place, so while the others go by they come
to the head, and on return they receive the first visitor (轮空归来后补给当时
来访的第一批客户), then go on in the order. A credited person (补接待一次:
the turn in this run no longer counts) is owed a turn, which `next` serves
before the head, in the order owed.

Two runs taking a turn at the same moment never get the same person: a
turn is written together with the stream's event under the stream's last
sequence number (`Write.expect`), so of two writers that read the same
state one is refused, reads the stream again and takes the next person.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, assert_never

from engine.errors import JournalConflict, JournalError, RunError, UsageError
from engine.i18n import message
from engine.journal import Draft, Event, Journal, NewRun, RunFilter, RunRow, RunUpdate, Write
from engine.journal.store import QUEUE_KIND
from engine.model import Queue, Rulebook, Take
from engine.paths import RULEBOOK_FILE
from engine.runtime.events import (
    QueueAway,
    QueueBack,
    QueueCredited,
    QueueEvent,
    QueueJoined,
    QueueLeft,
    QueueOpened,
    QueueOrdered,
    QueueTurn,
    decode_queue,
)

# ---------------------------------------------------------------- the fold


class NotQueueable(ValueError):
    """An event that cannot happen to the queue as it stands (a stream
    edited by hand, whose chain was computed again)."""


@dataclass
class QueueState:
    queue: str = ""
    title: str = ""
    site: str | None = None
    opened: QueueOpened | None = None
    order: list[str] = field(default_factory=list)  # head first: the rotation
    away: set[str] = field(default_factory=set)
    owed: list[str] = field(default_factory=list)  # make-up turns, first owed first
    counts: dict[tuple[str, str], int] = field(default_factory=dict)  # (day, person) -> n
    turns: dict[int, tuple[str, str, bool, int]] = field(default_factory=dict)
    undone: set[int] = field(default_factory=set)  # turns credited back
    last_seq: int = 0
    stream: int = 0  # the run id that keeps it

    def apply(self, ev: QueueEvent, at: str, seq: int = 0) -> None:
        match ev:
            case QueueOpened():
                if self.opened is not None:
                    raise NotQueueable("opened twice")
                self.opened, self.queue, self.title, self.site = ev, ev.queue, ev.title, ev.site
            case QueueJoined(people=people):
                for p in people:
                    if p in self.order:
                        raise NotQueueable(f"{p} joined twice")
                    self.order.append(p)
            case QueueLeft(person=person):
                self._member(person)
                self.order.remove(person)
                self.away.discard(person)
                self.owed = [p for p in self.owed if p != person]
            case QueueAway(person=person):
                self._member(person)
                if person in self.away:
                    raise NotQueueable(f"{person} away twice")
                self.away.add(person)
            case QueueBack(person=person):
                self._member(person)
                if person not in self.away:
                    raise NotQueueable(f"{person} back without being away")
                self.away.discard(person)
            case QueueOrdered(order=order):
                if sorted(order) != sorted(self.order):
                    raise NotQueueable("an order that is not the members'")
                self.order = list(order)
            case QueueTurn(person=person, counts=counts, run=run, owed=owed):
                self.turns[seq] = (person, at[:10], counts, run)
                if owed:
                    if person not in self.owed:
                        raise NotQueueable(f"{person} was owed no turn")
                    self.owed.remove(person)
                if counts:
                    key = (at[:10], person)
                    self.counts[key] = self.counts.get(key, 0) + 1
                    if person in self.order:
                        self.order.remove(person)
                        self.order.append(person)
            case QueueCredited(person=person, run=run, undoes=undoes):
                if undoes is not None:
                    turn = self.turns.get(undoes)
                    if turn is None or turn[0] != person or not turn[2] or turn[3] != run:
                        raise NotQueueable(f"credit undoes #{undoes}, not {person}'s turn")
                    if undoes in self.undone:
                        raise NotQueueable(f"#{undoes} credited twice")
                    self.undone.add(undoes)
                    key = (turn[1], person)
                    self.counts[key] -= 1
                self.owed.append(person)
            case _:
                assert_never(ev)

    def _member(self, person: str) -> None:
        if person not in self.order:
            raise NotQueueable(f"{person} is not a member")

    # ---- what a turn takes

    def present(self) -> list[str]:
        return [p for p in self.order if p not in self.away]

    def next(self) -> tuple[str, bool] | None:
        """Whose turn it is: the first owed turn of someone present, else
        the first present member in the order; (person, owed)."""
        for p in self.owed:
            if p not in self.away and p in self.order:
                return p, True
        here = self.present()
        return (here[0], False) if here else None

    def last(self) -> str | None:
        here = self.present()
        return here[-1] if here else None

    def today(self, day: str) -> dict[str, int]:
        return {p: n for (d, p), n in self.counts.items() if d == day and n}

    def counted_turn(self, person: str, run: int) -> int | None:
        """The stream event of `person`'s latest counted turn in `run` not yet credited back."""
        for seq in sorted(self.turns, reverse=True):
            who, _, counts, r = self.turns[seq]
            if who == person and r == run and counts and seq not in self.undone:
                return seq
        return None


def fold(events: Iterable[Event]) -> QueueState:
    state = QueueState()
    for e in events:
        state.apply(decode_queue(e.kind, e.data), e.at, e.seq)
        state.last_seq = e.seq
        state.stream = e.run
    return state


# ---------------------------------------------------------------- messages

QUEUE_UNKNOWN = message(
    "queue.unknown",
    '规则手册没有轮序 "{queue}"。{hint}已声明的轮序: {known}',
    'the rulebook declares no queue "{queue}". {hint}queues: {known}',
)
QUEUE_EMPTY = message(
    "queue.empty",
    "「{title}」还没有成员。请{keeper}用 sop queue {queue} join 姓名 加入",
    '"{title}" has no members yet. {keeper} adds them with sop queue {queue} join NAME',
)
QUEUE_NOBODY = message(
    "queue.nobody",
    "「{title}」中没有在场的人 (全部外出)。请{keeper}用 sop queue {queue} back 姓名 标记归来",
    '"{title}" has nobody present (all away). {keeper} marks a return with '
    "sop queue {queue} back NAME",
)
QUEUE_MEMBER = message(
    "queue.member", "{person} 已在「{title}」中", '{person} is already in "{title}"'
)
QUEUE_NOT_MEMBER = message(
    "queue.not-member",
    "{person} 不在「{title}」中。{hint}成员: {members}",
    '{person} is not in "{title}". {hint}members: {members}',
)
QUEUE_ALREADY_AWAY = message(
    "queue.already-away", "{person} 已标记为外出", "{person} is already marked away"
)
QUEUE_NOT_AWAY = message(
    "queue.not-away", "{person} 没有外出, 不需要标记归来", "{person} is not away"
)
QUEUE_BAD_ORDER = message(
    "queue.bad-order",
    "新的顺序要列出每位成员各一次。{missing}{extra}成员: {members}",
    "the new order names every member once. {missing}{extra}members: {members}",
)
QUEUE_MISSING = message("queue.order-missing", "少了: {names}。", "missing: {names}. ")
QUEUE_EXTRA = message(
    "queue.order-extra", "不是成员或重复: {names}。", "not members or twice: {names}. "
)
QUEUE_BUSY = message(
    "queue.busy",
    "「{title}」正被许多终端同时使用, 试了 {tries} 次仍未写入。请再试一次",
    '"{title}" is being changed by many terminals at once; {tries} tries did not get through. '
    "try again",
)
QUEUE_NO_NAME = message("queue.no-name", "姓名不能为空", "a name cannot be empty")

QUEUE_NOT_A_RUN = message(
    "queue.not-a-run",
    "#{run} 不是一次运行, 而是轮序「{title}」的记录。查看: sop queue {queue} --history",
    '#{run} is no run: it keeps the queue "{title}". See it with sop queue {queue} --history',
)

TRIES = 50  # a conflict means someone else got through: each retry reads their event


# ---------------------------------------------------------------- reading and changing


def declared(rulebook: Rulebook, queue_id: str) -> Queue:
    from engine.messages import listing, suggest

    q = rulebook.queues.get(queue_id)
    if q is None:
        raise UsageError(
            QUEUE_UNKNOWN,
            queue=queue_id,
            hint=_hint(suggest(queue_id, rulebook.queues)),
            known=listing(rulebook.queues),
        )
    return q


def _hint(near: str | None) -> str:
    from engine.runtime.runner import DID_YOU_MEAN

    return DID_YOU_MEAN.say(near=near) if near else ""


def stream_of(journal: Journal, queue_id: str, site: str | None) -> RunRow | None:
    """The run that keeps `queue_id` at `site` (None before anyone joined)."""
    rows = journal.runs(RunFilter(procedure=queue_id, kind=QUEUE_KIND))
    mine = [r for r in rows if isinstance(r, RunRow) and r.site == site]
    return min(mine, key=lambda r: r.id) if mine else None


def read(journal: Journal, queue_id: str, site: str | None) -> QueueState:
    """The queue as its events say now (empty before anyone joined)."""
    row = stream_of(journal, queue_id, site)
    if row is None:
        return QueueState(queue=queue_id, site=site)
    try:
        return fold(journal.events(row.id))
    except (KeyError, ValueError, TypeError) as exc:
        from engine.runtime.state import REPLAY_FAILED

        raise JournalError(
            REPLAY_FAILED, run=row.id, seq=row.last_seq, kind=QUEUE_KIND, error=str(exc)
        ) from exc


Change = Callable[[QueueState], Sequence[QueueEvent]]


def write(
    journal: Journal,
    rulebook: Rulebook,
    snapshot: tuple[str, Mapping[str, str]],
    queue: Queue,
    site: str | None,
    operator: str | None,
    clock: Callable[[], datetime],
    change: Change,
    also: Callable[[QueueState, Sequence[QueueEvent]], Sequence[Write]] = lambda s, e: (),
) -> tuple[QueueState, list[Event]]:
    """Apply `change` (what should happen, decided on the queue as it stands:
    it raises to refuse) and write its events under the stream's last
    sequence number, with `also`'s writes (a run's own events) in the same
    transaction; when someone else wrote first, read again and decide again.
    Returns the state after, and the events written."""
    keeper = rulebook.roles[queue.keeper.name].name if queue.keeper else ""
    for _ in range(TRIES):
        row = stream_of(journal, queue.id, site)
        state = read(journal, queue.id, site) if row is not None else QueueState()
        events = list(change(state))
        at = clock().isoformat(timespec="milliseconds")
        drafts = [Draft(e.kind.value, at, e.to_json(), operator) for e in events]
        after = _preview(state, events, at)
        try:
            if row is None:
                if not any(isinstance(e, QueueJoined) for e in events):
                    raise RunError(QUEUE_EMPTY, title=queue.title, keeper=keeper, queue=queue.id)
                sha, files = snapshot
                opened = QueueOpened(
                    queue=queue.id,
                    title=queue.title,
                    stream_kind=QUEUE_KIND,
                    rulebook_sha=sha,
                    procedure_sha=_sha(files.get(RULEBOOK_FILE, "")),
                    site=site,
                    operator=operator,
                )
                new = NewRun(
                    queue.id, queue.title, QUEUE_KIND, at, sha, opened.procedure_sha, files,
                    operator, site,
                )  # fmt: skip
                first = Draft(opened.kind.value, at, opened.to_json(), operator)
                after = _preview(QueueState(), [opened, *events], at)

                batch = (first, *drafts)

                def build(run_id: int, batch: Sequence[Draft] = batch) -> list[Write]:
                    return [Write(run_id, batch, RunUpdate("active"))]

                _, written = journal.start_run(new, build, alone=True)
            else:
                writes = [
                    Write(row.id, drafts, RunUpdate("active"), expect=state.last_seq),
                    *also(state, events),
                ]
                written = journal.write(writes)
        except JournalConflict as exc:
            if row is not None and exc.params.get("run") not in (row.id, None):
                raise  # the run itself was carried on elsewhere
            if row is None and "procedure" not in exc.params:
                raise
            continue
        mine = [e for e in written if e.kind.startswith("queue.")]
        if mine:
            after.last_seq = max(e.seq for e in mine)
            after.stream = mine[0].run
        return after, written
    raise JournalError(QUEUE_BUSY, title=queue.title, tries=TRIES)


def _preview(state: QueueState, events: Sequence[QueueEvent], at: str) -> QueueState:
    import copy

    after = copy.deepcopy(state)
    for e in events:
        after.apply(e, at)
    return after


def _sha(text: str) -> str:
    from engine.runtime.pinning import text_sha

    return text_sha(text)


# ---------------------------------------------------------------- the keeper's changes

Op = Literal["join", "leave", "away", "back", "order"]


def keeper_change(title: str, op: Op, names: Sequence[str]) -> Change:
    """What `sop queue NAME OP NAMES…` does, refused as a person would be told."""

    def change(s: QueueState) -> list[QueueEvent]:
        people = [n.strip() for n in names]
        if not people or any(not p for p in people):
            raise UsageError(QUEUE_NO_NAME)
        match op:
            case "join":
                for i, p in enumerate(people):
                    if p in s.order or p in people[:i]:
                        raise UsageError(QUEUE_MEMBER, person=p, title=title)
                return [QueueJoined(people=tuple(people))]
            case "leave":
                return [QueueLeft(person=_member(s, title, p)) for p in people]
            case "away":
                out: list[QueueEvent] = []
                for p in people:
                    if _member(s, title, p) in s.away:
                        raise UsageError(QUEUE_ALREADY_AWAY, person=p)
                    out.append(QueueAway(person=p))
                return out
            case "back":
                backs: list[QueueEvent] = []
                for p in people:
                    if _member(s, title, p) not in s.away:
                        raise UsageError(QUEUE_NOT_AWAY, person=p)
                    backs.append(QueueBack(person=p))
                return backs
            case "order":
                missing = [m for m in s.order if m not in people]
                extra = [p for i, p in enumerate(people) if p not in s.order or p in people[:i]]
                if missing or extra:
                    raise UsageError(
                        QUEUE_BAD_ORDER,
                        missing=QUEUE_MISSING.say(names=", ".join(missing)) if missing else "",
                        extra=QUEUE_EXTRA.say(names=", ".join(extra)) if extra else "",
                        members=", ".join(s.order) or "-",
                    )
                return [QueueOrdered(order=tuple(people))]
            case _:
                assert_never(op)

    return change


def _member(s: QueueState, title: str, person: str) -> str:
    from engine.messages import suggest

    if person not in s.order:
        raise UsageError(
            QUEUE_NOT_MEMBER,
            person=person,
            title=title,
            hint=_hint(suggest(person, s.order)),
            members=", ".join(s.order) or "-",
        )
    return person


# ---------------------------------------------------------------- a step's turn


def choose(
    s: QueueState, queue: Queue, keeper: str, take: Take, named: str | None
) -> tuple[str, bool]:
    """Whom a turn takes from the queue as it stands: (person, owed turn served)."""
    if not s.order and take != "named":
        raise RunError(QUEUE_EMPTY, title=queue.title, keeper=keeper, queue=queue.id)
    match take:
        case "next":
            found = s.next()
            if found is None:
                raise RunError(QUEUE_NOBODY, title=queue.title, keeper=keeper, queue=queue.id)
            return found
        case "last":
            last = s.last()
            if last is None:
                raise RunError(QUEUE_NOBODY, title=queue.title, keeper=keeper, queue=queue.id)
            return last, False
        case "named":
            assert named is not None
            return named, False
        case _:
            assert_never(take)


# ---------------------------------------------------------------- sop queue


def change_queue(
    journal: Journal,
    folder: str,
    queue_id: str,
    op: str | None,
    names: Sequence[str],
    site: str | None,
    operator: str | None,
    clock: Callable[[], datetime],
) -> tuple[QueueState, Queue, Rulebook, str | None]:
    """`sop queue`: the queue as it stands, after the keeper's change if one
    is asked (journaled with the operator)."""
    from engine.runtime.pinning import pin

    pinned = pin(folder)
    queue = declared(pinned.rulebook, queue_id)
    # The rulebook names its site, as a run there takes it (engine.runtime.session).
    site = site or pinned.rulebook.organisation.site
    if op is None:
        return read(journal, queue.id, site), queue, pinned.rulebook, site
    ops: dict[str, Op] = {o: o for o in ("join", "leave", "away", "back", "order")}
    state, _ = write(
        journal,
        pinned.rulebook,
        (pinned.sha, pinned.files),
        queue,
        site,
        operator,
        clock,
        keeper_change(queue.title, ops[op], names),
    )
    return state, queue, pinned.rulebook, site


def refuse_stream(row: RunRow) -> None:
    """A command that walks or reports a run, given a queue's stream, says
    where the queue is seen instead (never shows its events as damage)."""
    if row.kind == QUEUE_KIND:
        raise RunError(QUEUE_NOT_A_RUN, run=row.id, title=row.title, queue=row.procedure)


@dataclass(frozen=True, slots=True)
class Happened:
    """One event of a queue's stream, for its history."""

    seq: int
    at: str
    actor: str | None
    event: QueueEvent


def history_of(journal: Journal, queue_id: str, site: str | None) -> list[Happened]:
    row = stream_of(journal, queue_id, site)
    if row is None:
        return []
    return [
        Happened(e.seq, e.at, e.actor, decode_queue(e.kind, e.data)) for e in journal.events(row.id)
    ]
