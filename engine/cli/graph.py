"""`sop graph ID --format mermaid|dot|svg`: a procedure's flowchart."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import click

from engine.cli.options import lang_option
from engine.cli.render import LOCALES, emit, guard_output, load

if TYPE_CHECKING:
    from engine.render.graph import GraphFormat


@click.command(short_help="流程图 (Mermaid/DOT/SVG) / flowchart")
@click.argument("procedure")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["mermaid", "dot", "svg"]),
    default="mermaid",
    show_default=True,
    help="mermaid (GitHub 可直接显示) / dot (Graphviz) / svg (无需 Graphviz)",
)
@click.option("--locale", type=click.Choice(LOCALES), default=None, help="zh-TW/zh-HK 繁体字")
@click.option(
    "-o", "--output", type=click.Path(), metavar="FILE", help="写入文件 / write to a file"
)
@click.option(
    "--rulebook",
    "-R",
    "rulebook_path",
    type=click.Path(file_okay=False),
    metavar="DIR",
    help="规则手册文件夹 / rulebook folder",
)
@lang_option
def graph(
    procedure: str,
    fmt: str,
    locale: str | None,
    output: str | None,
    rulebook_path: str | None,
    lang: str,
) -> None:
    """画出流程图: 每个步骤一个框 (框内写出要填的表单), 选择和条件写在连线上, 结束步骤标出结果。

    Mermaid 可直接放进 GitHub 的 Markdown (```mermaid); SVG 由内置排版生成, 不需要 Graphviz。
    """
    from engine.render.graph import render_graph

    protect = guard_output(output, rulebook_path)
    rulebook = load(rulebook_path)
    emit(
        render_graph(rulebook, procedure, cast("GraphFormat", fmt), locale or rulebook.locale),
        output,
        protect,
    )
