"""Options shared by the commands that read or write the journal."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from collections.abc import Sequence

    from engine.journal import Damaged, Journal

F = TypeVar("F", bound=Callable[..., Any])


def journal_option(func: F) -> F:
    return click.option(
        "--journal",
        "journal_path",
        type=click.Path(dir_okay=False),
        default=None,
        help="日志文件 (默认: $SOP_JOURNAL 或用户数据目录) / journal file "
        "(default: $SOP_JOURNAL or the user data folder)",
    )(func)


def open_journal(option: str | None, write: bool = False) -> Journal:
    """The journal named by `--journal`, `$SOP_JOURNAL` or the default place.
    Commands that only read open it read-only: a missing or empty file is an
    error, never created, and nothing is written. Commands that record
    (`write=True`) create it when there is none yet."""
    from engine.journal import Journal, resolve_journal_path

    return Journal(resolve_journal_path(option), write=write)


def warn_damaged(damaged: Sequence[Damaged]) -> bool:
    """Name on stderr what could not be read and was left out; True when
    anything was (the command then ends with exit code 1, after its output)."""
    from engine.i18n import message
    from engine.journal import describe_damage, describe_place

    left_out = message(
        "journal.left-out",
        "注意: 日志中有 {count} 处记录已损坏, 没有列出或显示:",
        "note: {count} records in the journal are damaged and were left out:",
    )
    verify = message(
        "journal.left-out-verify",
        "用 sop journal verify 查看日志还有哪些问题。",
        "see what else is wrong with: sop journal verify",
    )
    if not damaged:
        return False
    click.echo(left_out.say(count=len(damaged)), err=True)
    for d in damaged[:10]:
        click.echo(f"  - {describe_place(d)}: {describe_damage(d)}", err=True)
    click.echo(verify.say(), err=True)
    return True


def format_option(func: F) -> F:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "json"]),
        default="text",
        help="输出格式 / output format",
    )(func)


def _date(ctx: click.Context, param: click.Parameter, value: Any) -> str | None:
    """A date option as the ISO text runs are stored with (so it compares as text)."""
    return value.date().isoformat() if value is not None else None


def date_option(name: str, help_text: str) -> Callable[[F], F]:
    def decorate(func: F) -> F:
        return click.option(
            name,
            type=click.DateTime(formats=["%Y-%m-%d"]),
            default=None,
            metavar="YYYY-MM-DD",
            callback=_date,
            help=help_text,
        )(func)

    return decorate
