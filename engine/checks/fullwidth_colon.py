"""Full-width colon after a key: found by engine.source (loading YAML)."""

from __future__ import annotations

from engine.checks.rule import ERROR, Rule

RULE = Rule(
    id="fullwidth-colon",
    level=ERROR,
    description=("键后的全角冒号", "full-width colon after a key"),
    messages={
        "": (
            '键 "{key}" 后面是全角冒号 "："。请改成半角冒号加空格: "{key}: "',
            'full-width colon "：" after key "{key}". use an ASCII colon and a space: "{key}: "',
        ),
    },
    stage="load",
)
