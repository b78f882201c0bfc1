"""Invalid value: found by engine.schema (the JSON Schemas)."""

from __future__ import annotations

from engine.checks.rule import ERROR, Rule

RULE = Rule(
    id="invalid-value",
    level=ERROR,
    description=("值无效", "invalid value"),
    messages={
        "enum": (
            '"{key}" 的值 {value} 无效。{hint}可用的值: {expected}',
            'invalid value {value} for "{key}". {hint}expected one of: {expected}',
        ),
        "duration": (
            '时长 {value} 写法不对。请写成数字加单位 min/h/d/w, 如 "8-10min"、"24h"',
            'duration {value} is not valid. write a number and a unit min/h/d/w, like "8-10min" or "24h"',
        ),
        "clock": (
            '时刻 {value} 写法不对。请写成 24 小时制 "HH:MM", 如 "08:30"',
            'clock time {value} is not valid. write it as 24-hour "HH:MM", like "08:30"',
        ),
        "clock-as": (
            '时刻 {value} 写法不对。请写成 24 小时制 "HH:MM": "{text}"',
            'clock time {value} is not valid. write it as 24-hour "HH:MM": "{text}"',
        ),
        "clock-fullwidth": (
            '时刻 {value} 用了全角字符。请用半角数字和冒号: "{text}"',
            'clock time {value} uses full-width characters. use ASCII digits and colon: "{text}"',
        ),
        "date-as": (
            '日期 {value} 写法不对。请写成 "{text}"',
            'date {value} is not valid. write "{text}"',
        ),
        "version-as": (
            '版本号 {value} 写法不对。请写成 "{text}"',
            'version {value} is not valid. write "{text}"',
        ),
        "date": (
            '日期 {value} 写法不对。请写成 "2026-12-01" (加引号)',
            'date {value} is not valid. write it as "2026-12-01" (quoted)',
        ),
        "version": (
            '版本号 {value} 写法不对。请写成 "1.0" 或 "1.0.0" (加引号)',
            'version {value} is not valid. write it as "1.0" or "1.0.0" (quoted)',
        ),
        "snake-id": (
            '编号 {value} 写法不对: 只能用小写英文字母、数字和下划线, 以字母开头, 如 "greet_customer"',
            'id {value} is not valid: use lowercase letters, digits and _, starting with a letter, like "greet_customer"',
        ),
        "kebab-id": (
            '流程编号 {value} 写法不对: 只能用小写英文字母、数字和 -, 如 "show-flat"',
            'procedure id {value} is not valid: use lowercase letters, digits and -, like "show-flat"',
        ),
        "empty": (
            '"{key}" 不能为空',
            '"{key}" must not be empty',
        ),
        "unique": (
            '"{key}" 中有重复的项',
            '"{key}" has duplicate entries',
        ),
        "range": (
            '"{key}" 的值 {value} 超出范围 ({expected})',
            '"{key}" value {value} is out of range ({expected})',
        ),
        "due": (
            "due 要写成 {{after 或 before: 里程碑, days/weeks/months/years/hours: 数字}}, 各写一个",
            "due needs exactly one of after/before and one of hours/days/weeks/months/years",
        ),
        "": (
            '"{key}" 的值 {value} 无效',
            'invalid value {value} for "{key}"',
        ),
    },
    stage="schema",
)
