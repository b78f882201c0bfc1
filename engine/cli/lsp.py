"""`sop lsp`: the language server for editors (over stdin/stdout)."""

from __future__ import annotations

import click

from engine.errors import UsageError
from engine.i18n import message

MISSING = message(
    "lsp.missing-extra",
    "sop lsp 需要可选组件 lsp (pygls): 在安装 sop 的环境中运行 pip install 'sop[lsp]'"
    " (从源码目录安装时: pip install '.[lsp]')",
    "sop lsp needs the optional lsp extra (pygls): install it into sop's environment with "
    "pip install 'sop[lsp]' (from a source checkout: pip install '.[lsp]')",
)


@click.command(short_help="编辑器的语言服务 / language server for editors")
@click.option(
    "--stdio", is_flag=True, help="通过标准输入输出通信 (默认) / talk over stdio (the default)"
)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default=None,
    help="消息语言 (默认: 编辑器的语言, 英文以外用中文) / message language (default: the editor's)",
)
def lsp(stdio: bool, lang: str | None) -> None:
    """规则手册的语言服务: 边写边检查 (与 sop validate 相同)、跳转到定义、查找引用、
    补全、悬停说明、重命名、大纲和流程图。编辑器启动它, 通过标准输入输出通信; 配置方法见
    docs/editors.md。需要可选组件: pip install 'sop[lsp]'。
    """
    try:
        import lsprotocol.types  # noqa: F401
        import pygls.lsp.server  # noqa: F401
    except ImportError:
        raise UsageError(MISSING) from None
    from engine.lsp.server import serve

    serve(lang)
