"""`sop show RUN`: a run's timeline — who, when, which step, every answer."""

from __future__ import annotations

import json

import click

from engine.cli.journal_options import format_option, journal_option, open_journal
from engine.cli.options import lang_option
from engine.errors import RunError


@click.command(short_help="显示一次运行的经过 / show a run's timeline")
@click.argument("run_id", type=int, metavar="RUN")
@journal_option
@format_option
@lang_option
def show(run_id: int, journal_path: str | None, fmt: str, lang: str) -> None:
    """显示运行 RUN 的经过: 谁、何时、在哪一步、每个回答、备注,
    以及偏差 (跳过或未完成的项及原因)。"""
    from engine.runtime.record import event_json, read_record, run_json
    from engine.runtime.report import render_show

    with open_journal(journal_path, must_exist=True) as journal:
        record = read_record(journal, run_id)
        if record is None:
            raise RunError(f"日志中没有运行 {run_id}。用 sop runs 查看所有运行")
        if fmt == "json":
            out = {
                "run": run_json(record.run),
                "events": [event_json(e) for e in journal.events(run_id)],
                "deviations": [
                    {
                        "seq": e.seq,
                        "at": e.at,
                        "step": e.step,
                        "kind": e.kind,
                        "text": e.text,
                        "status": e.status,
                        "reason": e.detail,
                    }
                    for e in record.deviations
                ],
            }
            click.echo(json.dumps(out, ensure_ascii=False, indent=2))
            return
    click.echo(render_show(record, lang), nl=False)
