"""`sop milestone RUN NAME DATE`: give a journey milestone its date."""

from __future__ import annotations

import click

from engine.cli.journal_options import RUN, journal_option, open_journal
from engine.cli.options import lang_option


@click.command(short_help="记录旅程里程碑日期 / record a journey milestone's date")
@click.argument("run_id", metavar="RUN", type=RUN)
@click.argument("name")
@click.argument("when", metavar="DATE")
@click.option("--operator", default=None, help="记录人 (记入日志) / who records it")
@journal_option
@lang_option
def milestone(
    run_id: int, name: str, when: str, operator: str | None, journal_path: str | None, lang: str
) -> None:
    """为运行 RUN 记录里程碑 NAME (编号或名称, 如 signed 或 签约日) 的日期 DATE
    (如 2026-11-01)。日期可以在将来 (预约的签约日、计划交付日、保修期届满日):
    在它之前到期的触点 (due: before) 会按它计算。再次记录即更正。

    \b
    例: sop milestone 12 signed 2026-11-01
        sop milestone 12 交付日 2027-06-30"""
    from engine.runtime.milestones import record_milestone
    from engine.runtime.runner import system_clock
    from engine.runtime.texts import text

    with open_journal(journal_path, write=True) as journal:
        active, given = record_milestone(journal, run_id, name, when, system_clock, operator)
    planned = text("planned", lang) if given.planned else ""
    click.echo(text("milestone", lang, title=given.title, date=given.date, planned=planned))
    if isinstance(given.corrects, str) and given.corrects:
        click.echo(text("milestone_was", lang, before=given.corrects[:10]))
    st = active.state
    for d in given.dues or ():
        if d.get("kind") == "due":
            click.echo(
                text("milestone_next", lang, title=d["title"], date=d["due"], text=d["text"])
            )
    if not given.dues and st.top.step is not None:
        click.echo(text("milestone_at", lang, title=st.top.current.title))
