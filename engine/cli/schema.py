"""`sop schema path [NAME]`: where the installed JSON Schemas are."""

from __future__ import annotations

import click

NAMES = ("sop", "rulebook")


@click.group(short_help="JSON Schema 的位置 / where the JSON Schemas are")
def schema() -> None:
    """规则手册的 JSON Schema (编辑器用它补全和检查键名)。"""


@schema.command(short_help="打印 schema 的路径 / print the schemas' path")
@click.argument("name", required=False, type=click.Choice(NAMES))
def path(name: str | None) -> None:
    """打印已安装的 schema 文件夹; 写 NAME (sop 或 rulebook) 时打印那个文件的路径。

    sop: 流程文件的 schema; rulebook: rulebook.yaml 的 schema。编辑器的配置方法见 docs/editors.md。
    """
    import os

    from engine.resources import data_dir, schema_path

    click.echo(str(schema_path(name)) if name else os.path.abspath(data_dir("schemas")))
