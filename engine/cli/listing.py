"""`sop list`: the procedures of a rulebook."""

from __future__ import annotations

import unicodedata

import click

from engine.cli.options import lang_option
from engine.screen import json_text


def _pad(text: str, width: int) -> str:
    used = sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)
    return text + " " * max(width - used, 0)


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
                "steps": len(p.steps),
                "priority": p.priority,
                "path": p.path,
            }
            for p in procs
        ]
        click.echo(json_text(rows))
        return
    head = ("编号", "类别", "名称", "步骤") if lang == "zh" else ("id", "kind", "title", "steps")
    wid = max([len(p.id) for p in procs] + [len(head[0]) * 2]) + 2
    click.echo(_pad(head[0], wid) + _pad(head[1], 11) + _pad(head[2], 34) + head[3])
    for p in procs:
        click.echo(_pad(p.id, wid) + _pad(p.kind, 11) + _pad(p.title, 34) + str(len(p.steps)))
