"""`sop journal verify`: the journal's checks, with every run's summary
worked out again by the fold that replays a run.

The store checks what it can alone (the hash chain, snapshots by sha,
counters, the deadline index: `engine.journal.audit`). What a summary row
says about where a run stands — its status, step, outcome, deadlines, whom it
is about — is what `RunState.apply` makes of its events, on the rulebook the
run is pinned to; the same fold the runner uses live and on resume, so a row
edited by hand, or a forged deadline, differs from it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from engine.errors import JournalError, SopError
from engine.i18n import message
from engine.journal import Journal
from engine.journal.audit import Expected, Fold, FoldFactory, Report, audit
from engine.journal.bulk import FileProblem
from engine.journal.chain import Event
from engine.journal.store import QUEUE_KIND
from engine.runtime.events import (
    EventDamaged,
    EvidenceAttached,
    InputAnswered,
    QueueOpened,
    RunStarted,
    decode_queue,
    read,
)
from engine.runtime.pinning import Pinned, restore
from engine.runtime.queues import QueueState
from engine.runtime.state import ACTIVE, RunState

VERIFY_NOT_STARTED = message(
    "verify.not-started",
    "它的第一个事件 (#{seq}) 不是 run.started",
    "its first event (#{seq}) is not run.started",
)
VERIFY_PINNED_DAMAGED = message(
    "verify.snapshot-damaged",
    "它所用的规则手册 {sha} 已损坏或缺失",
    "the rulebook {sha} it is pinned to is damaged or missing",
)
VERIFY_REPLAY_FAILED = message(
    "verify.fold-failed",
    "事件 #{seq} ({kind}) 无法用于重建运行状态: {error}",
    "event #{seq} ({kind}) cannot be replayed: {error}",
)
# What a replay can raise on event data that no sop wrote (the chain fits, so
# whoever wrote it also rebuilt the chain): said as the reason, not a crash.
_REPLAY_ERRORS = (KeyError, TypeError, ValueError, IndexError, AttributeError, SopError)


@dataclass
class _RunFold:
    state: RunState
    subject: str | None = None
    failed: str | None = None
    # (event, run, sha256) of every evidence file the run's events name
    attached: list[tuple[int, int, str]] = dataclasses.field(default_factory=list)

    def feed(self, event: Event) -> None:
        if self.failed is not None:
            return
        try:
            typed = read(event)
            self.state.apply(typed, event.at)
            self.state.last_seq = event.seq
            # Whom the run is about follows its first frame's inputs.
            match typed:
                case RunStarted() | InputAnswered():
                    now = self.state.subject
                case EvidenceAttached(sha256=sha) if sha is not None:
                    self.attached.append((event.seq, event.run, sha))
                    now = None
                case _:
                    now = None
        except _REPLAY_ERRORS as exc:
            self.failed = VERIFY_REPLAY_FAILED.say(seq=event.seq, kind=event.kind, error=_why(exc))
            return
        if now is not None:
            self.subject = now  # the store keeps the last known subject

    def expected(self) -> Expected | str:
        if self.failed is not None:
            return self.failed
        st = self.state
        try:
            u = st.summary()
        except _REPLAY_ERRORS as exc:
            return VERIFY_REPLAY_FAILED.say(seq=st.last_seq, kind="summary", error=_why(exc))
        started = st.started
        if started is None:  # the factory admits only a run that starts so
            return VERIFY_NOT_STARTED.say(seq=st.last_seq)
        return Expected(
            procedure=st.procedure_id,
            title=started.title,
            kind=started.procedure_kind,
            operator=st.operator,
            site=st.site,
            rulebook_sha=started.rulebook_sha,
            procedure_sha=started.procedure_sha,
            parent=st.interrupts,
            status=u.status,
            step=u.step,
            step_title=u.step_title,
            outcome=u.outcome,
            dues=tuple(u.dues),
            subject=u.subject if u.subject is not None else self.subject,
        )


@dataclass
class _QueueFold:
    """A queue's stream (engine.runtime.queues): its state folded again, so
    an event the queue could not have had (a turn to someone owed nothing, a
    credit for a turn never counted) is named, and its summary compared."""

    state: QueueState = dataclasses.field(default_factory=QueueState)
    failed: str | None = None

    def feed(self, event: Event) -> None:
        if self.failed is not None:
            return
        try:
            self.state.apply(decode_queue(event.kind, event.data), event.at, event.seq)
        except _REPLAY_ERRORS as exc:
            self.failed = VERIFY_REPLAY_FAILED.say(seq=event.seq, kind=event.kind, error=_why(exc))

    def expected(self) -> Expected | str:
        if self.failed is not None:
            return self.failed
        opened = self.state.opened
        assert opened is not None  # the stream's first event opened it
        return Expected(
            procedure=opened.queue,
            title=opened.title,
            kind=QUEUE_KIND,
            operator=opened.operator,
            site=opened.site,
            rulebook_sha=opened.rulebook_sha,
            procedure_sha=opened.procedure_sha,
            parent=None,
            status=ACTIVE,
            step=None,
            step_title=None,
            outcome=None,
            dues=(),
            subject=None,
        )


def _evidence_problems(
    journal: str, option: str | None, attached: list[tuple[int, int, str]]
) -> list[FileProblem]:
    """Each evidence file an event names that is not in the folder, or not as kept."""
    from engine.journal.evidence import EvidenceStore, evidence_folder

    if not attached:
        return []
    folder = evidence_folder(journal, option)
    out: list[FileProblem] = []
    for seq, run, sha in attached:
        where = f"{sha[:12]} (#{run}, event #{seq})"
        if folder is None:
            out.append(FileProblem("evidence-missing", where))
            continue
        match EvidenceStore(folder).check(sha):
            case "ok":
                pass
            case "missing":
                out.append(FileProblem("evidence-missing", where))
            case "altered":
                out.append(FileProblem("evidence-altered", where))
    return out


def _why(exc: BaseException) -> str:
    if isinstance(exc, SopError):
        return exc.message
    return f"{type(exc).__name__}: {exc}"


# Rulebooks rebuilt in this process, by sha. Sound to share: a snapshot's
# text is checked against its sha before it is rebuilt, so one sha is one text.
_REBUILT: dict[str, Pinned] = {}


def folds_for(journal: Journal, attached: list[tuple[int, int, str]] | None = None) -> FoldFactory:
    """A fold per run, on its pinned rulebook (rebuilt once per snapshot);
    each run's evidence files are added to `attached` (event, run, sha256)."""
    pinned: dict[str, Pinned | str] = dict(_REBUILT)

    def make(first: Event) -> Fold | str:
        if first.kind == QueueOpened.kind:
            return _QueueFold()
        if first.kind != RunStarted.kind:
            return VERIFY_NOT_STARTED.say(seq=first.seq)
        try:
            started = RunStarted.from_json(first.data)
        except EventDamaged as exc:
            return VERIFY_REPLAY_FAILED.say(seq=first.seq, kind=first.kind, error=exc.message)
        sha = started.rulebook_sha
        book = pinned.get(sha)
        if book is None:
            try:
                files = journal.snapshot(sha)
            except JournalError:
                book = VERIFY_PINNED_DAMAGED.say(sha=sha[:12])
            else:
                try:
                    book = _REBUILT[sha] = restore(files, sha)
                except SopError as exc:
                    book = exc.message
                if len(_REBUILT) > 32:
                    _REBUILT.pop(next(iter(_REBUILT)))
            pinned[sha] = book
        if isinstance(book, str):
            return book
        fold = _RunFold(RunState(first.run, book.rulebook))
        if attached is not None:
            fold.attached = attached
        return fold

    return make


def verify_journal(path: str, expect: str | None = None, evidence: str | None = None) -> Report:
    """Everything `sop journal verify` checks, read-only, and every evidence
    file the events name there and unchanged (in `evidence`, else the folder
    beside the journal). The file is read again when a writer folded its WAL
    into it while it was being read."""
    from engine.journal.store import JournalDamaged

    report: Report | None = None
    for _ in range(2):
        try:
            journal = Journal(path, write=False)
        except JournalDamaged as exc:
            return Report(0, "0" * 64, 0, 0, (FileProblem("unreadable", exc.message),))
        with journal:
            problems = [*journal.file_problems(), *journal.unfinished_copy()]
            attached: list[tuple[int, int, str]] = []
            report = audit(journal, folds_for(journal, attached), expect, problems)
            extra = _evidence_problems(journal.path, evidence, attached)
            if extra:
                report = dataclasses.replace(report, problems=(*report.problems, *extra))
            if not journal.changed_while_read():
                return report
    assert report is not None
    return dataclasses.replace(report, problems=(*report.problems, FileProblem("changed")))
