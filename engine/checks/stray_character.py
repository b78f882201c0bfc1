"""Invisible or control characters: found by engine.source (loading YAML)."""

from __future__ import annotations

from engine.checks.rule import ERROR, Rule

RULE = Rule(
    id="stray-character",
    level=ERROR,
    description=("看不见的字符或控制字符", "invisible or control characters"),
    messages={
        "": (
            "此处有看不见的字符 {code} ({name})。请删除它 (常见于从网页或 Word 复制的文字)",
            "invisible character {code} ({name}) here. delete it (it often comes with text copied from web pages or Word)",
        ),
        "escaped": (
            "双引号中的 {escape} 写出了看不见的字符 {code} ({name})。规则手册的文字中不能有控制字符、看不见的字符或文字方向控制符 (它们会扰乱屏幕和打印的显示), 请删除它",
            "{escape} in double quotes writes the invisible character {code} ({name}). rulebook text cannot hold control, invisible or text-direction characters (they garble screens and print); delete it",
        ),
    },
    stage="load",
)
