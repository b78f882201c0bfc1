"""`sop validate [PATH...]`."""

from __future__ import annotations

import sys

import click

from engine.cli.options import lang_option
from engine.errors import EXIT_OK, EXIT_PROBLEMS


@click.command(short_help="检查规则手册 / validate a rulebook")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    help="输出格式 / output format",
)
@click.option("--strict", is_flag=True, help="警告也算失败 / fail on warnings too")
@click.option("--no-cache", is_flag=True, help="不使用缓存 / do not use the result cache")
@click.option("--color/--no-color", default=None, help="彩色输出 (默认: 终端时) / colour output")
@click.option(
    "--max-file-size",
    type=click.IntRange(min=1),
    default=1024 * 1024,
    show_default=True,
    help="单个文件的字节上限 / largest file accepted, in bytes",
)
@lang_option
def validate(
    paths: tuple[str, ...],
    fmt: str,
    strict: bool,
    no_cache: bool,
    color: bool | None,
    max_file_size: int,
    lang: str,
) -> None:
    """检查流程文件和 rulebook.yaml, 报告每个问题的 文件:行:列。

    PATH 可以是文件或文件夹; 不写时检查 ./sops (若存在) 或内置的规则手册。
    退出码: 0 无错误, 1 有问题, 2 用法错误, 3 内部错误。
    """
    from engine import cache, resources, screen

    targets = list(paths) or [resources.default_rulebook_dir()]
    use_color = sys.stdout.isatty() if color is None else color
    options = f"{fmt}|{lang}|{strict}|{use_color}|{max_file_size}"
    key = None if no_cache else cache.key_for(targets, options)
    hit = cache.get(key)
    if hit is not None:
        screen.write_replay(sys.stdout, hit[0])
        sys.exit(hit[1])

    from engine.report import render_github, render_json, render_text
    from engine.validate import validate_paths

    result = validate_paths(targets, max_file_size, build=False)
    if fmt == "json":
        out = render_json(result, lang)
    elif fmt == "github":
        out = render_github(result, lang)
    else:
        out = render_text(result, lang, color=use_color)
    failed = result.errors > 0 or (strict and result.warnings > 0)
    code = EXIT_PROBLEMS if failed else EXIT_OK
    # Cached as the terminal is to see it (our colours as SGR codes, the
    # rulebook's control characters already visible), and replayed as such.
    shown = screen.for_terminal(out)
    cache.put(key, shown, code)
    screen.write_replay(sys.stdout, shown)
    sys.exit(code)
