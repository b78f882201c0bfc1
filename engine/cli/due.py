"""`sop due`: the call list — what is overdue, due and coming up across open runs."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from typing import Any

import click

from engine.cli.journal_options import DAY, journal_option, open_journal, warn_damaged
from engine.cli.options import lang_option
from engine.errors import EXIT_PROBLEMS
from engine.i18n import message, messages
from engine.screen import json_text


@click.command(short_help="呼叫清单: 各运行到期的触点和期限 / what is due across runs")
@click.option(
    "--at",
    "on",
    type=DAY,
    default=None,
    metavar="YYYY-MM-DD",
    help="以这一天为准 (默认今天) / as of this day (default today)",
)
@click.option(
    "--days",
    type=click.IntRange(0, 3660),
    default=7,
    show_default=True,
    help="列出之后几天内将到期的 / how many days ahead to list",
)
@click.option("--site", default=None, help="只看此案场 / only this site")
@click.option(
    "--role",
    default=None,
    help="只看此岗位 (编号或名称, 如 call_centre 或 呼叫中心) / only this role (id or title)",
)
@click.option("--overdue", is_flag=True, help="只显示已超时的 / only what is overdue")
@click.option(
    "--ahead",
    is_flag=True,
    help="另列出旅程尚未到达的触点 (里程碑日期已知时给出预计日期) / "
    "also the touchpoints a journey has not reached yet, with projected dates",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "csv"]),
    default="text",
    help="输出格式; csv 可用 Excel 打开 / output format",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    metavar="FILE",
    default=None,
    help="写入文件 (csv 带 BOM, Excel 直接打开不乱码) / write to a file",
)
@click.option(
    "--rulebook",
    "-R",
    type=click.Path(file_okay=False),
    metavar="DIR",
    default=None,
    help="列出其中例行工作 (schedule) 的安排 (默认 ./sops 或内置) / "
    "the rulebook whose schedules are listed",
)
@journal_option
@lang_option
def due(
    on: date | None,
    days: int,
    site: str | None,
    role: str | None,
    overdue: bool,
    ahead: bool,
    fmt: str,
    output: str | None,
    rulebook: str | None,
    journal_path: str | None,
    lang: str,
) -> None:
    """列出所有未结束运行中已超时、今天到期和之后几天内将到期的触点和期限,
    以及规则手册中例行工作 (schedule) 还没有开始的安排, 按日期排列, 并写明客户、
    阶段和由谁执行。旅程触点和整天的安排按日计算 (到期当天全天有效, 次日起为已超时);
    其他期限和有时刻的安排按分钟计算。"""
    from engine.collector import fewer_collections

    # A company's list is thousands of rows, items and lines that live until
    # the command ends: the collector need not re-scan them as they are made.
    with fewer_collections():
        from engine import resources
        from engine.cli.output import check_target, protected, write_output
        from engine.journal import resolve_journal_path
        from engine.render.calls import as_csv, as_json, as_text
        from engine.runtime.calls import ahead_list, call_list, check_filters, rulebook_roles
        from engine.runtime.layout import columns

        protect = protected(journal=resolve_journal_path(journal_path))
        if output is not None:
            check_target(output, protect)
        day = on
        read = _schedules(rulebook)
        plan = read.plan if read is not None else None
        with open_journal(journal_path) as journal:
            if site is not None or role is not None:
                if read is not None:
                    roles = read.roles
                else:
                    roles = rulebook_roles(resources.default_rulebook_dir())
                check_filters(journal, roles, site, role)
            listed = call_list(journal, day, days, site=site, role=role, book=plan)
            coming = ahead_list(journal, day, days, site=site, role=role) if ahead else []
        items = listed.items
        if overdue:
            items = [i for i in items if i.state == "overdue"]
        today = day or datetime.now().astimezone().date()
        if fmt == "json" and ahead:
            text = (
                json_text({"due": json.loads(as_json(items)), "ahead": _ahead_json(coming)}) + "\n"
            )
        elif fmt == "json":
            text = as_json(items) + "\n"
        elif fmt == "csv":
            text = as_csv(items, lang)
        else:
            # On a terminal, within its width; to a pipe or a file, a line an item.
            limit = columns() if output is None and sys.stdout.isatty() else None
            text = as_text(items, today, days, lang, limit)
            if ahead:
                text += _ahead_text(coming)
        # utf-8-sig: Excel on Windows reads a CSV file without the BOM as GBK.
        encoding = "utf-8-sig" if fmt == "csv" and output is not None else "utf-8"
        write_output(text, output, protect, encoding=encoding, announce=False)
        if warn_damaged(listed.damaged):
            sys.exit(EXIT_PROBLEMS)


NO_SCHEDULES = message(
    "due.no-schedules",
    "注意: 规则手册 {folder} 有错误, 没有列出例行工作的安排 (用 sop validate 查看)",
    "note: the rulebook {folder} has errors, so no scheduled duties are listed (see sop validate)",
)


def _schedules(folder: str | None) -> Any:
    """The rulebook whose schedules the list shows. The default one, when
    broken, leaves them out with a note (the runs' deadlines still list);
    one named with --rulebook must load."""
    from engine import resources
    from engine.cache import duties
    from engine.errors import SopError

    if folder is not None:
        return duties(folder)
    default = resources.default_rulebook_dir()
    try:
        return duties(default)
    except SopError:
        click.echo(NO_SCHEDULES.say(folder=default), err=True)
        return None


AHEAD = messages(
    "due.ahead",
    {
        "title": (
            "旅程尚未到达的触点 (预计)",
            "touchpoints journeys have not reached yet (projected)",
        ),
        "none": ("没有。", "none."),
        "waits": ("待{anchor}确定", "when {anchor} is known"),
    },
)


def _ahead_text(coming: list[Any]) -> str:
    from engine.runtime.layout import table

    lines = ["", AHEAD["title"].say()]
    if not coming:
        return "\n".join([*lines, "  " + AHEAD["none"].say()]) + "\n"
    rows = [
        [
            a.when.isoformat() if a.when else AHEAD["waits"].say(anchor=a.anchor),
            f"#{a.run}",
            a.subject or "—",
            " · ".join(p for p in (a.stage, a.step_title) if p),
            a.rule,
            a.role_title or "",
        ]
        for a in coming
    ]
    body = table(["", "", "", "", "", ""], rows, flexible=(2, 3, 5), optional=(5,))[1:]
    return "\n".join([*lines, *("  " + line for line in body)]) + "\n"


def _ahead_json(coming: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "run": a.run,
            "customer": a.subject,
            "site": a.site,
            "procedure": a.procedure_title,
            "stage": a.stage,
            "step": a.step_title,
            "role": a.role_title,
            "rule": a.rule,
            "waits_for": a.anchor if a.when is None else None,
            "projected": a.when.isoformat() if a.when else None,
        }
        for a in coming
    ]
