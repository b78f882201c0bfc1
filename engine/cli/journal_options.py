"""Options shared by the commands that read or write the journal."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from engine.journal import Journal

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


def open_journal(option: str | None, must_exist: bool = False) -> Journal:
    import os

    from engine.errors import JOURNAL_MISSING, JournalError
    from engine.journal import Journal, resolve_journal_path

    path = resolve_journal_path(option)
    if must_exist and path != ":memory:" and not os.path.exists(path):
        raise JournalError(JOURNAL_MISSING, path=path)
    return Journal(path)


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
