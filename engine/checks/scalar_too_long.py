"""Text too long: found by engine.source (loading YAML)."""

from __future__ import annotations

from engine.checks.rule import ERROR, Rule

RULE = Rule(
    id="scalar-too-long",
    level=ERROR,
    description=("文字过长", "text too long"),
    messages={
        "": (
            "这段文字有 {length} 字, 上限为 {limit} 字。请拆成多项",
            "this text has {length} characters; the limit is {limit}. split it into several items",
        ),
    },
    stage="load",
)
