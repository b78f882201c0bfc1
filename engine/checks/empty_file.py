"""Empty file: found by engine.source (loading YAML)."""

from __future__ import annotations

from engine.checks.rule import ERROR, Rule

RULE = Rule(
    id="empty-file",
    level=ERROR,
    description=("空文件", "empty file"),
    messages={
        "": (
            "文件是空的。流程文件至少需要 id、title、kind、start 和 steps",
            "file is empty. a procedure needs at least id, title, kind, start and steps",
        ),
    },
    stage="load",
)
