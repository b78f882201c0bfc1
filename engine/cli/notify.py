"""`sop notify`: send what is due, overdue and escalated (run it from cron
or a systemd timer: docs/notify.md)."""

from __future__ import annotations

import sys
from datetime import datetime

import click

from engine.cli.journal_options import journal_option, open_journal, warn_damaged
from engine.cli.options import lang_option
from engine.errors import EXIT_PROBLEMS, UsageError
from engine.i18n import Lang, message

BAD_MOMENT = message(
    "notify.bad-at",
    '"{value}" 不是时刻。请写成 2026-11-10T09:00 或 2026-11-10',
    '"{value}" is not a moment. write it as 2026-11-10T09:00 or 2026-11-10',
)


def _moment(value: str | None) -> datetime:
    if value is None:
        return datetime.now().astimezone()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(BAD_MOMENT, value=value) from None
    return moment if moment.tzinfo is not None else moment.astimezone()


@click.command(short_help="发出到期提醒和超时升级 / send reminders and escalations")
@click.option(
    "--settings",
    metavar="FILE",
    default=None,
    help="通知设置: 渠道和各案场岗位的联系方式 (默认环境变量 SOP_NOTIFY) / "
    "the channels and whom each role is at each site (default: SOP_NOTIFY)",
)
@click.option(
    "--at",
    "at",
    metavar="YYYY-MM-DDTHH:MM",
    default=None,
    help="以这一时刻为准 (默认现在) / as of this moment (default now)",
)
@click.option(
    "--dry-run", is_flag=True, help="只列出将发送的, 不发送也不记录 / list only, send nothing"
)
@journal_option
@lang_option
def notify(
    settings: str | None, at: str | None, dry_run: bool, journal_path: str | None, lang: str
) -> None:
    """把已到期、已超时和需要升级的事项发给相关的人: 负责此步的岗位在到期时收到提醒,
    期限过后按规则手册中 escalate 的各级依次告诉下一个岗位。经企业微信群机器人、
    短信网关、电子邮件或本地发件箱文件发送, 每条消息先记入日志再发送, 不会重复发送;
    发送失败的稍后重试。请由 cron 或 systemd 定时器每隔几分钟运行一次 (见 docs/notify.md)。"""
    from engine.notify.send import notify as send_all
    from engine.notify.settings import load_settings
    from engine.render.notify import as_text
    from engine.runtime.layout import WIDTH, columns

    said: Lang = "en" if lang == "en" else "zh"
    loaded = load_settings(settings)
    now = _moment(at)
    with open_journal(journal_path, write=not dry_run) as journal:
        report = send_all(journal, loaded, now, said, dry_run=dry_run)
    click.echo(as_text(report, said, columns() if sys.stdout.isatty() else WIDTH), nl=False)
    failed = report.count("failed") + report.count("gave-up") + report.count("in-doubt")
    if warn_damaged(report.damaged) or failed:
        sys.exit(EXIT_PROBLEMS)
