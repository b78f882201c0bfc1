"""`sop journal verify` (is the journal whole and untouched?) and
`sop journal backup` (a safe copy)."""

from __future__ import annotations

import sys

import click

from engine.cli.journal_options import evidence_option, format_option, journal_option, open_journal
from engine.cli.options import lang_option
from engine.errors import EXIT_OK, EXIT_PROBLEMS, UsageError
from engine.i18n import message


@click.group(short_help="日志检查、备份与复制 / journal checks, backups and copies")
def journal() -> None:
    """日志 (journal) 的维护命令: verify 检查, backup 备份, copy 在 SQLite 文件与
    PostgreSQL 数据库之间复制。"""


@journal.command(short_help="检查日志是否完整、未被改动 / verify the journal")
@click.option(
    "--expect",
    metavar="HEAD",
    default=None,
    help="之前记下的最新哈希 (至少 8 位): 发现截断或回滚 / a head written down earlier "
    "(8+ hex digits): finds truncation and rollback",
)
@journal_option
@evidence_option
@format_option
@lang_option
def verify(
    expect: str | None, journal_path: str | None, evidence: str | None, fmt: str, lang: str
) -> None:
    """检查日志, 只读不写: 文件 (截断、预写文件 -wal、SQLite 完整性)、事件的哈希链、
    保存的规则手册, 以及每个运行的摘要和期限是否与它的事件相符。列出每处问题,
    并给出最新哈希 (记在日志以外, 以后用 --expect 比较)。退出码: 0 完好, 1 有问题。"""
    from engine.journal import resolve_journal_path
    from engine.render.audit import as_json, as_text
    from engine.runtime.audit import verify_journal

    report = verify_journal(resolve_journal_path(journal_path), expect, evidence)
    click.echo(as_json(report) if fmt == "json" else as_text(report), nl=False)
    sys.exit(EXIT_OK if report.ok else EXIT_PROBLEMS)


@journal.command(short_help="安全地备份日志 / a safe copy of the journal")
@click.argument("dest", type=click.Path(dir_okay=False))
@journal_option
@lang_option
def backup(dest: str, journal_path: str | None, lang: str) -> None:
    """把日志复制到 DEST (不会覆盖已有文件)。用 SQLite 的备份接口复制, 包括预写文件
    (-wal) 中尚未并入的记录, 运行中也可以备份; 只复制 .sqlite3 文件本身可能丢失记录。"""
    from engine.journal import is_database_url
    from engine.render.audit import backed_up

    if is_database_url(dest):
        raise UsageError(BACKUP_NOT_A_FILE, dest=dest)
    with open_journal(journal_path) as j:
        head = j.backup(dest)
    click.echo(backed_up(dest, head), nl=False)


BACKUP_NOT_A_FILE = message(
    "backup.not-a-file",
    "备份写到一个新文件, 而 {dest} 是数据库地址。要复制到数据库, 请用 sop journal copy",
    "a backup is written to a new file, and {dest} is a database address. To copy into a "
    "database, use sop journal copy",
)


@journal.command(short_help="在 SQLite 与 PostgreSQL 之间复制日志 / copy a journal between stores")
@click.argument("source", metavar="FROM")
@click.argument("target", metavar="TO")
@lang_option
def copy(source: str, target: str, lang: str) -> None:
    """把日志 FROM 原样复制到 TO: 运行编号、时间和哈希都不变, 复制后的每条哈希链在另一边
    同样可以检查。FROM 和 TO 各是日志文件或 PostgreSQL 地址 (postgresql://用户@主机:端口/库)。
    TO 必须是新文件或空数据库; 被中断时再运行同一命令即从中断处接着复制; 不会复制两次。

    \b
    例: sop journal copy 一号案场.sqlite3 postgresql://sop@db.example.com/journal
        sop journal copy postgresql://sop@db.example.com/journal 审计副本.sqlite3"""
    from engine.journal.copy import copy_journal
    from engine.render.audit import copied

    report = None
    if sys.stderr.isatty():

        def report(done: int, total: int) -> None:
            click.echo(f"\r{COPY_PROGRESS.say(done=done, total=total)}", nl=False, err=True)

    result = copy_journal(source, target, progress=report)
    if report is not None:
        click.echo(err=True)
    click.echo(copied(source, target, result), nl=False)


COPY_PROGRESS = message(
    "copy.progress", "已复制 {done}/{total} 个事件", "{done}/{total} events copied"
)
