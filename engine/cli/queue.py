"""`sop queue NAME [join|leave|away|back|order NAMES…]`: a queue declared in
rulebook.yaml (the sales rotation), shown or changed."""

from __future__ import annotations

import click

from engine.cli.journal_options import format_option, journal_option, open_journal
from engine.cli.options import lang_option

ACTIONS = ("join", "leave", "away", "back", "order")


@click.command(short_help="轮序: 查看和调整 / a queue (the sales rotation)")
@click.argument("queue")
@click.argument("action", required=False, type=click.Choice(ACTIONS))
@click.argument("people", nargs=-1)
@click.option(
    "--rulebook",
    "-R",
    type=click.Path(file_okay=False),
    metavar="DIR",
    default=None,
    help="规则手册文件夹 (默认 ./sops 或内置) / rulebook folder",
)
@click.option("--operator", default=None, help="操作人 (记入日志) / who makes the change")
@click.option("--site", default=None, help="案场 (默认: 规则手册的案场) / the site")
@click.option(
    "--history",
    is_flag=True,
    help="列出轮序的全部经过 (谁、何时、做了什么) / every change, with who and when",
)
@journal_option
@format_option
@lang_option
def queue(
    queue: str,
    action: str | None,
    people: tuple[str, ...],
    rulebook: str | None,
    operator: str | None,
    site: str | None,
    history: bool,
    journal_path: str | None,
    fmt: str,
    lang: str,
) -> None:
    """显示轮序 QUEUE: 下一位、顺序、每人今日接待次数、欠补的接待、外出的人;
    或调整它 (记入日志, 连同操作人):

    \b
      join 姓名…    加入 (排在最后)
      leave 姓名…   离开
      away 姓名…    因公外出 (轮到时跳过, 保留位置; 归来后先接待)
      back 姓名…    归来
      order 姓名…   重新排序 (列出每位成员各一次)

    \b
    例: sop queue sales_rotation
        sop queue sales_rotation join 李娜 王强 --operator 张经理
        sop queue sales_rotation away 王强 --operator 张经理"""
    from engine import resources
    from engine.errors import UsageError
    from engine.render import queue as view
    from engine.runtime.queues import QUEUE_NO_NAME, change_queue, history_of
    from engine.runtime.runner import system_clock
    from engine.screen import json_text

    if action is not None and not people:
        raise UsageError(QUEUE_NO_NAME)
    folder = rulebook or str(resources.default_rulebook())
    with open_journal(journal_path, write=action is not None) as journal:
        state, declared, book, where = change_queue(
            journal, folder, queue, action, people, site, operator, system_clock
        )
        happened = history_of(journal, declared.id, where) if history else []
    if history:
        if fmt == "json":
            click.echo(json_text(view.history_json(happened)))
        else:
            for line in view.history_lines(happened, declared):
                click.echo(line)
        return
    day = system_clock().date().isoformat()
    if fmt == "json":
        click.echo(json_text(view.as_json(state, declared, day)))
        return
    for line in view.lines(state, declared, book, day):
        click.echo(line)
