"""`sop journal verify`: is the journal whole and untouched?"""

from __future__ import annotations

import json
import sys

import click

from engine.cli.journal_options import format_option, journal_option, open_journal
from engine.cli.options import lang_option
from engine.errors import EXIT_OK, EXIT_PROBLEMS

_REASONS = {
    "content": (
        "事件 #{seq} 的内容与它的哈希不符 (被修改过)",
        "event #{seq} does not match its hash (it was changed)",
    ),
    "link": (
        "事件 #{seq} 没有指向前一个事件的哈希 (链断开)",
        "event #{seq} does not point at the previous event's hash (the chain is broken)",
    ),
    "gap": (
        "事件序号不连续: 缺少 {detail} (有事件被删除)",
        "events are missing: {detail} (events were deleted)",
    ),
    "summary": (
        "运行 #{detail} 的摘要与它的事件不符",
        "run #{detail}'s summary does not match its events",
    ),
}


@click.group(short_help="日志检查 / journal checks")
def journal() -> None:
    """日志 (journal) 的维护命令。"""


@journal.command(short_help="检查日志的完整性和哈希链 / verify the journal")
@journal_option
@format_option
@lang_option
def verify(journal_path: str | None, fmt: str, lang: str) -> None:
    """检查日志: SQLite 完整性 (integrity_check) 和事件的哈希链; 报告第一个断开的链接。
    退出码: 0 完好, 1 有问题。"""
    with open_journal(journal_path, must_exist=True) as j:
        integrity = j.integrity()
        result = j.verify()
    ok = integrity == "ok" and result.ok
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "ok": ok,
                    "integrity": integrity,
                    "events": result.events,
                    "head": result.head,
                    "broken_at": result.broken_at,
                    "reason": result.reason,
                    "detail": result.detail,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        sys.exit(EXIT_OK if ok else EXIT_PROBLEMS)
    en = lang == "en"
    if integrity != "ok":
        click.echo(
            ("SQLite integrity_check failed:\n" if en else "SQLite 完整性检查失败:\n") + integrity
        )
    if result.reason is not None:
        zh_text, en_text = _REASONS[result.reason]
        click.echo((en_text if en else zh_text).format(seq=result.broken_at, detail=result.detail))
    if ok:
        click.echo(
            f"journal ok: {result.events} events, chain intact; head {result.head}"
            if en
            else f"日志完好: {result.events} 个事件, 哈希链完整; 最新哈希 {result.head}"
        )
    sys.exit(EXIT_OK if ok else EXIT_PROBLEMS)
