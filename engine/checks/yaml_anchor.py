"""Anchor: found by engine.source (loading YAML)."""

from __future__ import annotations

from engine.checks.rule import ERROR, Rule

RULE = Rule(
    id="yaml-anchor",
    level=ERROR,
    description=("锚点", "anchor"),
    messages={
        "": (
            '不支持锚点 "&{name}"。请把内容直接写出来',
            'anchors ("&{name}") are not supported. write the content out',
        ),
    },
    stage="load",
)
