"""`sop journal copy FROM TO`: a journal moved between stores as it is.

An SQLite file into a PostgreSQL database when a site joins the shared store,
and back (a whole copy in one file, for an auditor or as a backup). Every
row keeps its id, times and hash, so each chain copied verifies on the other
side and a head written down before the copy is still found after it.

- **One moment of the source.** The source is read in one read transaction.
- **Resumable.** Events go over in sequence order, a batch per transaction,
  each run's summary and pinned rulebook before its first event. The first
  batch marks the target (`copying`: the source's first hash); the last one
  writes every summary and the deadline index again and removes the mark.
  Interrupted, the same command goes on after the last batch that
  committed; meanwhile commands that record refuse the target and verify
  says the copy is unfinished.
- **Never twice.** A target that already holds the source's records, or
  other runs with the same numbers, or anything else, is refused: chains
  copied into a journal that has its own would no longer be chains.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from engine.errors import JournalError
from engine.i18n import message
from engine.journal.bulk import Batch, DueEntry, Head
from engine.journal.chain import ChainRow
from engine.journal.events import Damaged
from engine.journal.rows import describe_damage, describe_place
from engine.journal.store import COPYING, Journal, is_database_url
from engine.journal.summary import RunRow

BATCH = 5000  # events per transaction

COPY_SAME = message(
    "copy.same",
    "来源和目标是同一个日志 ({source}), 没有复制",
    "the source and the target are the same journal ({source}); nothing was copied",
)
COPY_DAMAGED = message(
    "copy.damaged",
    "来源 {source} 中 {what} 无法读出 ({why}), 不能原样复制。先用 sop journal verify "
    "--journal {source} 查看",
    "in the source {source}, {what} cannot be read ({why}), so it cannot be copied as it is. "
    "See with: sop journal verify --journal {source}",
)
COPY_ALREADY = message(
    "copy.already",
    "{target} 已经有 {source} 的全部记录 (之前复制过), 没有再复制。检查: sop journal verify "
    "--journal {target}",
    "{target} already holds every record of {source} (it was copied before); nothing was "
    "copied again. Check it with: sop journal verify --journal {target}",
)
COPY_SAME_IDS = message(
    "copy.same-ids",
    "{target} 中已有编号相同的其他运行 (#{ids}), 没有复制: 运行编号和哈希链要原样保留, "
    "只能复制到新的日志文件或空数据库",
    "{target} already holds other runs with the same numbers (#{ids}); nothing was copied: "
    "runs keep their numbers and chains their hashes, so a copy goes into a new journal file "
    "or an empty database",
)
COPY_NOT_EMPTY = message(
    "copy.not-empty",
    "{target} 中已有别的记录, 没有复制: 请复制到新的日志文件或空数据库",
    "{target} already holds other records; nothing was copied. Copy into a new journal file "
    "or an empty database",
)
COPY_OTHER = message(
    "copy.other-unfinished",
    "{target} 中有一次从另一个日志 (第一个哈希 {origin}…) 开始、尚未完成的复制; "
    "请用原来的来源再运行一次 sop journal copy 把它完成",
    "{target} holds an unfinished copy from another journal (first hash {origin}…); run "
    "sop journal copy again from that source to finish it",
)
COPY_CHANGED = message(
    "copy.changed",
    "来源 {source} 中的事件 #{seq} 与上次复制过去的不同 (来源被改写或换成了别的日志), 无法接着复制",
    "event #{seq} in the source {source} differs from the one copied before (the source was "
    "rewritten, or is another journal); the copy cannot go on",
)
COPY_UNFINISHED = message(
    "copy.unfinished",
    "向日志 {path} 的复制还没有完成, 现在不能在其中记录。请再运行一次同样的 sop journal copy "
    "把它完成",
    "a copy into the journal {path} has not finished, so nothing can be recorded in it yet. "
    "Run the same sop journal copy again to finish it",
)
COPY_DIFFERS = message(
    "copy.differs",
    "复制后 {target} 的哈希链与来源不一致: {detail}",
    "after the copy, the chains of {target} differ from the source's: {detail}",
)

Progress = Callable[[int, int], None]  # (events copied so far, events in all)


@dataclass(frozen=True)
class Copied:
    events: int  # events in the target, all of the source's
    runs: int
    snapshots: int
    copied: int  # events this command wrote (fewer when it went on after an interruption)
    resumed: bool
    heads: tuple[Head, ...]  # the target's chains, the same as the source's


def copy_journal(
    source: str, target: str, batch: int = BATCH, progress: Progress | None = None
) -> Copied:
    """Copy the journal `source` into `target` (see the module's docstring)."""
    if _same(source, target):
        raise JournalError(COPY_SAME, source=source)
    with Journal(source, write=False) as src, src.consistent():
        return copy_from(src, target, batch, progress)


def _same(a: str, b: str) -> bool:
    if is_database_url(a) or is_database_url(b):
        return a == b
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def _refuse_damaged(src: Journal, row: Damaged) -> JournalError:
    return JournalError(
        COPY_DAMAGED, source=src.path, what=describe_place(row), why=describe_damage(row)
    )


def copy_from(
    src: Journal, target: str, batch: int = BATCH, progress: Progress | None = None
) -> Copied:
    """Copy the open journal `src` (read at one moment) into `target`."""
    runs: dict[int, RunRow] = {}
    for summary in src.all_runs():
        if isinstance(summary, Damaged):
            raise _refuse_damaged(src, summary)
        runs[summary.id] = summary
    snapshots: list[tuple[str, str]] = []
    for sha, files in src.snapshots():
        if isinstance(files, Damaged) or not isinstance(files, str):
            raise _refuse_damaged(src, Damaged("snapshots", sha, None, "type", "files"))
        snapshots.append((sha, files))
    dues: list[DueEntry] = []
    for entry in src.due_entries():
        if isinstance(entry, Damaged):
            raise _refuse_damaged(src, entry)
        dues.append(entry)
    heads = src.heads()
    total = sum(h.events for h in heads)
    origin = _origin(src)
    if not src.exact_start:
        _start_from_events(src, runs)

    with Journal(target) as dst:
        mark = dst.meta(COPYING)
        if mark is not None and mark != origin:
            raise JournalError(COPY_OTHER, target=dst.path, origin=mark[:16])
        resumed = mark is not None
        if not resumed:
            _check_target(src, dst, heads, runs)
        have_runs = {r.id for r in dst.all_runs() if isinstance(r, RunRow)}
        have_snaps = {sha for sha, _ in dst.snapshots()}
        # Where an interrupted copy got to: the events copied so far must be
        # the source's own, up to the last one copied.
        theirs = {h.seq: h.hash for h in dst.heads()}
        done = max(theirs, default=0)
        before = dst.count_events() if done else 0
        pending: Batch = Batch(
            snapshots=[s for s in snapshots if s[0] not in have_snaps], meta={COPYING: origin}
        )
        events: list[ChainRow] = []
        new_runs: list[RunRow] = []
        copied = 0
        seen = 0
        for row in _rows(src):
            if row.seq <= done:
                seen += 1
                if theirs.get(row.seq, row.hash) != row.hash or (
                    row.seq == done and seen != before
                ):
                    raise JournalError(COPY_CHANGED, source=src.path, seq=row.seq)
                continue
            if row.run not in have_runs:
                _bring(row.run, runs, have_runs, new_runs)
            events.append(row)
            if len(events) >= batch:
                dst.absorb(Batch(pending.snapshots, new_runs, events, meta=pending.meta))
                copied += len(events)
                pending, events, new_runs = Batch(meta=pending.meta), [], []
                if progress is not None:
                    progress(done + copied, total)
        for run_id in sorted(runs):  # runs without events (none sop writes, but copy them)
            if run_id not in have_runs:
                _bring(run_id, runs, have_runs, new_runs)
        meta: dict[str, str | None] = {COPYING: None}
        if not src.dense:
            meta["seq"] = "sparse"
        dst.absorb(
            Batch(
                pending.snapshots,
                new_runs,
                events,
                summaries=[runs[i] for i in sorted(runs)],
                dues=dues,
                meta=meta,
            )
        )
        copied += len(events)
        if progress is not None:
            progress(total, total)
        after = tuple(sorted(dst.heads(), key=lambda h: h.chain))
        if after != tuple(sorted(heads, key=lambda h: h.chain)):
            detail = f"{[(h.chain, h.seq) for h in heads]} / {[(h.chain, h.seq) for h in after]}"
            raise JournalError(COPY_DIFFERS, target=dst.path, detail=detail)
        return Copied(total, len(runs), len(snapshots), copied, resumed, after)


def _start_from_events(src: Journal, runs: dict[int, RunRow]) -> None:
    """A run's start is its first event's time, as every current format
    keeps it (an old file's summary read the clock a moment earlier): what
    bringing the file up to date would have done, done on the way."""
    seen: set[int] = set()
    for row in _rows(src):
        if row.run in runs and row.run not in seen:
            seen.add(row.run)
            runs[row.run] = dataclasses.replace(runs[row.run], started_at=row.at)


def _rows(src: Journal) -> Iterator[ChainRow]:
    for row in src.chain_rows():
        if isinstance(row, Damaged):
            raise _refuse_damaged(src, row)
        yield row


def _origin(src: Journal) -> str:
    """What names the source: the hash of its first event."""
    for row in src.chain_rows():
        if isinstance(row, Damaged):
            raise _refuse_damaged(src, row)
        return row.hash
    return ""


def _bring(run_id: int, runs: dict[int, RunRow], have: set[int], out: list[RunRow]) -> None:
    """A run's summary into the batch, after the run it interrupted."""
    row = runs.get(run_id)
    if row is None or run_id in have:
        return  # events without a summary: the copy's verify names them, as the source's does
    if row.parent is not None and row.parent not in have:
        _bring(row.parent, runs, have, out)
    have.add(run_id)
    out.append(row)


def _check_target(src: Journal, dst: Journal, heads: list[Head], runs: dict[int, RunRow]) -> None:
    theirs = dst.heads()
    their_runs = {r.id for r in dst.all_runs() if isinstance(r, RunRow)}
    if not theirs and not their_runs:
        return
    same = sorted(set(runs) & their_runs)
    if same:
        if set(theirs) == set(heads) and their_runs == set(runs):
            raise JournalError(COPY_ALREADY, target=dst.path, source=src.path)
        shown = ", #".join(str(i) for i in same[:5]) + (" …" if len(same) > 5 else "")
        raise JournalError(COPY_SAME_IDS, target=dst.path, ids=shown)
    raise JournalError(COPY_NOT_EMPTY, target=dst.path)


def refuse_unfinished(journal: Journal) -> None:
    """Nothing is recorded in a journal a copy has not finished filling
    (its summaries are not yet those of its events): closed, and said."""
    if journal.meta(COPYING) is not None:
        journal.close()
        raise JournalError(COPY_UNFINISHED, path=journal.path)
