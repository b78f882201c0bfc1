"""`sop journal verify` (is the journal whole and untouched?) and
`sop journal backup` (a safe copy)."""

from __future__ import annotations

import sys

import click

from engine.cli.journal_options import format_option, journal_option, open_journal
from engine.cli.options import lang_option
from engine.errors import EXIT_OK, EXIT_PROBLEMS


@click.group(short_help="日志检查与备份 / journal checks and backups")
def journal() -> None:
    """日志 (journal) 的维护命令: verify 检查, backup 备份。"""


@journal.command(short_help="检查日志是否完整、未被改动 / verify the journal")
@click.option(
    "--expect",
    metavar="HEAD",
    default=None,
    help="之前记下的最新哈希 (至少 8 位): 发现截断或回滚 / a head written down earlier "
    "(8+ hex digits): finds truncation and rollback",
)
@journal_option
@format_option
@lang_option
def verify(expect: str | None, journal_path: str | None, fmt: str, lang: str) -> None:
    """检查日志, 只读不写: 文件 (截断、预写文件 -wal、SQLite 完整性)、事件的哈希链、
    保存的规则手册, 以及每个运行的摘要和期限是否与它的事件相符。列出每处问题,
    并给出最新哈希 (记在日志以外, 以后用 --expect 比较)。退出码: 0 完好, 1 有问题。"""
    from engine.journal import resolve_journal_path
    from engine.render.audit import as_json, as_text
    from engine.runtime.audit import verify_journal

    report = verify_journal(resolve_journal_path(journal_path), expect)
    click.echo(as_json(report) if fmt == "json" else as_text(report), nl=False)
    sys.exit(EXIT_OK if report.ok else EXIT_PROBLEMS)


@journal.command(short_help="安全地备份日志 / a safe copy of the journal")
@click.argument("dest", type=click.Path(dir_okay=False))
@journal_option
@lang_option
def backup(dest: str, journal_path: str | None, lang: str) -> None:
    """把日志复制到 DEST (不会覆盖已有文件)。用 SQLite 的备份接口复制, 包括预写文件
    (-wal) 中尚未并入的记录, 运行中也可以备份; 只复制 .sqlite3 文件本身可能丢失记录。"""
    from engine.render.audit import backed_up

    with open_journal(journal_path) as j:
        head = j.backup(dest)
    click.echo(backed_up(dest, head), nl=False)
