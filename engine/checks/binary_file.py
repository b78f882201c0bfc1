"""Binary file: found by engine.source (reading)."""

from __future__ import annotations

from engine.checks.rule import ERROR, Rule

RULE = Rule(
    id="binary-file",
    level=ERROR,
    description=("二进制文件", "binary file"),
    messages={
        "": (
            "这不是文本文件 (含有 NUL 字节)。如果是 UTF-16 文件, 请另存为 UTF-8",
            "this is not a text file (it contains NUL bytes). if it is UTF-16 without a BOM, save it as UTF-8",
        ),
    },
    stage="read",
)
