"""`sop serve`: the walk-through as a web page for phones (the `sop[web]` extra)."""

from __future__ import annotations

import click

from engine.cli.journal_options import journal_option
from engine.errors import UsageError
from engine.i18n import message

MISSING = message(
    "serve.missing-extra",
    "sop serve 需要可选组件 web (Starlette, uvicorn): "
    "在安装 sop 的环境中运行 pip install 'sop[web]' (从源码目录安装时: pip install '.[web]')",
    "sop serve needs the optional web extra (Starlette, uvicorn): install it into sop's "
    "environment with pip install 'sop[web]' (from a source checkout: pip install '.[web]')",
)


@click.command(short_help="手机网页: 按步骤执行流程 / the walk-through as a web page")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址 / address")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="端口 / port"
)
@click.option(
    "--rulebook",
    type=click.Path(file_okay=False),
    metavar="DIR",
    default=None,
    help="规则手册文件夹 (默认 ./sops 或内置) / rulebook folder",
)
@journal_option
def serve(host: str, port: int, rulebook: str | None, journal_path: str | None) -> None:
    """在网页上按步骤执行流程 (手机屏幕, 不需要 JavaScript): 一页一步, 每个回答在下一页出现前
    写入日志; 暂停的运行可以继续。需要可选组件: pip install 'sop[web]'。"""
    try:
        import starlette  # noqa: F401
        import uvicorn
    except ImportError:
        raise UsageError(MISSING) from None
    from engine import resources
    from engine.cli.journal_options import open_journal
    from engine.journal import resolve_journal_path
    from engine.serve.app import Settings, create_app

    target = resolve_journal_path(journal_path)
    with open_journal(journal_path, write=True):
        pass  # created (or refused) here, with the CLI's messages, before serving
    folder = rulebook or str(resources.default_rulebook())
    app = create_app(Settings(journal=target, rulebook=folder))
    click.echo(f"sop serve: http://{host}:{port}/", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)
