"""No space after a key's colon: found by engine.source (loading YAML)."""

from __future__ import annotations

from engine.checks.rule import ERROR, Rule

RULE = Rule(
    id="colon-space",
    level=ERROR,
    description=("冒号后缺少空格", "no space after a key's colon"),
    messages={
        "": (
            '键 "{key}" 的冒号后面缺少空格, 整行会被当成一段文字。请写成 "{key}: …"',
            'no space after the colon of key "{key}", so the whole line reads as text. write "{key}: …"',
        ),
    },
    stage="load",
)
