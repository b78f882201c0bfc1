"""`sop runs`: the runs in the journal, newest first."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from engine import i18n
from engine.cli.journal_options import (
    date_option,
    format_option,
    journal_option,
    open_journal,
    warn_damaged,
)
from engine.cli.options import lang_option
from engine.errors import EXIT_PROBLEMS
from engine.i18n import message, messages
from engine.screen import json_text

if TYPE_CHECKING:
    from engine.journal import Damaged, RunRow

RUNS_DAMAGED_ROW = message("runs.damaged", "已损坏: {why}", "damaged: {why}")
RUNS_HEADER = tuple(
    messages(
        "runs.column",
        {
            "run": ("编号", "run"),
            "status": ("状态", "status"),
            "procedure": ("流程", "procedure"),
            "where": ("步骤", "step"),
            "started": ("开始", "started"),
            "subject": ("客户", "customer"),
        },
    ).values()
)

STATUSES = {
    "open": ("active", "waiting"),
    "paused": ("paused",),
    "finished": ("finished",),
    "unfinished": ("active", "waiting", "paused"),
    "all": (),
}


@click.command(short_help="列出运行记录 / list runs")
@click.option(
    "--status",
    type=click.Choice(list(STATUSES)),
    default="all",
    help="open 进行中, paused 已暂停, finished 已完成, unfinished 未完成 / status",
)
@click.option(
    "--procedure",
    default=None,
    help="只看此流程 (编号、标题或文件) / only this procedure (id, title or file)",
)
@click.option(
    "--rulebook",
    "-R",
    "rulebook_path",
    type=click.Path(file_okay=False),
    metavar="DIR",
    default=None,
    help="规则手册文件夹, 用标题或文件写 --procedure 时读取 / rulebook folder "
    "(for --procedure given by title or file)",
)
@click.option("--site", default=None, help="只看此案场 / only this site")
@date_option("--since", "开始于此日期或之后 / started on or after")
@date_option("--until", "开始于此日期之前 / started before")
@click.option(
    "--limit",
    type=click.IntRange(1, 100_000),
    default=50,
    show_default=True,
    help="最多显示几个 / at most this many",
)
@journal_option
@format_option
@lang_option
def runs(
    status: str,
    procedure: str | None,
    rulebook_path: str | None,
    site: str | None,
    since: str | None,
    until: str | None,
    limit: int,
    journal_path: str | None,
    fmt: str,
    lang: str,
) -> None:
    """列出日志中的运行: 编号、状态、流程、当前步骤或结果、执行人、开始时间。"""
    from engine.journal import Damaged, RunFilter, RunRow
    from engine.runtime.record import damage_json, run_json
    from engine.runtime.texts import labels

    if procedure is not None:
        from engine.procedure_names import procedure_id

        procedure = procedure_id(procedure, rulebook_path)
    with open_journal(journal_path) as journal:
        rows = journal.runs(RunFilter(STATUSES[status], procedure, site, since, until, limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    damaged = [r for r in rows if isinstance(r, Damaged)]
    if fmt == "json":
        out = [
            run_json(r) if isinstance(r, RunRow) else {"id": r.run, "damaged": damage_json(r)}
            for r in rows
        ]
        click.echo(json_text(out))
    elif not rows:
        click.echo(labels(lang)["no_runs"])
    else:
        for line in _table(rows):
            click.echo(line)
        if more:
            click.echo(labels(lang)["more"].format(n="≥1"))
    if warn_damaged(damaged):
        sys.exit(EXIT_PROBLEMS)


def _table(rows: list[RunRow | Damaged]) -> list[str]:
    """One line a run, under a header, in columns that line up."""
    from engine.journal import Damaged as DamagedRow
    from engine.journal import describe_damage
    from engine.runtime.layout import table
    from engine.runtime.record import status_text

    cells = []
    for r in rows:
        if isinstance(r, DamagedRow):
            cells.append(
                [f"#{r.key}", RUNS_DAMAGED_ROW.say(why=describe_damage(r)), "", "", "", ""]
            )
            continue
        where = r.step_title or ""  # a finished run's last step says how it ended
        started = r.started_at[5:16].replace("T", " ")
        cells.append(
            [
                f"#{r.id}",
                status_text(r.status, i18n.current()),
                r.title,
                where,
                started,
                r.subject or "",
            ]
        )
    header = [h.say() for h in RUNS_HEADER]
    return table(header, cells, flexible=(2, 3, 5), optional=(4, 5))
