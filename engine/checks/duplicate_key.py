"""Duplicate key: found by engine.source (loading YAML)."""

from __future__ import annotations

from engine.checks.rule import ERROR, Rule

RULE = Rule(
    id="duplicate-key",
    level=ERROR,
    description=("重复的键", "duplicate key"),
    messages={
        "": (
            '键 "{key}" 重复了, 第 {first_line} 行已经写过。请删除或合并其中一个',
            'duplicate key "{key}"; it is already on line {first_line}. remove or merge one of them',
        ),
    },
    stage="load",
)
