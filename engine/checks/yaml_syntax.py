"""YAML syntax error: found by engine.source (loading YAML)."""

from __future__ import annotations

from engine.checks.rule import ERROR, Rule

RULE = Rule(
    id="yaml-syntax",
    level=ERROR,
    description=("YAML 写法错误", "YAML syntax error"),
    messages={
        "": (
            "YAML 写法有误: {detail}",
            "YAML syntax error: {detail}",
        ),
        "mapping-values": (
            '此处不能出现 "键: 值"。常见原因: 上一行缩进不对, 或文字中有 ": " (请给整段文字加引号)',
            'a "key: value" is not allowed here. usually the indentation above is wrong, or the text contains ": " (quote the whole text)',
        ),
        "expected-colon": (
            '这里应该是 "键: 值", 但找不到冒号。请检查冒号 (半角) 和缩进',
            'expected "key: value" but found no colon. check the (ASCII) colon and the indentation',
        ),
        "bad-start": (
            "此处的字符不能作为值的开头 (如 @ ` % 或 Tab)。请给值加引号",
            "a value cannot start with this character (such as @, `, % or a tab). quote the value",
        ),
        "tab": (
            "此处有 Tab 字符。YAML 只允许空格缩进",
            "tab character here. YAML indents with spaces only",
        ),
        "expected-key": (
            "此处应该是一个键。请检查缩进是否与上面的键对齐",
            "expected a key here. check that the indentation lines up with the keys above",
        ),
        "expected-dash": (
            '此处应该是列表项 "- …"。请检查缩进',
            'expected a list item "- …". check the indentation',
        ),
        "unexpected-end": (
            "文件意外结束: 引号或括号没有闭合",
            "unexpected end of file: a quote or bracket is not closed",
        ),
        "tag": (
            "无法识别的标签 (以 ! 开头)。如果是文字, 请加引号",
            "unknown tag (starting with !). quote it if it is text",
        ),
        "node-content": (
            "此处缺少值。请检查逗号、括号和缩进",
            "a value is missing here. check commas, brackets and indentation",
        ),
        "escape": (
            "双引号中的反斜杠转义无效。请改用单引号, 或写成 \\\\",
            "invalid backslash escape in double quotes. use single quotes, or write \\\\",
        ),
        "unclosed-quote": (
            "引号没有闭合",
            "a quote is not closed",
        ),
        "sequence-here": (
            '此处不能开始列表 "- …"。请检查缩进',
            'a list "- …" cannot start here. check the indentation',
        ),
        "flow-end": (
            "方括号或花括号中缺少逗号或闭合括号",
            "a comma or closing bracket is missing in [ ] or {{ }}",
        ),
    },
    stage="load",
)
