"""Wrong type: found by engine.schema (the JSON Schemas)."""

from __future__ import annotations

from engine.checks.rule import ERROR, Rule

RULE = Rule(
    id="wrong-type",
    level=ERROR,
    description=("类型不对", "wrong type"),
    messages={
        "": (
            '"{key}" 应该是{expected}, 但写的是{actual} {value}',
            '"{key}" should be {expected}, but it is {actual} {value}',
        ),
        "quote": (
            '"{key}" 应该是文字, 但 {value} 会被读成{actual}。请加引号: "{text}"',
            '"{key}" should be text, but {value} reads as {actual}. quote it: "{text}"',
        ),
        "quote-as": (
            '"{key}" 应该是文字, 但 {value} 会被读成{actual}。请写成 "{text}" (加引号)',
            '"{key}" should be text, but {value} reads as {actual}. write "{text}" (quoted)',
        ),
        "bool-word": (
            '"{key}" 应该是 true 或 false, 但写的是 {value}。请写成 {text} (是/否请写 true/false)',
            '"{key}" should be true or false, but it is {value}. write {text} (true or false)',
        ),
    },
    stage="schema",
)
