"""What the language server says to a designer, zh and en (one catalogue:
engine/i18n.py)."""

from __future__ import annotations

from engine.i18n import messages

TEXT = messages(
    "lsp",
    {
        "kind.procedure": ("流程", "procedure"),
        "kind.step": ("步骤", "step"),
        "kind.role": ("岗位", "role"),
        "kind.form": ("表单", "form"),
        "kind.field": ("字段", "field"),
        "kind.input": ("输入项", "input"),
        "kind.milestone": ("里程碑", "milestone"),
        "step.role": ("岗位: {role}", "role: {role}"),
        "step.no-role": ("未指定岗位", "no role given"),
        "step.exits": ("去向: {exits}", "goes to: {exits}"),
        "step.end": ("结束: {outcome}", "ends: {outcome}"),
        "step.call": ("调用流程: {callee}", "calls: {callee}"),
        "input.asks": ("询问: {ask}", "asks: {ask}"),
        "input.type": ("类型: {type}", "type: {type}"),
        "input.options": ("选项: {options}", "options: {options}"),
        "input.default": ("默认: {default}", "default: {default}"),
        "input.where": ("定义在 {file}", "declared in {file}"),
        "field.of": ("表单 {form} 的字段, 类型 {type}", "a field of {form}, type {type}"),
        "form.fields": ("字段: {fields}", "fields: {fields}"),
        "role.duties": ("职责:", "duties:"),
        "procedure.kind": ("类别: {kind}", "kind: {kind}"),
        "builtin": ("内置名称", "built-in name"),
        "undeclared": ("未定义", "not declared"),
        "fix": ('改为 "{text}"', 'change to "{text}"'),
    },
)

REFUSED = messages(
    "lsp.rename",
    {
        "kind": (
            "只能重命名步骤、岗位、表单、字段、输入项或里程碑; 流程编号就是文件名, 请改文件名和 id",
            "only a step, role, form, field, input or milestone can be renamed; a procedure's id is its file name: rename the file and its id",
        ),
        "undeclared": (
            '"{name}" 没有定义, 无法重命名; 先定义它, 或改正这个名称',
            '"{name}" is not declared, so it cannot be renamed; declare it or correct the name',
        ),
        "builtin": (
            '"{name}" 是内置名称, 不能重命名',
            '"{name}" is a built-in name and cannot be renamed',
        ),
        "pattern": (
            '新名称 "{name}" 不合格式: 用小写英文字母开头, 只含小写字母、数字和下划线 (如 greet_guest)',
            'the new name "{name}" is not an id: a lowercase letter, then lowercase letters, digits and _ (e.g. greet_guest)',
        ),
        "broken": (
            "{file} 现在有错误, 无法读取其中的引用, 重命名会漏改: 请先改正它",
            "{file} has errors that stop it being read, so a rename would miss its references: correct it first",
        ),
        "taken": (
            '"{name}" 已经是{kind}的名称 ({file}:{line}), 重命名后会冲突',
            '"{name}" is already a {kind} ({file}:{line}); renaming would clash',
        ),
    },
)
