"""The report of `sop journal verify`, for a person (text) and for tools (JSON)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, assert_never

from engine.i18n import message
from engine.journal import describe_damage, describe_place
from engine.journal.audit import (
    AnchorProblem,
    ChainBreak,
    DuesDiffer,
    EventsWithoutRun,
    NoEvents,
    Problem,
    Report,
    RowDamaged,
    RunDiffers,
    RunUnchecked,
    RunWithoutEvents,
    SnapshotMissing,
)
from engine.journal.bulk import FileProblem
from engine.screen import json_text

if TYPE_CHECKING:
    from engine.journal.copy import Copied

SHOWN = 20  # problems listed in full; the rest are counted

VERIFY_OK = message(
    "verify.ok",
    "日志完好: {events} 个事件, 哈希链完整, "
    "{runs} 个运行的摘要、期限和保存的规则手册都与事件相符。",
    "journal intact: {events} events, the hash chain is whole, and the summaries, deadlines "
    "and pinned rulebooks of {runs} runs match their events.",
)
VERIFY_DAMAGED = message(
    "verify.damaged",
    "日志有问题 ({count} 处): 以下内容与事件不符或无法读出。"
    "{events} 个事件、{runs} 个运行还能读出。",
    "the journal has problems ({count}): what follows does not match its events or cannot be "
    "read. {events} events and {runs} runs can still be read.",
)
VERIFY_HEAD = message(
    "verify.head",
    "最新哈希 (事件 #{seq}): {head}",
    "head (event #{seq}): {head}",
)
VERIFY_NO_HEAD = message("verify.no-head", "没有最新哈希 (没有事件)", "no head (no events)")
VERIFY_CHAINS = message(
    "verify.chains",
    "每个案场一条哈希链, 共 {count} 条; 各链的最新哈希:",
    "one hash chain per site, {count} in all; the head of each:",
)
VERIFY_CHAIN_HEAD = message(
    "verify.chain-head",
    "{chain}: {events} 个事件, 最新哈希 (事件 #{seq}) {head}",
    "{chain}: {events} events, head (event #{seq}) {head}",
)
VERIFY_SITE = message("verify.site", "案场 {site}", "site {site}")
VERIFY_NO_SITE = message("verify.no-site", "未指定案场的运行", "runs without a site")
VERIFY_ANCHOR_CHAIN = message(
    "verify.anchor-chain",
    "与记下的哈希 {expect} 相符: 它是{chain}的事件 #{seq}, 此后这条链上又记录了 {since} 个事件。",
    "matches the head written down ({expect}): it is event #{seq} of {chain}, and {since} "
    "events were recorded on that chain after it.",
)
VERIFY_ANCHOR_OK = message(
    "verify.anchor-ok",
    "与记下的哈希 {expect} 相符: 它是事件 #{seq}, 此后又记录了 {since} 个事件。",
    "matches the head written down ({expect}): it is event #{seq}, and {since} events "
    "were recorded after it.",
)
VERIFY_NO_ANCHOR = message(
    "verify.no-anchor",
    "提示: 把最新哈希记在日志以外的地方 (纸上、邮件); 以后用 sop journal verify --expect {short} "
    "可发现被整段删去的最后几条记录或回滚到旧副本, 这是日志本身无法发现的。",
    "tip: write the head down outside the journal (on paper, in an email); later, "
    "sop journal verify --expect {short} finds the last records cut off or a rollback to an "
    "old copy, which the journal alone cannot show.",
)
VERIFY_MORE = message("verify.more", "…… 另有 {n} 处问题 (用 --format json 查看全部)",
               "… and {n} more (all of them with --format json)")  # fmt: skip

_CHAIN = {
    "content": message(
        "verify.chain.content",
        "事件 #{seq} 的内容与它的哈希不符 (写入后被改动过)",
        "event #{seq} does not match its hash (it was changed after it was written)",
    ),
    "link": message(
        "verify.chain.link",
        "事件 #{seq} 没有指向前一个事件的哈希 (链在此断开: 之前的事件被改动、删除或插入过)",
        "event #{seq} does not point at the previous event's hash (the chain breaks here: "
        "an event before it was changed, removed or inserted)",
    ),
    "gap": message(
        "verify.chain.gap",
        "事件序号不连续, 在 #{seq} 之前缺少 {detail} (有事件被删除)",
        "events are missing before #{seq}: {detail} (events were deleted)",
    ),
}
VERIFY_ROW = message("verify.row", "{place} 已损坏: {why}", "{place} is damaged: {why}")
VERIFY_DIFFERS = message(
    "verify.differs",
    '运行 #{run} 的摘要 {column} 是 "{stored}", 但它的事件说是 "{expected}" (摘要被改动过)',
    'run #{run}\'s summary has {column} "{stored}", but its events say "{expected}" '
    "(the summary was changed)",
)
VERIFY_NO_EVENTS_RUN = message(
    "verify.run-without-events",
    "运行 #{run} 有摘要但没有任何事件 (摘要是伪造的, 或它的事件被删除了)",
    "run #{run} has a summary but no events (the summary is forged, or its events were deleted)",
)
VERIFY_NO_RUN = message(
    "verify.events-without-run",
    "运行 #{run} 有 {events} 个事件但没有摘要 (摘要被删除了)",
    "run #{run} has {events} events but no summary (the summary was deleted)",
)
VERIFY_DUES = message(
    "verify.dues",
    '运行 #{run} 的期限索引是 "{stored}", 但它的期限是 "{expected}" (索引被改动过, sop due 会列错)',
    'run #{run}\'s deadline index holds "{stored}", but its deadlines are "{expected}" (the '
    "index was changed; sop due would list the wrong things)",
)
VERIFY_SNAPSHOT = message(
    "verify.snapshot-missing",
    "运行 #{run} 所用的规则手册 {sha} 不在日志中",
    "the rulebook {sha} that run #{run} uses is not in the journal",
)
VERIFY_UNCHECKED = message(
    "verify.unchecked",
    "运行 #{run} 的摘要无法从事件重建: {why}",
    "run #{run}'s summary cannot be worked out from its events: {why}",
)
VERIFY_NO_EVENTS = message(
    "verify.no-events",
    "日志中没有任何事件。若这里本应有记录, 它们已丢失 "
    "(例如预写文件 -wal 被删除, 或文件被换成了旧副本)",
    "the journal holds no events. If it should, they are lost (the -wal file deleted, or the "
    "file replaced by an old copy, for instance)",
)
_FILE = {
    "evidence-missing": message(
        "verify.file.evidence-missing",
        "凭证文件不见了: {detail}",
        "an evidence file is missing: {detail}",
    ),
    "evidence-altered": message(
        "verify.file.evidence-altered",
        "凭证文件被改动过 (内容与记下的 sha256 不符): {detail}",
        "an evidence file was altered (its content does not match the sha256 recorded): {detail}",
    ),
    "truncated": message(
        "verify.file.truncated",
        "日志文件被截断了 (实际/应有字节: {detail})",
        "the journal file was cut short (bytes there/expected: {detail})",
    ),
    "wal-damaged": message(
        "verify.file.wal-damaged",
        "预写文件 (-wal) 已损坏: 从第 {detail} 帧/次写入起, SQLite 不会再读, 这些记录已丢失",
        "the write-ahead file (-wal) is damaged: from frame/write {detail} on, SQLite will "
        "not read it, and those records are lost",
    ),
    "wal-torn": message(
        "verify.file.wal-torn",
        "预写文件 (-wal) 的最后一次写入无法读出 (帧/次 {detail}): "
        "若写入时断电, 那次写入本来就没有完成; 否则文件被改动过",
        "the last write in the write-ahead file (-wal) cannot be read (frame/writes {detail}): "
        "a power cut during that write left it unfinished, or the file was changed",
    ),
    "wal-missing": message(
        "verify.file.wal-missing",
        "预写文件 (-wal) 不见了或被截短: 索引文件 (-shm) 显示其中有 {detail} 帧"
        "尚未并入的记录, 已丢失",
        "the write-ahead file (-wal) is gone or cut short: its index (-shm) shows {detail} frames "
        "of records not yet folded in, now lost",
    ),
    "integrity": message(
        "verify.file.integrity",
        "SQLite 完整性检查失败: {detail}",
        "SQLite's integrity check failed: {detail}",
    ),
    "schema": message(
        "verify.file.schema",
        "日志的表结构被改动过: {detail} (例如删除了保护记录的触发器, 以便改写记录)",
        "the journal's tables were altered: {detail} (a trigger guarding the records dropped "
        "to rewrite them, for instance)",
    ),
    "changed": message(
        "verify.file.changed",
        "检查期间日志被另一个程序改写了; 请再运行一次 sop journal verify",
        "the journal was rewritten by another program while being checked; run "
        "sop journal verify again",
    ),
    "unreadable": message("verify.file.unreadable", "{detail}", "{detail}"),
    "copying": message(
        "verify.file.copying",
        "向这个日志的复制 (来源的第一个哈希 {detail}…) 被中断了, 还没有完成: "
        "再运行一次同样的 sop journal copy 即可接着完成",
        "a copy into this journal (from the journal whose first hash is {detail}…) was "
        "interrupted before it finished: run the same sop journal copy again to finish it",
    ),
}
_ANCHOR = {
    "missing": message(
        "verify.anchor.missing",
        "记下的哈希 {expect} 不在日志中: 日志被截断、回滚到旧副本或整段重写过",
        "the head written down ({expect}) is not in the journal: it was cut short, rolled "
        "back to an old copy, or rewritten",
    ),
    "short": message(
        "verify.anchor.short",
        "--expect {expect}: 请给出至少 8 位十六进制的哈希 (verify 报告中的最新哈希)",
        "--expect {expect}: give at least 8 hex digits of a head (from a verify report)",
    ),
    "ambiguous": message(
        "verify.anchor.ambiguous",
        "--expect {expect}: 有多个事件的哈希以此开头, 请多给几位",
        "--expect {expect}: several events' hashes begin so; give more digits",
    ),
    "broken": message(
        "verify.anchor.broken",
        "记下的哈希 {expect} 在日志中, 但它之前的链已断开",
        "the head written down ({expect}) is in the journal, but the chain before it is broken",
    ),
}


def describe(p: Problem) -> str:
    match p:
        case ChainBreak(seq=seq, reason=reason, detail=detail):
            msg = _CHAIN[reason]
            return msg.say(seq=seq, detail=detail) if reason == "gap" else msg.say(seq=seq)
        case RowDamaged(row=row):
            return VERIFY_ROW.say(place=describe_place(row), why=describe_damage(row))
        case RunDiffers(run=run, column=column, stored=stored, expected=expected):
            return VERIFY_DIFFERS.say(
                run=run, column=column, stored=_clip(stored), expected=_clip(expected)
            )
        case RunWithoutEvents(run=run):
            return VERIFY_NO_EVENTS_RUN.say(run=run)
        case EventsWithoutRun(run=run, events=events):
            return VERIFY_NO_RUN.say(run=run, events=events)
        case DuesDiffer(run=run, stored=stored, expected=expected):
            return VERIFY_DUES.say(run=run, stored=_clip(stored), expected=_clip(expected))
        case SnapshotMissing(sha=sha, run=run):
            return VERIFY_SNAPSHOT.say(sha=sha[:12], run=run)
        case RunUnchecked(run=run, why=why):
            return VERIFY_UNCHECKED.say(run=run, why=why)
        case FileProblem(what=what, detail=detail):
            msg = _FILE[what]
            return msg.say(detail=detail) if "detail" in msg.fields else msg.say()
        case AnchorProblem(expect=expect, what=what):
            return _ANCHOR[what].say(expect=expect)
        case NoEvents():
            return VERIFY_NO_EVENTS.say()
        case _:
            assert_never(p)


def _clip(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def chain_name(chain: str) -> str:
    """A chain as people know it: by its site."""
    return VERIFY_SITE.say(site=chain) if chain else VERIFY_NO_SITE.say()


def _head(report: Report) -> list[str]:
    if not report.events:
        return [VERIFY_NO_HEAD.say()]
    if report.one_chain:
        return [VERIFY_HEAD.say(seq=report.head_seq, head=report.head)]
    return [
        VERIFY_CHAINS.say(count=len(report.chains)),
        *(
            "  "
            + VERIFY_CHAIN_HEAD.say(
                chain=chain_name(c.chain), events=c.events, seq=c.seq, head=c.hash
            )
            for c in report.chains
        ),
    ]


def as_text(report: Report) -> str:
    lines: list[str] = []
    if report.ok:
        lines.append(VERIFY_OK.say(events=report.events, runs=report.runs))
    else:
        lines.append(
            VERIFY_DAMAGED.say(count=len(report.problems), events=report.events, runs=report.runs)
        )
        lines.extend(f"  - {describe(p)}" for p in report.problems[:SHOWN])
        if len(report.problems) > SHOWN:
            lines.append("  " + VERIFY_MORE.say(n=len(report.problems) - SHOWN))
    lines.extend(_head(report))
    if report.anchor is not None and report.ok:
        a = report.anchor
        if report.one_chain:
            lines.append(VERIFY_ANCHOR_OK.say(expect=a.expect, seq=a.seq, since=a.since))
        else:
            lines.append(
                VERIFY_ANCHOR_CHAIN.say(
                    expect=a.expect, seq=a.seq, since=a.since, chain=chain_name(a.chain)
                )
            )
    elif report.anchor is None and report.ok and report.events:
        lines.append(VERIFY_NO_ANCHOR.say(short=report.head[:16]))
    return "\n".join(lines) + "\n"


def _problem_json(p: Problem) -> dict[str, Any]:
    kind = {
        ChainBreak: "chain",
        RowDamaged: "damaged",
        RunDiffers: "summary",
        RunWithoutEvents: "run-without-events",
        EventsWithoutRun: "events-without-run",
        DuesDiffer: "dues",
        SnapshotMissing: "snapshot-missing",
        RunUnchecked: "unchecked",
        FileProblem: "file",
        AnchorProblem: "anchor",
        NoEvents: "no-events",
    }[type(p)]
    out: dict[str, Any] = {"kind": kind, "message": describe(p)}
    if isinstance(p, RowDamaged):
        d = p.row
        out.update(table=d.table, key=d.key, run=d.run, damage=d.kind, column=d.column)
    elif not isinstance(p, NoEvents):
        out.update({k: getattr(p, k) for k in p.__slots__})
    return out


def as_json(report: Report) -> str:
    first = next((p for p in report.problems if isinstance(p, ChainBreak)), None)
    out = {
        "ok": report.ok,
        "events": report.events,
        "runs": report.runs,
        "head": report.head if report.events else None,
        "head_seq": report.head_seq if report.events else None,
        "broken_at": first.seq if first else None,
        "anchor": (
            {
                "expect": report.anchor.expect,
                "seq": report.anchor.seq,
                "since": report.anchor.since,
                "chain": report.anchor.chain,
            }
            if report.anchor
            else None
        ),
        "chains": [
            {"chain": c.chain, "events": c.events, "head": c.hash, "head_seq": c.seq}
            for c in report.chains
        ],
        "problems": [_problem_json(p) for p in report.problems],
    }
    return json_text(out) + "\n"


JOURNAL_BACKED_UP = message(
    "backup.done",
    "已备份到 {dest}: {events} 个事件, 最新哈希 (事件 #{seq}) {head}。\n"
    "检查备份: sop journal verify --journal {dest} --expect {short}\n",
    "backed up to {dest}: {events} events, head (event #{seq}) {head}.\n"
    "check the copy with: sop journal verify --journal {dest} --expect {short}\n",
)
JOURNAL_BACKED_UP_EMPTY = message(
    "backup.done-empty",
    "已备份到 {dest} (日志中还没有事件)\n",
    "backed up to {dest} (the journal has no events yet)\n",
)


def backed_up(dest: str, head: tuple[int, str] | None) -> str:
    if head is None:
        return JOURNAL_BACKED_UP_EMPTY.say(dest=dest)
    seq, digest = head
    return JOURNAL_BACKED_UP.say(dest=dest, events=seq, seq=seq, head=digest, short=digest[:16])


COPIED = message(
    "copy.done",
    "已复制: {events} 个事件、{runs} 个运行、{snapshots} 份规则手册, 从 {source} 到 {target}; "
    "{chains} 条哈希链的最新哈希与来源相同。\n检查: sop journal verify --journal {target}\n",
    "copied {events} events, {runs} runs and {snapshots} pinned rulebooks from {source} to "
    "{target}; the heads of its {chains} hash chains are the source's.\ncheck it with: "
    "sop journal verify --journal {target}\n",
)
COPY_RESUMED = message(
    "copy.resumed",
    "(接着上次中断处: 这次复制了 {copied} 个事件)\n",
    "(went on where it was interrupted: {copied} events copied this time)\n",
)


def copied(source: str, target: str, result: Copied) -> str:
    """What `sop journal copy` says when done."""
    from engine.journal.store import display_url

    text = COPIED.say(
        events=result.events,
        runs=result.runs,
        snapshots=result.snapshots,
        source=display_url(source),
        target=display_url(target),
        chains=len(result.heads),
    )
    if result.resumed:
        text += COPY_RESUMED.say(copied=result.copied)
    return text
