"""`sop resume RUN`: continue a paused or interrupted run where it stopped."""

from __future__ import annotations

import sys

import click

from engine.cli.journal_options import RUN, evidence_option, journal_option, open_journal
from engine.cli.options import lang_option


@click.command(short_help="继续暂停的运行 / continue a paused run")
@click.argument("run_id", type=RUN, metavar="RUN")
@click.option(
    "--rulebook",
    "-R",
    type=click.Path(file_okay=False),
    metavar="DIR",
    default=None,
    help="与之比较的规则手册 (只用于提示是否已修改) / rulebook to compare with",
)
@click.option("--operator", default=None, help="执行人 / who continues it")
@click.option(
    "--answers",
    type=click.Path(dir_okay=False, exists=True),
    metavar="FILE",
    default=None,
    help="用场景文件回答 / answer from a scenario file",
)
@click.option("--color/--no-color", default=None, help="彩色输出 / colour")
@journal_option
@evidence_option
@lang_option
def resume(
    run_id: int,
    rulebook: str | None,
    operator: str | None,
    answers: str | None,
    color: bool | None,
    journal_path: str | None,
    evidence: str | None,
    lang: str,
) -> None:
    """继续运行 RUN (暂停、中断或被关闭的): 从它停下的那一步、那一个问题继续,
    使用运行开始时的规则手册版本。"""
    from engine.cli.run import exit_code
    from engine.cli.signals import Interrupts
    from engine.runtime.scenario import load_scenario
    from engine.runtime.session import Console, resume_run

    scenario = load_scenario(answers) if answers else None
    tty = sys.stdin.isatty() and sys.stdout.isatty()
    console = Console(sys.stdout, sys.stdin, tty if color is None else color, lang)
    with Interrupts(), open_journal(journal_path, write=True) as journal:
        outcome = resume_run(journal, console, run_id, rulebook, operator, scenario, evidence)
    sys.exit(exit_code(outcome.status, outcome.how))
