"""`sop run ID`: walk through a procedure, step by step, journaling every answer."""

from __future__ import annotations

import sys

import click

from engine.cli.journal_options import evidence_option, journal_option, open_journal
from engine.cli.options import lang_option
from engine.errors import EXIT_OK, UsageError
from engine.i18n import message

BAD_PAIR = message(
    "run.bad-pair",
    '{option} 应写成 名称=值, 如 {option} {example} (收到 "{value}")',
    '{option} is written NAME=VALUE, such as {option} {example} (not "{value}")',
)


def parse_sets(
    pairs: tuple[str, ...], option: str = "--set", example: str = "returning=true"
) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(BAD_PAIR, option=option, example=example, value=pair)
        out[name.strip()] = value
    return out


def exit_code(status: str, how: str) -> int:
    """0, or for a run a signal paused 128 + the signal (130 for Ctrl-C)."""
    from engine.runtime.interrupts import exit_status

    signalled = exit_status(how) if status == "paused" else None
    return signalled if signalled is not None else EXIT_OK


@click.command(short_help="按步骤执行流程 / walk through a procedure")
@click.argument("procedure")
@click.option(
    "--rulebook",
    "-R",
    type=click.Path(file_okay=False),
    metavar="DIR",
    default=None,
    help="规则手册文件夹 (默认 ./sops 或内置) / rulebook folder",
)
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="NAME=VALUE",
    help="预先回答输入项, 可重复 / answer an input in advance (repeatable)",
)
@click.option(
    "--milestone",
    "milestones",
    multiple=True,
    metavar="NAME=DATE",
    help="旅程: 预先记录里程碑日期 (可为计划日期), 可重复, 如 --milestone 交付日=2027-06-30 / "
    "journeys: a milestone's date, repeatable",
)
@click.option(
    "--for",
    "occurrence",
    default=None,
    metavar="DATE[THH:MM]",
    help="例行工作: 这次运行是哪一次安排的, 如 --for 2026-12-25 或 --for 2026-12-02T10:30 "
    "(默认: 现在所在的那一次) / scheduled procedures: the occurrence this run is for",
)
@click.option(
    "--entry",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="规则表: 直接打开序号为 N 的条目 (不用查找) / rule tables: open entry number N",
)
@click.option("--operator", default=None, help="执行人 (记入日志) / who is doing it")
@click.option("--site", default=None, help="案场 (记入日志) / the site")
@click.option(
    "--answers",
    type=click.Path(dir_okay=False, exists=True),
    metavar="FILE",
    default=None,
    help="用场景文件回答 (测试、培训) / answer from a scenario file",
)
@click.option("--color/--no-color", default=None, help="彩色输出 (默认: 终端时) / colour")
@journal_option
@evidence_option
@lang_option
def run(
    procedure: str,
    rulebook: str | None,
    sets: tuple[str, ...],
    milestones: tuple[str, ...],
    occurrence: str | None,
    entry: int | None,
    operator: str | None,
    site: str | None,
    answers: str | None,
    color: bool | None,
    journal_path: str | None,
    evidence: str | None,
    lang: str,
) -> None:
    """逐步执行流程 PROCEDURE: 每一步显示岗位、话术、检查项和要记录的内容,
    每个回答在下一个问题出现前写入日志。任何提问处: ! 紧急情况, p 暂停, n 备注, ? 帮助。
    """
    from engine import resources
    from engine.cli.signals import Interrupts
    from engine.runtime.scenario import load_scenario
    from engine.runtime.session import Console, run_procedure

    preset = parse_sets(sets)
    dates = parse_sets(milestones, "--milestone", "signed=2026-11-01")
    scenario = load_scenario(answers) if answers else None
    folder = rulebook or str(resources.default_rulebook())
    tty = sys.stdin.isatty() and sys.stdout.isatty()
    console = Console(sys.stdout, sys.stdin, tty if color is None else color, lang)
    with Interrupts(), open_journal(journal_path, write=True) as journal:
        outcome = run_procedure(
            journal,
            console,
            folder,
            procedure,
            preset,
            operator,
            site,
            scenario,
            dates,
            occurrence,
            entry,
            evidence,
        )
    sys.exit(exit_code(outcome.status, outcome.how))
