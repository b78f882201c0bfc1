"""What a person meets before a command even runs — a missing argument, an
unknown option or command, a value not offered — and `sop list` are in the
chosen language, golden in both."""

from __future__ import annotations

import pytest

from tests.runtime_support import sop_in_process

CASES = [
    (
        ["show"],
        "用法: sop show [OPTIONS] RUN\n用 'sop show --help' 查看帮助。\n\n错误: 缺少参数 'RUN'.\n",
        "Usage: sop show [OPTIONS] RUN\nTry 'sop show --help' for help.\n\n"
        "Error: Missing argument 'RUN'.\n",
    ),
    (
        ["shw"],
        "用法: sop [OPTIONS] COMMAND [ARGS]...\n用 'sop --help' 查看帮助。\n\n"
        '错误: 没有命令 "shw"。是不是 "show"? 用 sop --help 查看所有命令\n',
        "Usage: sop [OPTIONS] COMMAND [ARGS]...\nTry 'sop --help' for help.\n\n"
        'Error: no command "shw". did you mean "show"? see every command with: sop --help\n',
    ),
    (
        ["runs", "--status", "x"],
        "用法: sop runs [OPTIONS]\n用 'sop runs --help' 查看帮助。\n\n"
        "错误: '--status' 的值不对: 'x' 不是可选的值, 可选: "
        "'open', 'paused', 'finished', 'unfinished', 'all'。\n",
        "Usage: sop runs [OPTIONS]\nTry 'sop runs --help' for help.\n\n"
        "Error: Invalid value for '--status': 'x' is not one of "
        "'open', 'paused', 'finished', 'unfinished', 'all'.\n",
    ),
    (
        ["show", "x"],
        "用法: sop show [OPTIONS] RUN\n用 'sop show --help' 查看帮助。\n\n"
        "错误: 'RUN' 的值不对: 运行编号应是正整数, 如 3, 而不是 \"x\"。用 sop runs 查看所有运行\n",
        "Usage: sop show [OPTIONS] RUN\nTry 'sop show --help' for help.\n\n"
        "Error: Invalid value for 'RUN': a run is numbered with a whole number from 1, "
        'such as 3, not "x". list the runs with: sop runs\n',
    ),
    (
        ["runs", "--sttus", "open"],
        "用法: sop runs [OPTIONS]\n用 'sop runs --help' 查看帮助。\n\n"
        "错误: 没有选项 '--sttus'。 (是不是其中之一: '--site', '--status'?)\n",
        "Usage: sop runs [OPTIONS]\nTry 'sop runs --help' for help.\n\n"
        "Error: No such option '--sttus'. (Did you mean one of: '--site', '--status'?)\n",
    ),
]


@pytest.mark.parametrize(("argv", "zh", "en"), CASES)
def test_usage_errors_in_both_languages(argv: list[str], zh: str, en: str) -> None:
    code, out = sop_in_process(*argv, "--lang", "zh")
    assert code == 2 and out == zh
    code, out = sop_in_process(*argv, "--lang", "en")
    assert code == 2 and out == en


def test_list_names_kinds_in_words() -> None:
    code, out = sop_in_process("list")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["编号", "类别", "名称", "步骤数"]
    assert any(line.split()[:2] == ["fire", "应急"] for line in lines)
    kinds = {line.split()[1] for line in lines[1:] if line.strip()}
    assert kinds <= {"应急", "服务", "例行", "情境处理", "规则表", "客户旅程"}, kinds
    code, out = sop_in_process("list", "--lang", "en")
    assert "emergency" in out and "应急" not in out


def test_every_rulebook_option_has_the_same_short_name() -> None:
    """`-R` names the rulebook wherever a command takes one (a person who
    typed `sop render … -R sops` types it for `sop run` too)."""
    import click

    from engine.cli import cli

    ctx = click.Context(cli)

    def commands(group: click.Group) -> list[click.Command]:
        found: list[click.Command] = []
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None
            found += commands(command) if isinstance(command, click.Group) else [command]
        return found

    taking = [
        (c.name, p.opts)
        for c in commands(cli)
        for p in c.params
        if isinstance(p, click.Option) and "--rulebook" in p.opts
    ]
    assert len(taking) >= 8
    assert [name for name, opts in taking if "-R" not in opts] == []
