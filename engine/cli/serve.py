"""`sop serve`: the walk-through as a web page for phones (the `sop[web]` extra),
and `sop serve users add`: the people who may sign in."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any, TypeVar

import click

from engine.cli.journal_options import evidence_option, journal_option
from engine.errors import UsageError
from engine.i18n import message

MISSING = message(
    "serve.missing-extra",
    "sop serve 需要可选组件 web (Starlette, uvicorn): "
    "在安装 sop 的环境中运行 pip install 'sop[web]' (从源码目录安装时: pip install '.[web]')",
    "sop serve needs the optional web extra (Starlette, uvicorn): install it into sop's "
    "environment with pip install 'sop[web]' (from a source checkout: pip install '.[web]')",
)
OPEN_HOST = message(
    "serve.open-host",
    "不登录的网页只能在本机使用 (--host 127.0.0.1); 在 {host} 上提供服务时请用 --users 指定用户文件"
    " (用 sop serve users add 建立)",
    "pages without sign-in are served on this machine only (--host 127.0.0.1); to serve on "
    "{host}, give a users file with --users (made with sop serve users add)",
)
MISMATCH = message(
    "serve.password-mismatch",
    "两次输入的密码不一致",
    "the two passwords differ",
)
ADDED = message(
    "serve.user-added",
    "已加入 {name} ({level}, 案场: {sites}) 到 {path}",
    "added {name} ({level}, sites: {sites}) to {path}",
)


F = TypeVar("F", bound=Callable[..., Any])


def _users_option(required: bool) -> Callable[[F], F]:
    return click.option(
        "--users",
        "users",
        type=click.Path(dir_okay=False),
        metavar="FILE",
        required=required,
        default=None,
        help="用户文件 (姓名、案场、岗位、密码的哈希) / the users file",
    )


def _need_extra() -> None:
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        raise UsageError(MISSING) from None


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.group(
    invoke_without_command=True,
    short_help="手机网页: 按步骤执行流程 / the walk-through as a web page",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址 / address")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="端口 / port"
)
@click.option(
    "--rulebook",
    "-R",
    type=click.Path(file_okay=False),
    metavar="DIR",
    default=None,
    help="规则手册文件夹 (默认 ./sops 或内置) / rulebook folder",
)
@_users_option(required=False)
@click.option(
    "--secure-cookies/--no-secure-cookies",
    default=False,
    help="只通过 HTTPS 发送登录 cookie (在 HTTPS 反向代理之后使用) / cookies over HTTPS only",
)
@journal_option
@evidence_option
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    rulebook: str | None,
    users: str | None,
    secure_cookies: bool,
    journal_path: str | None,
    evidence: str | None,
) -> None:
    """在网页上按步骤执行流程 (手机屏幕, 不需要 JavaScript): 一页一步, 每个回答在下一页出现前
    写入日志; 暂停的运行可以继续; 每页都有紧急情况按钮。员工用 --users 文件中的姓名和密码登录,
    日志记下的执行人就是登录的人。需要可选组件: pip install 'sop[web]'。"""
    if ctx.invoked_subcommand is not None:
        return
    _need_extra()
    if users is None and not _loopback(host):
        raise UsageError(OPEN_HOST, host=host)
    import uvicorn

    from engine import resources
    from engine.cli.journal_options import open_journal
    from engine.journal import resolve_journal_path
    from engine.serve.app import Settings, create_app

    target = resolve_journal_path(journal_path)
    with open_journal(journal_path, write=True):
        pass  # created (or refused) here, with the CLI's messages, before serving
    folder = rulebook or str(resources.default_rulebook())
    settings = Settings(
        journal=target,
        rulebook=folder,
        users=users,
        secure_cookies=secure_cookies,
        evidence=evidence,
    )
    app = create_app(settings)
    click.echo(f"sop serve: http://{host}:{port}/", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)


@serve.group(short_help="登录的用户 / the people who may sign in")
def users() -> None:
    """登录 sop serve 的用户: 姓名、案场、岗位和密码 (只保存 argon2 哈希)。"""


@users.command("add", short_help="加入或更新一个人 / add or update a person")
@click.argument("name")
@click.option("--site", "sites", multiple=True, help="案场, 区域经理可写多个 / site (repeatable)")
@click.option("--role", "roles", multiple=True, help="岗位 (规则手册的 role), 可重复 / role")
@click.option(
    "--level",
    type=click.Choice(["staff", "site_manager", "area_manager"]),
    default="staff",
    show_default=True,
    help="员工、案场经理 (本案场) 或区域经理 (多个案场) / staff, site or area manager",
)
@_users_option(required=True)
def add(name: str, sites: tuple[str, ...], roles: tuple[str, ...], level: str, users: str) -> None:
    """加入 (或更新) NAME: 密码从终端读取两次 (不显示), 只保存它的 argon2 哈希。"""
    try:
        import argon2  # noqa: F401
    except ImportError:
        raise UsageError(MISSING) from None
    from engine.serve.people import add_user

    first = click.prompt("密码 / password", hide_input=True, err=True)
    second = click.prompt("再输入一次 / again", hide_input=True, err=True)
    if first != second:
        raise UsageError(MISMATCH)
    add_user(users, name.strip(), first, sites, roles, level)  # type: ignore[arg-type]
    click.echo(ADDED.say(name=name, level=level, sites=", ".join(sites), path=users))
