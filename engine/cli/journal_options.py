"""Options shared by the commands that read or write the journal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

import click

from engine.i18n import message

if TYPE_CHECKING:
    from collections.abc import Sequence

    from engine.journal import Damaged, Journal

F = TypeVar("F", bound=Callable[..., Any])

_LARGEST = 2**63 - 1  # SQLite's largest integer


class RunNumber(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.2
    """A run's number as `sop runs` lists it: a whole number from 1."""

    name = "run"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            number = value
        else:
            text = str(value).strip().lstrip("#")
            number = int(text) if text.isascii() and text.isdigit() else 0
        if not 1 <= number <= _LARGEST:
            self.fail(BAD_RUN.say(value=value), param, ctx)
        return number


BAD_RUN = message(
    "run.bad-number",
    '运行编号应是正整数, 如 3, 而不是 "{value}"。用 sop runs 查看所有运行',
    'a run is numbered with a whole number from 1, such as 3, not "{value}". '
    "list the runs with: sop runs",
)
RUN = RunNumber()


class Day(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.2
    """A calendar day written YYYY-MM-DD, within years a call list can reach."""

    name = "day"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            day = date.fromisoformat(str(value).strip())
        except ValueError:
            day = None
        if day is None or not 1900 <= day.year <= 9000:
            self.fail(BAD_DAY.say(value=value), param, ctx)
        return day


BAD_DAY = message(
    "option.bad-day",
    '日期应写成 YYYY-MM-DD (如 2026-11-01), 在 1900 年到 9000 年之间, 而不是 "{value}"',
    "a day is written YYYY-MM-DD (such as 2026-11-01), between the years 1900 and 9000, "
    'not "{value}"',
)
DAY = Day()


def journal_option(func: F) -> F:
    return click.option(
        "--journal",
        "journal_path",
        type=click.Path(dir_okay=False),
        metavar="FILE|URL",
        default=None,
        help="日志文件, 或 PostgreSQL 数据库 postgresql://用户@主机:端口/库 "
        "(默认: $SOP_JOURNAL 或用户数据目录) / journal file, or a PostgreSQL database "
        "postgresql://user@host:port/db (default: $SOP_JOURNAL or the user data folder)",
    )(func)


def open_journal(option: str | None, write: bool = False) -> Journal:
    """The journal named by `--journal`, `$SOP_JOURNAL` or the default place.
    Commands that only read open it read-only: a missing or empty file is an
    error, never created, and nothing is written. Commands that record
    (`write=True`) create it when there is none yet."""
    from engine.journal import Journal, resolve_journal_path

    journal = Journal(resolve_journal_path(option), write=write)
    if write:
        from engine.journal.copy import refuse_unfinished

        refuse_unfinished(journal)
    return journal


JOURNAL_LEFT_OUT = message(
    "journal.left-out",
    "注意: 日志中有 {count} 处记录已损坏, 没有列出或显示:",
    "note: {count} records in the journal are damaged and were left out:",
)
JOURNAL_LEFT_OUT_VERIFY = message(
    "journal.left-out-verify",
    "用 sop journal verify 查看日志还有哪些问题。",
    "see what else is wrong with: sop journal verify",
)


def warn_damaged(damaged: Sequence[Damaged]) -> bool:
    """Name on stderr what could not be read and was left out; True when
    anything was (the command then ends with exit code 1, after its output)."""
    from engine.journal import describe_damage, describe_place

    if not damaged:
        return False
    click.echo(JOURNAL_LEFT_OUT.say(count=len(damaged)), err=True)
    for d in damaged[:10]:
        click.echo(f"  - {describe_place(d)}: {describe_damage(d)}", err=True)
    click.echo(JOURNAL_LEFT_OUT_VERIFY.say(), err=True)
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
    return value.isoformat() if value is not None else None


def date_option(name: str, help_text: str) -> Callable[[F], F]:
    def decorate(func: F) -> F:
        return click.option(
            name,
            type=DAY,
            default=None,
            metavar="YYYY-MM-DD",
            callback=_date,
            help=help_text,
        )(func)

    return decorate


def evidence_option(func: F) -> F:
    return click.option(
        "--evidence",
        "evidence",
        type=click.Path(file_okay=False),
        metavar="DIR",
        default=None,
        help="存放照片和签名的文件夹 (默认: 日志旁的 journal.evidence/) / "
        "the evidence folder (default: journal.evidence/ beside the journal)",
    )(func)
