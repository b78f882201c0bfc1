"""`sop due`: deadlines and reminders across all open runs."""

from __future__ import annotations

import json
import sys

import click

from engine.cli.journal_options import format_option, journal_option, open_journal
from engine.cli.options import lang_option


@click.command(short_help="各运行的期限和提醒 / what is due across runs")
@click.option("--overdue", is_flag=True, help="只显示已超时的 / only what is overdue")
@journal_option
@format_option
@lang_option
def due(overdue: bool, journal_path: str | None, fmt: str, lang: str) -> None:
    """列出所有未结束运行的期限 (within/at/due) 和定期提醒 (every), 已超时的在前。"""
    from datetime import datetime

    from engine.runtime.dues import reminders
    from engine.runtime.terminal import Printer
    from engine.runtime.texts import labels

    now = datetime.now().astimezone()
    with open_journal(journal_path) as journal:
        rows = journal.with_dues()
        # Every run counts as "mine" here: the run is named on each line already.
        found = reminders(rows, now, {r.id for r in rows}, everything=True)
    if overdue:
        found = [r for r in found if r.overdue and r.kind != "every"]
    if fmt == "json":
        out = [
            {
                "run": r.run,
                "procedure": r.procedure_title,
                "step": r.step_title,
                "kind": r.kind,
                "text": r.text,
                "at": r.at.isoformat(),
                "overdue": r.overdue,
            }
            for r in found
        ]
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo(labels(lang)["no_dues"])
        return
    printer = Printer(sys.stdout, lang=lang)
    for r in found:
        click.echo(f"#{r.run:<5} {r.procedure_title} · {printer.reminder_line(r, now)}")
