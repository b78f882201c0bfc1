"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def lang_option(func: F) -> F:
    from engine.cli import default_lang

    return click.option(
        "--lang",
        type=click.Choice(["zh", "en"]),
        default=default_lang,
        show_default="zh, 或 LANG 为英文时 en",
        help="消息语言 / message language",
    )(func)
