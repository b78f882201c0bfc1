"""Empty or complex key: found by engine.source (loading YAML)."""

from __future__ import annotations

from engine.checks.rule import ERROR, Rule

RULE = Rule(
    id="yaml-key",
    level=ERROR,
    description=("空的或非文字的键", "empty or complex key"),
    messages={
        "": (
            '键为空或不是一段文字。请写成 "键: 值"',
            'empty or non-text key. write "key: value"',
        ),
    },
    stage="load",
)
