"""Nesting too deep: found by engine.source (loading YAML)."""

from __future__ import annotations

from engine.checks.rule import ERROR, Rule

RULE = Rule(
    id="too-deep",
    level=ERROR,
    description=("嵌套过深", "nesting too deep"),
    messages={
        "": (
            "嵌套超过 {limit} 层。请检查缩进",
            "nesting deeper than {limit} levels. check the indentation",
        ),
    },
    stage="load",
)
