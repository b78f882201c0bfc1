"""Writing a session's events: every change of a run goes through here.

`commit` writes events (and the linked events of another run, as when an
emergency ends and the run it interrupted continues) in one transaction and
only then adopts the state they lead to, computed by the same `apply` that
replays the journal — so what the runner holds is always what is on disk.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from engine.errors import JournalConflict
from engine.journal import Event, Journal, NewRun, Write
from engine.model import Procedure, Step
from engine.runtime.dues import day_of, step_dues
from engine.runtime.events import (
    NOTICE_KINDS,
    EventDamaged,
    MilestoneReached,
    RunEvent,
    RunInterrupted,
    RunStarted,
    Stamped,
    StepEntered,
    read,
)
from engine.runtime.interrupts import deferred
from engine.runtime.pinning import Pinned
from engine.runtime.run_states import RunCache
from engine.runtime.state import RunState

Clock = Callable[[], datetime]


@dataclass
class Active:
    """One run of the session, with the rulebook it is pinned to."""

    state: RunState
    pinned: Pinned

    @property
    def depth(self) -> int:
        return len(self.state.frames) - 1


@dataclass
class Recorder:
    journal: Journal
    clock: Clock
    operator: str | None = None
    site: str | None = None
    # Hold every commit until `flush` (a web request: nothing reaches the
    # person before the page, which is sent after the flush), so an answer,
    # its step's way out and the next step's arrival go to disk in one
    # transaction — one durable commit per answer instead of one per move.
    hold: bool = False
    cache: RunCache | None = None  # runs' replayed states, advanced by what is written here
    _staged: dict[int, list[Stamped]] = field(default_factory=dict)  # run -> not yet written
    _held: list[tuple[Write, Active]] = field(default_factory=list)  # commits not yet written

    def draft(self, event: RunEvent) -> Stamped:
        """The event, happening now, by the session's operator."""
        return Stamped(event, self.clock().isoformat(timespec="milliseconds"), self.operator)

    def commit(
        self,
        active: Active,
        drafts: Sequence[Stamped],
        also: Sequence[tuple[Active, list[Stamped]]] = (),
    ) -> None:
        """Write staged and new events (and linked ones of other runs) in one
        transaction, then adopt the state they lead to."""
        pairs = [(active, list(drafts)), *also]
        previews: list[RunState] = []
        writes: list[Write] = []
        held = {w.run for w, _ in self._held}
        for act, ds in pairs:
            preview = act.state.copy()  # staged drafts are in it already
            for d in ds:
                preview.apply(d.event, d.at)
            previews.append(preview)
            staged = self._staged.get(act.state.run_id, [])
            drafted = [s.draft() for s in (*staged, *ds)]
            # A run with a held write is checked by that one: this follows it
            # in the same transaction, where nobody else can write between.
            expect = None if act.state.run_id in held else act.state.last_seq
            writes.append(Write(act.state.run_id, drafted, preview.summary(), expect))
        if self.hold:
            # Adopted now, written at the flush (the run's last sequence
            # number stays the one read, which the held write expects).
            self._held += [(w, act) for w, (act, _) in zip(writes, pairs, strict=True)]
            for (act, _), preview in zip(pairs, previews, strict=True):
                self._staged.pop(act.state.run_id, None)
                act.state = preview
            return
        # Written and adopted as one: a signal waits until both are done.
        with deferred():
            events = self._write(writes, [act for act, _ in pairs])
            for (act, _), preview in zip(pairs, previews, strict=True):
                self._staged.pop(act.state.run_id, None)
                seqs = [e.seq for e in events if e.run == act.state.run_id]
                if seqs:
                    preview.wrote(max(seqs))
                act.state = preview

    def _write(self, writes: list[Write], acts: Sequence[Active]) -> list[Event]:
        """`writes` in one transaction, written again after notices (each
        write's `act` is the run it is for)."""
        for tries in itertools.count(1):
            try:
                events = self.journal.write(writes)
            except JournalConflict:
                # `sop notify` journals its messages on the runs they are
                # about: those change nothing of a run, so write again
                # after them. Anything else is another session's to keep.
                if tries >= 4 or not self._only_notices_since(acts):
                    raise
                writes = [
                    w if w.expect is None else replace(w, expect=act.state.last_seq)
                    for w, act in zip(writes, acts, strict=True)
                ]
            else:
                self._remember(writes, events)
                return events
        raise AssertionError("unreachable")

    def _remember(self, writes: Sequence[Write], events: Sequence[Event]) -> None:
        """Advance the kept states of the runs written (each run's first write
        expects the number its state was read at)."""
        if self.cache is None:
            return
        since: dict[int, int | None] = {}
        for w in writes:
            since.setdefault(w.run, w.expect)
        for run, seq in since.items():
            if seq is not None:
                self.cache.advance(run, seq, [e for e in events if e.run == run])

    def write_held(self) -> None:
        """Write the held commits in one transaction; each run's state then
        carries the sequence number of its last event."""
        if not self._held:
            return
        writes = [w for w, _ in self._held]
        acts = [act for _, act in self._held]
        with deferred():
            events = self._write(writes, acts)
            self._held.clear()
            for act in acts:
                seqs = [e.seq for e in events if e.run == act.state.run_id]
                if seqs:
                    act.state.wrote(max(seqs))

    def _only_notices_since(self, acts: Sequence[Active]) -> bool:
        """Whether what was written to these runs since they were read is only
        notices; if so the runs' last sequence numbers move past them."""
        newer = {
            act.state.run_id: [
                e for e in self.journal.events(act.state.run_id) if e.seq > act.state.last_seq
            ]
            for act in acts
        }
        if any(e.kind not in NOTICE_KINDS for es in newer.values() for e in es):
            return False
        for act in acts:
            if newer[act.state.run_id]:
                act.state.last_seq = newer[act.state.run_id][-1].seq
        return True

    def record(self, active: Active, event: RunEvent) -> None:
        self.commit(active, [self.draft(event)])

    def stage(self, active: Active, event: RunEvent) -> None:
        """Take an answer into the run's state now and write it with the next
        commit — at the latest just before the next prompt (`flush`). The last
        answer of a step then goes to disk together with the move to the next
        step: one commit instead of two, and still nothing a person saw
        acknowledged is ever missing from the journal."""
        d = self.draft(event)
        preview = active.state.copy()
        preview.apply(d.event, d.at)
        active.state = preview
        self._staged.setdefault(preview.run_id, []).append(d)

    def discard(self, run_id: int) -> None:
        """Forget staged answers (the run is being re-read from the journal)
        and every held commit (a session re-reads its runs to go on from what
        is on disk, after an interruption or an error: none of it was
        acknowledged)."""
        self._staged.pop(run_id, None)
        self._held.clear()

    def flush(self, active: Active) -> None:
        """Everything staged and held on disk (before a prompt, and before
        anything written or read past the recorder)."""
        if self._staged.get(active.state.run_id):
            self.commit(active, [])
        self.write_held()

    # ---- the events that move a run

    def entered(
        self, active: Active, proc: Procedure, step_id: str, before: Sequence[Stamped] = ()
    ) -> Stamped:
        """`step.entered`, with the step's deadlines worked out now (a milestone
        reached in the same commit counts)."""
        milestones = dict(active.state.milestones)
        milestones.update(
            {
                d.event.name: d.event.date or d.at
                for d in before
                if isinstance(d.event, MilestoneReached)
            }
        )
        step = proc.steps[step_id]
        dues = step_dues(active.pinned.rulebook, proc, step, self.clock(), milestones)
        return self.draft(
            StepEntered(procedure=proc.id, step=step_id, title=step.title, dues=tuple(dues))
        )

    def milestone(self, active: Active, proc: Procedure, step: Step) -> list[Stamped]:
        """The milestone a step marks, reached now — unless a date on or
        before today was already given for it (`sop milestone`), which stands."""
        if step.milestone is None:
            return []
        known = active.state.milestones.get(step.milestone.name)
        given = None
        if step.milestone_from is not None:
            # The date recorded in the field; a field left empty gives none.
            given = moment_text(active.state.recorded.get(step.milestone_from.name), self.clock())
            if given is None or given == known:
                return []
        if given is None and known is not None and day_of(known) <= self.clock().date():
            return []
        m = proc.milestones.get(step.milestone.name)
        title = m.title if m else step.milestone.name
        event = MilestoneReached(name=step.milestone.name, title=title, step=step.id)
        if given is not None and step.milestone_from is not None:
            event = MilestoneReached(
                name=step.milestone.name,
                title=title,
                step=step.id,
                date=given,
                taken_from=step.milestone_from.name,
            )
        return [self.draft(event)]

    def started(
        self,
        pinned: Pinned,
        proc: Procedure,
        preset: Mapping[str, Any],
        interrupts: int | None = None,
        occurrence: str | None = None,
    ) -> RunStarted:
        return RunStarted(
            procedure=proc.id,
            title=proc.title,
            procedure_kind=proc.kind,
            mode=proc.mode,
            version=proc.version,
            rulebook=pinned.folder,
            rulebook_sha=pinned.sha,
            procedure_sha=pinned.procedure_sha(proc.id),
            operator=self.operator,
            site=self.site,
            preset=dict(preset),
            interrupts=interrupts,
            occurrence=occurrence,
        )

    def open_run(
        self,
        pinned: Pinned,
        proc: Procedure,
        started: RunStarted,
        interrupted: Active | None = None,
    ) -> Active:
        """A new run, its first step entered and (for an emergency) the run it
        interrupts marked waiting — all in one transaction (after any held)."""
        self.write_held()
        at = self.clock().isoformat(timespec="milliseconds")
        new = NewRun(
            proc.id,
            proc.title,
            proc.kind,
            at,
            pinned.sha,
            pinned.procedure_sha(proc.id),
            pinned.files,
            self.operator,
            self.site,
            interrupted.state.run_id if interrupted else None,
        )
        previews: dict[int, RunState] = {}

        def build(run_id: int) -> list[Write]:
            child = RunState(run_id, pinned.rulebook)
            # The run starts when its first event happens: one moment for both.
            first = Stamped(started, at, self.operator)
            child.apply(first.event, first.at)
            enter = self.entered(Active(child, pinned), proc, proc.start.name)
            child.apply(enter.event, enter.at)
            previews[run_id] = child
            writes = [Write(run_id, [first.draft(), enter.draft()], child.summary())]
            if interrupted is not None:
                parent = interrupted.state.copy()
                cut = self.draft(
                    RunInterrupted(
                        by=run_id, procedure=proc.id, title=proc.title, step=parent.top.step
                    )
                )
                parent.apply(cut.event, cut.at)
                previews[parent.run_id] = parent
                writes.append(
                    Write(
                        parent.run_id,
                        [cut.draft()],
                        parent.summary(),
                        expect=interrupted.state.last_seq,
                    )
                )
            return writes

        run_id, events = self.journal.start_run(new, build)
        for act_id, preview in previews.items():
            preview.wrote(max(e.seq for e in events if e.run == act_id))
        if interrupted is not None:
            interrupted.state = previews[interrupted.state.run_id]
        return Active(previews[run_id], pinned)


def moment_text(value: Any, now: datetime) -> str | None:
    """A recorded date ("2026-12-01") or datetime ("2026-12-01 14:30") as a
    milestone's date: the date as it is, the datetime as a moment in the
    site's time zone (None for anything else)."""
    if not isinstance(value, str):
        return None
    if len(value) == 10:
        return value
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=now.tzinfo)).isoformat()


def load_run(journal: Journal, run_id: int) -> Active | None:
    """A run read back from the journal, on the rulebook it is pinned to."""
    from engine.runtime.pinning import restore
    from engine.runtime.queues import refuse_stream
    from engine.runtime.state import replay

    row = journal.run(run_id)
    if row is None:
        return None
    refuse_stream(row)
    events = journal.events(run_id)
    # The rulebook its first event names (the summary's column is a copy);
    # a first event that is not a run's start is refused by the replay.
    sha = row.rulebook_sha
    with contextlib.suppress(EventDamaged):
        first = read(events[0]) if events else None
        if isinstance(first, RunStarted):
            sha = first.rulebook_sha
    pinned = restore(journal.snapshot(sha), sha)
    return Active(replay(run_id, pinned.rulebook, events), pinned)
