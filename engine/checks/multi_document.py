"""Several documents: found by engine.source (loading YAML)."""

from __future__ import annotations

from engine.checks.rule import ERROR, Rule

RULE = Rule(
    id="multi-document",
    level=ERROR,
    description=("多个文档", "several documents"),
    messages={
        "": (
            '一个文件只能有一个文档 (此处有 "---" 开始了第二个)。请把每个流程放在单独的文件里',
            'only one document per file (a second one starts here with "---"). put each procedure in its own file',
        ),
    },
    stage="load",
)
