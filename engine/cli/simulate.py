"""`sop simulate ID`: generated scenarios that take every transition, run for real."""

from __future__ import annotations

import json
import sys

import click

from engine.cli.options import lang_option
from engine.errors import EXIT_OK, EXIT_PROBLEMS, UsageError
from engine.i18n import message

PROCEDURE_OR_ALL = message(
    "simulate.procedure-or-all",
    "请给出流程编号, 或用 --all 模拟所有流程 (二选一)",
    "give a procedure id, or --all to simulate every procedure (one of the two)",
)


@click.command(short_help="生成场景走遍每条转移 / simulate every path")
@click.argument("procedure", required=False)
@click.option("--all", "every", is_flag=True, help="模拟所有流程 / every procedure")
@click.option(
    "--rulebook",
    "-R",
    type=click.Path(file_okay=False),
    metavar="DIR",
    default=None,
    help="规则手册文件夹 (默认 ./sops 或内置) / rulebook folder",
)
@click.option(
    "--save",
    type=click.Path(file_okay=False),
    metavar="DIR",
    default=None,
    help="把生成的场景存为 YAML (可用于 sop run --answers) / save the scenarios",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    help="输出格式 / output format",
)
@lang_option
def simulate(
    procedure: str | None, every: bool, rulebook: str | None, save: str | None, fmt: str, lang: str
) -> None:
    """为流程生成一组场景, 合起来走遍每一条转移 (next 的每个分支、每个选项), 用与员工相同的
    运行器逐个执行 (内存中的日志), 并报告覆盖率。任何输入组合下有步骤走不到结束, 或有转移
    走不到, 都算失败 (退出码 1)。"""
    from engine import resources
    from engine.runtime.pinning import pin
    from engine.runtime.runner import runnable_procedure
    from engine.runtime.simulate import save_scenarios, simulate, summary_json, summary_text

    if (procedure is None) == (not every):
        raise UsageError(PROCEDURE_OR_ALL)
    pinned = pin(rulebook or str(resources.default_rulebook()))
    # A code of conduct (rules only) has nothing to walk: --all passes it by.
    procs = pinned.rulebook.procedures
    if every:
        ids = sorted(p for p in procs if procs[p].runnable)
    else:  # by id, file or title; an unknown one: did you mean
        ids = [runnable_procedure(pinned, str(procedure)).id]
    results = [simulate(pinned, pid) for pid in ids]
    if save:
        for sim in results:
            save_scenarios(sim, save)
    if fmt == "json":
        click.echo(
            json.dumps([summary_json(s, pinned) for s in results], ensure_ascii=False, indent=2)
        )
    else:
        for sim in results:
            click.echo(summary_text(sim, pinned, lang))
    sys.exit(EXIT_OK if all(s.ok for s in results) else EXIT_PROBLEMS)
