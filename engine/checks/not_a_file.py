"""Not a readable regular file: found by engine.source (reading)."""

from __future__ import annotations

from engine.checks.rule import ERROR, Rule

RULE = Rule(
    id="not-a-file",
    level=ERROR,
    description=("不是可读的普通文件", "not a readable regular file"),
    messages={
        "missing": (
            '找不到文件或文件夹 "{file}"。请检查路径',
            'no such file or folder "{file}". check the path',
        ),
        "directory": (
            '"{file}" 是文件夹, 不是文件',
            '"{file}" is a folder, not a file',
        ),
        "empty-folder": (
            '文件夹 "{file}" 中没有 .yaml 文件, 没有可检查的内容。请指定规则手册文件夹或流程文件',
            'folder "{file}" holds no .yaml files, so there is nothing to check. name a rulebook folder or a procedure file',
        ),
        "loop": (
            '"{file}" 是循环的符号链接, 无法读取。请修正链接',
            '"{file}" is a symlink loop. fix the link',
        ),
        "special": (
            '"{file}" 不是普通文件 (设备或管道)。请指定 .yaml 文件',
            '"{file}" is not a regular file. give a .yaml file',
        ),
        "unreadable": (
            '无法读取 "{file}": {detail}。请检查文件权限',
            'cannot read "{file}": {detail}. check the file\'s permissions',
        ),
    },
    stage="read",
)
