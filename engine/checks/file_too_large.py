"""File over 1 MiB: found by engine.source (reading)."""

from __future__ import annotations

from engine.checks.rule import ERROR, Rule

RULE = Rule(
    id="file-too-large",
    level=ERROR,
    description=("文件超过 1 MiB", "file over 1 MiB"),
    messages={
        "": (
            "文件太大 ({size} 字节), 上限为 {limit} 字节。请把流程拆成几个文件",
            "file is too large ({size} bytes); the limit is {limit} bytes. split the procedure into several files",
        ),
    },
    stage="read",
)
