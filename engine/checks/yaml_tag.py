"""Tag: found by engine.source (loading YAML)."""

from __future__ import annotations

from engine.checks.rule import ERROR, Rule

RULE = Rule(
    id="yaml-tag",
    level=ERROR,
    description=("标签", "tag"),
    messages={
        "": (
            '不支持标签 "{tag}"。如果要写文字, 请用引号代替',
            'tags ("{tag}") are not supported. use quotes to mark text',
        ),
    },
    stage="load",
)
