"""`sop report`: what runs produced — filled forms, incident reports."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from engine.cli.journal_options import (
    RUN,
    date_option,
    evidence_option,
    journal_option,
    open_journal,
    warn_damaged,
)
from engine.cli.options import lang_option
from engine.errors import EXIT_PROBLEMS, RUN_NOT_FOUND, RunError, UsageError
from engine.i18n import message, os_reason

RUN_OR_FORM = message(
    "report.run-or-form",
    "请给出运行编号 RUN, 或用 --form 指定表单 (二选一)",
    "give a run number RUN, or a form with --form (one of the two)",
)


FORM_FORMATS = message(
    "report.form-formats",
    "--form 的汇总表只有 text、md 和 json 格式, 没有 {fmt}",
    "a --form table comes as text, md or json, not {fmt}",
)
UNWRITABLE = message(
    "report.unwritable",
    "不能写入 {path}: {why}",
    "cannot write {path}: {why}",
)


@click.command(short_help="运行产生的记录和报告 / forms and incident reports from runs")
@click.argument("run_id", type=RUN, metavar="[RUN]", required=False)
@click.option(
    "--form",
    "form_id",
    default=None,
    help="把各次运行填写的此表单汇总成一张表 / one form's rows across runs",
)
@click.option(
    "--procedure",
    default=None,
    help="配合 --form: 只看此流程 (编号、标题或文件) / with --form: only this procedure",
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
@date_option("--since", "配合 --form: 开始于此日期或之后 / started on or after")
@date_option("--until", "配合 --form: 开始于此日期之前 / started before")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "md", "json", "html", "pdf"]),
    default="text",
    help="输出格式; html 和 pdf 带照片和签名的缩略图 (只用于 RUN) / output format; "
    "html and pdf show the photos and signatures (RUN only)",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="写入文件 / write to a file",
)
@journal_option
@evidence_option
@lang_option
def report(
    run_id: int | None,
    form_id: str | None,
    procedure: str | None,
    rulebook_path: str | None,
    since: str | None,
    until: str | None,
    fmt: str,
    output: str | None,
    journal_path: str | None,
    evidence: str | None,
    lang: str,
) -> None:
    """sop report RUN: 运行 RUN 填写的表单 (如《样板间客户接待记录表》); 应急流程给出
    《事故情况和处理报告》(经过、措施、通知了谁、备注)。

    sop report --form visitor_log: 各次运行填写的该表单, 汇总为一张表。
    """
    from engine.journal import Damaged, RunFilter
    from engine.journal.evidence import evidence_folder
    from engine.render.runs import render_form_table, render_report
    from engine.runtime.record import read_record, record_of

    if (run_id is None) == (form_id is None):
        raise UsageError(RUN_OR_FORM)
    if form_id is not None and fmt in ("html", "pdf"):
        raise UsageError(FORM_FORMATS, fmt=fmt)
    if procedure is not None:
        from engine.procedure_names import procedure_id

        procedure = procedure_id(procedure, rulebook_path)
    with open_journal(journal_path) as journal:
        if run_id is not None:
            record = read_record(journal, run_id)
            if record is None:
                raise RunError(RUN_NOT_FOUND, run=run_id)
            folder = evidence_folder(journal.path, evidence)
            if fmt == "json":
                data = _record_json(record, folder)
                _emit(json.dumps(data, ensure_ascii=False, indent=2) + "\n", output)
            elif fmt == "html":
                from engine.render.runs import render_report_html

                _emit(render_report_html(record, lang, folder), output)
            elif fmt == "pdf":
                from engine.render.run_pdf import render_report_pdf

                _emit(render_report_pdf(record, lang, folder), output)
            else:
                _emit(render_report(record, fmt, lang, folder), output)
            if warn_damaged(record.damaged):
                sys.exit(EXIT_PROBLEMS)
            return
        rows = journal.runs(RunFilter((), procedure, None, since, until))
        fills = []
        damaged: list[Damaged] = []
        title = form_id
        for row in reversed(rows):  # oldest first, as a paper form fills up
            if isinstance(row, Damaged):
                damaged.append(row)
                continue
            rec = record_of(journal, row, journal.read_events(row.id))
            damaged.extend(rec.damaged)
            for fill in rec.forms:
                if fill.form == form_id:
                    fills.append((rec, fill))
                    title = fill.title
    if fmt == "json":
        out = [
            {"run": rec.run.id, "at": fill.at, "fields": {f: v for f, _, v in fill.fields}}
            for rec, fill in fills
        ]
        _emit(json.dumps(out, ensure_ascii=False, indent=2) + "\n", output)
    else:
        _emit(render_form_table(str(title), fills, fmt, lang), output)
    if warn_damaged(damaged):
        sys.exit(EXIT_PROBLEMS)


def _emit(data: str | bytes, output: str | None) -> None:
    """To the file asked for, else to standard output (PDF bytes as they are)."""
    if output is not None:
        from pathlib import Path

        try:
            if isinstance(data, bytes):
                Path(output).write_bytes(data)
            else:
                Path(output).write_text(data, encoding="utf-8")
        except OSError as exc:
            raise UsageError(UNWRITABLE, path=output, why=os_reason(exc, writing=True)) from None
    elif isinstance(data, bytes):
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        click.echo(data, nl=False)


def _record_json(record: object, folder: Path | None) -> dict[str, object]:
    from engine.render.evidence import shown
    from engine.runtime.record import RunRecord, run_json

    assert isinstance(record, RunRecord)
    return {
        "run": run_json(record.run),
        "forms": [
            {
                "form": f.form,
                "title": f.title,
                "at": f.at,
                "step": f.step_title,
                "fields": [
                    {"field": fid, "label": label, "value": value} for fid, label, value in f.fields
                ],
            }
            for f in record.forms
        ],
        "actions": [{"at": e.at, "text": e.text} for e in record.actions if e.status == "done"],
        "notified": [{"at": e.at, "text": e.text} for e in record.notified],
        "deviations": [
            {
                "at": e.at,
                "step": e.step_title,
                "text": e.text,
                "status": e.status,
                "reason": e.detail,
            }
            for e in record.deviations
        ],
        "notes": [{"at": e.at, "step": e.step_title, "text": e.text} for e in record.notes],
        "evidence": [
            {
                "at": s.proof.at,
                "by": s.proof.actor,
                "step": s.proof.step_title,
                "item": s.proof.item_text,
                "evidence": s.proof.evidence,
                "signer": s.proof.signer,
                "sha256": s.proof.sha256,
                "media_type": s.proof.media_type,
                "size": s.proof.size,
                "file": s.state,
            }
            for s in shown(record.evidence, folder)
        ],
    }
