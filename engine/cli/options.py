"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def _use_lang(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from engine import i18n

    return i18n.use(value)


def lang_option(func: F) -> F:
    from engine.i18n import default_lang

    return click.option(
        "--lang",
        type=click.Choice(["zh", "en"]),
        default=default_lang,
        show_default="zh, 或 LANG 为英文时 en",
        help="消息语言 / message language",
        callback=_use_lang,
        is_eager=True,
    )(func)
