"""Tab or full-width space in indentation: found by engine.source (loading YAML)."""

from __future__ import annotations

from engine.checks.rule import ERROR, Rule

RULE = Rule(
    id="indentation",
    level=ERROR,
    description=("缩进中的 Tab 或全角空格", "tab or full-width space in indentation"),
    messages={
        "tab": (
            "缩进中有 Tab 字符, YAML 只允许空格缩进。请把 Tab 换成空格",
            "tab character in indentation; YAML indents with spaces only. replace the tab with spaces",
        ),
        "fullwidth": (
            "缩进中有全角空格 (U+3000)。请换成半角空格",
            "full-width space (U+3000) in indentation. replace it with ordinary spaces",
        ),
    },
    stage="load",
)
