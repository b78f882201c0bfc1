"""Alias: found by engine.source (loading YAML)."""

from __future__ import annotations

from engine.checks.rule import ERROR, Rule

RULE = Rule(
    id="yaml-alias",
    level=ERROR,
    description=("别名", "alias"),
    messages={
        "": (
            '不支持别名 "*{name}"。请把内容直接写出来',
            'aliases ("*{name}") are not supported. write the content out',
        ),
    },
    stage="load",
)
