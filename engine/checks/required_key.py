"""Missing required key: found by engine.schema (the JSON Schemas)."""

from __future__ import annotations

from engine.checks.rule import ERROR, Rule

RULE = Rule(
    id="required-key",
    level=ERROR,
    description=("缺少必填的键", "missing required key"),
    messages={
        "": (
            '{where}缺少必填的键 "{key}"',
            '{where} is missing the required key "{key}"',
        ),
        "priority": (
            '应急流程 (kind: emergency) 必须写 "priority" (1–9, 1 最高)',
            'an emergency procedure (kind: emergency) needs "priority" (1–9, 1 is highest)',
        ),
        "options": (
            '选项类型 (type: choice) 必须写 "options"',
            'a choice (type: choice) needs "options"',
        ),
    },
    stage="schema",
)
