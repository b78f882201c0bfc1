"""Unknown key: found by engine.schema (the JSON Schemas)."""

from __future__ import annotations

from engine.checks.rule import ERROR, Rule

RULE = Rule(
    id="unknown-key",
    level=ERROR,
    description=("未知的键", "unknown key"),
    messages={
        "": (
            '{where}中没有 "{key}" 这个键。{hint}可用的键: {expected}',
            'unknown key "{key}" in {where}. {hint}expected one of: {expected}',
        ),
    },
    stage="schema",
)
