"""`sop show RUN`: a run's timeline — who, when, which step, every answer."""

from __future__ import annotations

import sys

import click

from engine.cli.journal_options import (
    RUN,
    format_option,
    journal_option,
    open_journal,
    warn_damaged,
)
from engine.cli.options import lang_option
from engine.errors import EXIT_PROBLEMS, RUN_NOT_FOUND, RunError
from engine.screen import json_text


@click.command(short_help="显示一次运行的经过 / show a run's timeline")
@click.argument("run_id", type=RUN, metavar="RUN")
@click.option(
    "--events/--no-events",
    default=None,
    help="逐条列出事件 (旅程默认只列阶段和触点) / list every event "
    "(a journey lists its stages and touchpoints by default)",
)
@journal_option
@format_option
@lang_option
def show(run_id: int, events: bool | None, journal_path: str | None, fmt: str, lang: str) -> None:
    """显示运行 RUN 的经过: 谁、何时、在哪一步、每个回答、备注,
    以及偏差 (跳过或未完成的项及原因)。客户旅程 (journey) 按阶段列出每个触点:
    已完成、今天到期、已超时、等待中和尚未到的, 以及各里程碑日期。"""
    from datetime import datetime

    from engine.journal import Event
    from engine.render.runs import render_show
    from engine.runtime.record import damage_json, event_json, read_record, run_json
    from engine.runtime.recorder import load_run
    from engine.runtime.timeline import journey_timeline

    with open_journal(journal_path) as journal:
        record = read_record(journal, run_id)
        if record is None:
            raise RunError(RUN_NOT_FOUND, run=run_id)
        timeline = None
        if record.run.kind == "journey" and not record.damaged:
            active = load_run(journal, run_id)
            assert active is not None
            now = datetime.now().astimezone()
            timeline = journey_timeline(
                active.pinned.rulebook, active.state, journal.events(run_id), now
            )
        if fmt == "json":
            out = {
                "run": run_json(record.run),
                "events": [
                    event_json(e) if isinstance(e, Event) else {"damaged": damage_json(e)}
                    for e in journal.read_events(run_id)
                ],
                "deviations": [
                    {
                        "seq": e.seq,
                        "at": e.at,
                        "step": e.step,
                        "kind": e.kind,
                        "text": e.text,
                        "status": e.final,
                        "reason": e.final_reason,
                        "corrected_from": e.status if e.fixed else None,
                    }
                    for e in record.deviations
                ],
            }
            if timeline is not None:
                out["journey"] = timeline.as_json()
            click.echo(json_text(out))
    if fmt != "json":
        full = events if events is not None else timeline is None
        click.echo(render_show(record, lang, timeline, full), nl=False)
    if warn_damaged(record.damaged):
        sys.exit(EXIT_PROBLEMS)
