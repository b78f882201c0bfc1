"""`sop render script|checklist|manual`: printable outputs of a rulebook."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from engine.cli.journal_options import DAY, journal_option
from engine.cli.options import lang_option
from engine.i18n import message

if TYPE_CHECKING:
    from engine.cli.output import Protected
    from engine.render import TextFormat
    from engine.render.manual import ManualFormat

F = TypeVar("F", bound=Callable[..., Any])
LOCALES = ("zh-CN", "zh-TW", "zh-HK")


PDF_NEEDS_OUTPUT = message(
    "render.pdf-needs-output",
    "PDF 请用 -o 指定输出文件",
    "give -o FILE for PDF output",
)


def _rulebook_option(func: F) -> F:
    return click.option(
        "--rulebook",
        "-R",
        "rulebook_path",
        type=click.Path(file_okay=False),
        metavar="DIR",
        help="规则手册文件夹 (默认 ./sops 或内置的) / rulebook folder",
    )(func)


def _card_options(func: F) -> F:
    options: list[Any] = [
        click.option(
            "--role",
            "-r",
            help="只看此岗位 (编号或名称, 如 showflat_host 或 样板房客服人员) / only this post",
        ),
        click.option(
            "--set",
            "sets",
            multiple=True,
            metavar="名称=值",
            help="为一位客户填入情况, 可重复 / answer an input, repeatable",
        ),
        click.option(
            "--format",
            "fmt",
            type=click.Choice(["text", "md", "html"]),
            default="text",
            show_default=True,
            help="输出格式 / output format",
        ),
        click.option(
            "--run",
            "run_id",
            type=int,
            metavar="RUN",
            help="按日志中运行 RUN 已回答的情况 (这位客户) 填入, 可与 --set 同用 / "
            "fill in with what run RUN answered (this customer)",
        ),
        journal_option,
        _locale_option,
        _output_option,
        _rulebook_option,
        lang_option,
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _locale_option(func: F) -> F:
    return click.option(
        "--locale",
        type=click.Choice(LOCALES),
        default=None,
        help="zh-TW/zh-HK 转为繁体字 (默认: 规则手册的 locale) / traditional characters",
    )(func)


def _output_option(func: F) -> F:
    return click.option(
        "-o",
        "--output",
        type=click.Path(),
        metavar="FILE",
        help="写入文件 (默认: 标准输出) / write to a file",
    )(func)


def load(rulebook_path: str | None) -> Any:
    from engine import resources
    from engine.validate import load_rulebook

    return load_rulebook(rulebook_path or resources.default_rulebook())


def guard_output(
    output: str | None,
    rulebook_path: str | os.PathLike[str] | None,
    journal_path: str | None = None,
) -> Protected:
    """What -o must not replace (the rulebook's YAML, the journal read), checked
    now, before any work, so a wrong path fails at once."""
    from engine import resources
    from engine.cli.output import check_target, protected

    protect = protected([rulebook_path or resources.default_rulebook()], journal_path)
    if output is not None:
        check_target(output, protect)
    return protect


def emit(data: str | bytes, output: str | None, protect: Protected) -> None:
    from engine.cli.output import write_output

    write_output(data, output, protect)


def _journal_read(run_id: int | None, journal_path: str | None) -> str | None:
    """The journal a card is filled from, if any."""
    if run_id is None:
        return None
    from engine.journal import resolve_journal_path

    return resolve_journal_path(journal_path)


def _fill(
    rulebook: Any,
    pid: str | None,
    sets: tuple[str, ...],
    run_id: int | None,
    journal_path: str | None,
) -> tuple[str | None, dict[str, Any] | None]:
    """The procedure and the answers to fill a card with: a run's (the
    customer it is about), then --set on top."""
    given: dict[str, Any] = {}
    if run_id is not None:
        from engine.cli.journal_options import open_journal
        from engine.errors import RUN_NOT_FOUND, RunError
        from engine.runtime.recorder import load_run

        with open_journal(journal_path) as journal:
            active = load_run(journal, run_id)
        if active is None:
            raise RunError(RUN_NOT_FOUND, run=run_id)
        pid = pid or active.state.procedure_id
        given = {k: v for k, v in active.state.frames[0].values.items() if v is not None}
    values = _sets_for(rulebook, pid, sets)
    if values is None and run_id is None:
        return pid, None
    return pid, {**given, **(values or {})}


def _sets_for(rulebook: Any, pid: str | None, sets: tuple[str, ...]) -> dict[str, Any] | None:
    if not sets:
        return None
    from engine.procedure_names import find_procedure
    from engine.render.values import parse_sets

    if pid is not None:
        inputs = rulebook.inputs_for(find_procedure(rulebook, pid))
    else:
        inputs = dict(rulebook.inputs)
        for proc in rulebook.procedures.values():
            inputs.update(proc.inputs)
    return parse_sets(sets, inputs)


@click.group(short_help="生成话术卡、检查单、手册 / render scripts, checklists, manuals")
def render() -> None:
    """生成话术卡 (script)、检查单 (checklist) 和受控手册 (manual)。"""


@render.command(short_help="话术卡 / speaking script")
@click.argument("procedure", required=False)
@_card_options
def script(
    procedure: str | None,
    role: str | None,
    sets: tuple[str, ...],
    fmt: str,
    run_id: int | None,
    journal_path: str | None,
    locale: str | None,
    output: str | None,
    rulebook_path: str | None,
    lang: str,
) -> None:
    """话术卡: 按步骤顺序列出每个岗位要说的话 (写明适用条件) 和要填写的表单。

    用 --set 为一位客户填入情况 (如 --set surname=王 --set returning=true),
    只显示适用的话; 用 --run 按日志中这位客户的运行填入
    (短信、电话模板即成为要发的原文)。不写 PROCEDURE 而用 --role 时, 列出该岗位在所有流程中的话术。
    """
    from engine.render.script import render_script

    protect = guard_output(output, rulebook_path, _journal_read(run_id, journal_path))
    rulebook = load(rulebook_path)
    procedure, values = _fill(rulebook, procedure, sets, run_id, journal_path)
    emit(
        render_script(
            rulebook,
            procedure,
            role=role,
            sets=values,
            fmt=cast("TextFormat", fmt),
            locale=locale or rulebook.locale,
        ),
        output,
        protect,
    )


@render.command(short_help="检查单 / checklist")
@click.argument("procedure", required=False)
@click.option(
    "--date",
    "day",
    type=DAY,
    default=None,
    metavar="YYYY-MM-DD",
    help="这一天的例行工作 (按时间安排): 时刻、事项; 可与 --role 同用 / "
    "the day's scheduled duties, with their times",
)
@_card_options
def checklist(
    procedure: str | None,
    day: date | None,
    role: str | None,
    sets: tuple[str, ...],
    fmt: str,
    run_id: int | None,
    journal_path: str | None,
    locale: str | None,
    output: str | None,
    rulebook_path: str | None,
    lang: str,
) -> None:
    """检查单: 每步的 □ 事项 (关键项标 ★)、条件、时限和定期提醒、要填的记录。

    不写 PROCEDURE 而用 --role 时, 生成该岗位的每日工作卡 (所有流程, 例行工作按时刻在前)。
    用 --date 时, 列出这一天按时间安排 (schedule) 要做的例行工作和各自的时刻。
    """
    from engine.render.checklist import render_checklist

    protect = guard_output(output, rulebook_path, _journal_read(run_id, journal_path))
    rulebook = load(rulebook_path)
    procedure, values = _fill(rulebook, procedure, sets, run_id, journal_path)
    emit(
        render_checklist(
            rulebook,
            procedure,
            role=role,
            sets=values,
            fmt=cast("TextFormat", fmt),
            locale=locale or rulebook.locale,
            day=day,
        ),
        output,
        protect,
    )


@render.command(short_help="受控手册 (HTML/PDF/Markdown) / the controlled manual")
@click.argument("path", required=False, type=click.Path(file_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "pdf", "md"]),
    default="html",
    show_default=True,
    help="输出格式 / output format",
)
@_locale_option
@_output_option
@lang_option
def manual(path: str | None, fmt: str, locale: str | None, output: str | None, lang: str) -> None:
    """整本规则手册的受控手册: 封面、目录、每个流程的文件控制表、目的、范围、启动条件、
    岗位职责、流程图、作业步骤、空白表单、修订记录, 以及岗位索引和表单一览。

    PDF 为 A4, 嵌入中文字体 (没有安装中文字体的电脑也能正确显示), 必须用 -o 指定文件。
    """
    from engine.errors import UsageError
    from engine.render.manual import render_manual

    if fmt == "pdf" and output is None and sys.stdout.isatty():
        raise UsageError(PDF_NEEDS_OUTPUT)
    protect = guard_output(output, path)
    rulebook = load(path)
    # A bar on the terminal while the PDF is laid out (it takes seconds); none
    # when stderr is a file or a pipe.
    bar = LayoutBar() if fmt == "pdf" and sys.stderr.isatty() else None
    try:
        data = render_manual(
            rulebook,
            cast("ManualFormat", fmt),
            locale or rulebook.locale,
            warn=lambda message: click.echo(message, err=True),
            progress=bar,
        )
    finally:
        if bar is not None:
            bar.close()
    emit(data if fmt == "pdf" else data.decode("utf-8"), output, protect)


LAYING_OUT = message("render.pdf-progress", "排版", "laying out")


class LayoutBar:
    """click's progress bar on stderr, made when the size of the work is known."""

    def __init__(self) -> None:
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(
                length=max(total, 1),
                label=LAYING_OUT.say(),
                # The bar's own carriage returns and cursor codes must reach the
                # terminal, so it writes beneath the boundary (engine/screen.py)
                # that shows control characters as pictures; only our label and
                # numbers pass through it, never data.
                file=cast(Any, getattr(sys.stderr, "raw", sys.stderr)),
                show_eta=True,
                show_percent=True,
            )
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
