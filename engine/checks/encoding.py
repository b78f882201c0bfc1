"""Not UTF-8 (e.g. GBK): found by engine.source (reading)."""

from __future__ import annotations

from engine.checks.rule import ERROR, Rule

RULE = Rule(
    id="encoding",
    level=ERROR,
    description=("不是 UTF-8 (如 GBK)", "not UTF-8 (e.g. GBK)"),
    messages={
        "gbk": (
            "文件看起来是 GBK/GB18030 编码, 不是 UTF-8。请在编辑器中选择“另存为”→ 编码 UTF-8 后保存",
            "file looks like GBK/GB18030, not UTF-8. save it as UTF-8 (editor: Save with Encoding → UTF-8)",
        ),
        "unknown": (
            "文件不是 UTF-8 编码 (此处有无效字节 0x{byte})。请另存为 UTF-8",
            "file is not UTF-8 (invalid byte 0x{byte} here). save it as UTF-8",
        ),
        "broken": (
            "文件声明为 {encoding} 编码但内容已损坏。请另存为 UTF-8",
            "file says it is {encoding} but its content is broken. save it as UTF-8",
        ),
    },
    stage="read",
)
