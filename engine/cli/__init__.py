"""The `sop` command line. Commands are imported only when run, so that
`sop --version` and cached `sop validate` cost little more than click."""

# ruff: noqa: E402 (the SIGINT handler is set before anything slow is imported)

from __future__ import annotations

# Ctrl-C while Python is still importing the program ends it quietly, not
# with a traceback; main() takes over once it runs. (`_signal`, the module
# built into the interpreter and already loaded, so that this comes first.)
import _signal  # type: ignore[import-not-found]


def _leave(signum: int, frame: object) -> None:
    raise SystemExit(130)


_signal.signal(_signal.SIGINT, _leave)

import contextlib
import importlib
import os
import signal
import sys
from typing import Any

import click

from engine import __version__, i18n, screen
from engine.errors import EXIT_INTERNAL, EXIT_PROBLEMS, SopError
from engine.runtime import interrupts

# command name -> "module:function"; each module parses its own options.
COMMANDS: dict[str, str] = {
    "validate": "engine.cli.validate:validate",
    "list": "engine.cli.listing:list_procedures",
    "render": "engine.cli.render:render",
    "graph": "engine.cli.graph:graph",
    "run": "engine.cli.run:run",
    "resume": "engine.cli.resume:resume",
    "runs": "engine.cli.runs:runs",
    "show": "engine.cli.show:show",
    "report": "engine.cli.report:report",
    "due": "engine.cli.due:due",
    "milestone": "engine.cli.milestone:milestone",
    "queue": "engine.cli.queue:queue",
    "notify": "engine.cli.notify:notify",
    "journal": "engine.cli.journal:journal",
    "simulate": "engine.cli.simulate:simulate",
    "lsp": "engine.cli.lsp:lsp",
    "serve": "engine.cli.serve:serve",
    "schema": "engine.cli.schema:schema",
}
SHORT_HELP: dict[str, str] = {
    "validate": "检查规则手册 / validate a rulebook",
    "list": "列出流程 / list procedures",
    "render": "生成话术卡、检查单、手册 / render scripts, checklists, manuals",
    "graph": "流程图 (Mermaid/DOT/SVG) / flowchart",
    "run": "按步骤执行流程 / walk through a procedure",
    "resume": "继续暂停的运行 / continue a paused run",
    "runs": "列出运行记录 / list runs",
    "show": "显示一次运行的经过 / show a run's timeline",
    "report": "运行产生的记录和报告 / forms and incident reports",
    "due": "呼叫清单: 到期的触点和期限 / the call list: what is due",
    "milestone": "记录旅程里程碑日期 / record a journey milestone's date",
    "queue": "轮序: 查看和调整 / a queue (the sales rotation)",
    "notify": "发出到期提醒和超时升级 / send reminders and escalations",
    "journal": "日志检查 (verify) / journal checks",
    "simulate": "生成场景走遍每条转移 / simulate every path",
    "lsp": "编辑器的语言服务 / language server for editors",
    "serve": "手机网页: 按步骤执行流程 / the walk-through as a web page",
    "schema": "JSON Schema 的位置 / where the JSON Schemas are",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attr = target.split(":")
        command: click.Command = getattr(importlib.import_module(module), attr)
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in COMMANDS:
            import difflib

            from engine.cli.click_text import NO_COMMAND

            near = difflib.get_close_matches(name, list(COMMANDS), n=1)
            ctx.fail(NO_COMMAND.say(name=name, near=near[0] if near else "list"))
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, SHORT_HELP.get(name, "")) for name in self.list_commands(ctx)]
        with formatter.section("命令 / Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    __version__,
    "--version",
    "-V",
    prog_name="sop",
    message="%(prog)s %(version)s",
    help="显示版本 / show the version",
)
def cli() -> None:
    """sop: 案场服务标准作业流程引擎 (a declarative SOP engine)."""


def main(argv: list[str] | None = None) -> Any:
    # Everything the program writes from here on, whatever the command,
    # goes through the terminal boundary (engine/screen.py).
    before = screen.install()
    lang = i18n.current()
    try:
        return _main(argv)
    finally:
        i18n.use(lang)  # called in a process that goes on (tests): leave it as found
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError):  # a closed terminal, a gone reader
                stream.flush()
        sys.stdout, sys.stderr = before


def _asked_lang(args: list[str]) -> str | None:
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1]
    return None


_interrupted: list[int] = []


def _interrupt(signum: int, frame: object) -> None:
    _interrupted.append(signum)
    raise KeyboardInterrupt


def _main(argv: list[str] | None) -> Any:
    from engine.cli import click_text

    click_text.install()
    _interrupted.clear()
    # The language first, so that a mistake found before the command reads
    # its own --lang (an unknown command, say) is already said in it.
    args = sys.argv[1:] if argv is None else argv
    i18n.use(_asked_lang(args) or i18n.default_lang())
    signal.signal(signal.SIGINT, _interrupt)
    try:
        return cli.main(args=argv, prog_name="sop", standalone_mode=False)
    except SopError as exc:
        click.echo(exc.message, err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, EOFError, click.Abort):
        click.echo("\n已中断 / interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        # The reader went away (`sop runs | head`): nothing left to say to it.
        # (As Python's documentation advises: point stdout at devnull so the
        # final flush does not fail again.)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno() if sys.__stdout__ else 1)
        sys.exit(1)
    except OSError as exc:
        # The machine refused a read or a write (a full disk, a folder where a
        # file was expected, no permission): not a bug, say what and where.
        from engine.cli import output

        click.echo(output.os_failure(exc).message, err=True)
        if exc.filename is None:  # standard output failed: no last flush into it
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.__stdout__.fileno() if sys.__stdout__ else 1)
        sys.exit(EXIT_PROBLEMS)
    except BaseException as exc:  # a traceback is a bug: say so, briefly, with how to report
        if isinstance(exc, SystemExit):
            raise
        if _interrupted or interrupts.seen() or interrupts.signalled(exc) is not None:
            # Ctrl-C inside a library that turned it into its own failure.
            click.echo("\n已中断 / interrupted", err=True)
            sys.exit(130)
        import traceback

        if os.environ.get("SOP_DEBUG"):
            traceback.print_exc()
        click.echo(
            f"sop: 内部错误 (internal error): {type(exc).__name__}: {exc}\n"
            "这是程序的缺陷, 请附上命令和文件报告给维护者; 设置 SOP_DEBUG=1 可看到详细信息。",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
