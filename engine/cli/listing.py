"""`sop list`: the procedures of a rulebook."""

from __future__ import annotations

import click

from engine.cli.options import lang_option
from engine.i18n import messages
from engine.render.words import KINDS
from engine.screen import json_text

COLUMNS = tuple(
    messages(
        "list.column",
        {
            "id": ("编号", "id"),
            "kind": ("类别", "kind"),
            "title": ("名称", "title"),
            "steps": ("步骤数", "steps"),  # a table's: its entries
        },
    ).values()
)


@click.command(short_help="列出流程 / list procedures")
@click.argument("path", required=False, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@lang_option
def list_procedures(path: str | None, fmt: str, lang: str) -> None:
    """列出规则手册中的流程: 编号、类别、名称、步骤数。"""
    from engine import resources
    from engine.validate import load_rulebook

    rulebook = load_rulebook(path or resources.default_rulebook())
    procs = sorted(rulebook.procedures.values(), key=lambda p: (p.kind, p.priority or 0, p.id))
    if fmt == "json":
        rows = [
            {
                "id": p.id,
                "kind": p.kind,
                "title": p.title,
                "steps": p.size,
                "priority": p.priority,
                "path": p.path,
            }
            for p in procs
        ]
        click.echo(json_text(rows))
        return
    from engine.runtime.layout import table

    header = [h.say() for h in COLUMNS]
    cells = [
        [p.id, KINDS[p.kind].say() if p.kind in KINDS else p.kind, p.title, str(p.size)]
        for p in procs
    ]
    for line in table(header, cells, flexible=(2,)):
        click.echo(line)
