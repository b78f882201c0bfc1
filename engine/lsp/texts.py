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
        "kind.outcome": ("结果", "outcome"),
        "kind.queue": ("轮序", "queue"),
        "kind.holiday": ("节假日", "holiday"),
        "kind.rule": ("守则", "standing rule"),
        "rule.roles": ("约束岗位: {roles}", "binds: {roles}"),
        "rule.steps": ("在这些步骤显示: {steps}", "shown at: {steps}"),
        "rule.everywhere": ("在整个流程中显示", "shown throughout the procedure"),
        "rule.rulebook": ("规则手册的守则: 适用于每个流程", "the rulebook's: for every procedure"),
        "entry": ("第 {number} 条: {title}", "entry {number}: {title}"),
        "outcome.read": (
            "调用的流程《{procedure}》以哪个结果结束",
            "how the called {procedure} ended",
        ),
        "outcome.known": ("可能的结果: {outcomes}", "its outcomes: {outcomes}"),
        "outcome.of": ("流程 {procedure} 的结果", "an outcome of {procedure}"),
        "queue.role": ("成员岗位: {role}", "members' role: {role}"),
        "queue.keeper": ("维护: {role}", "kept by: {role}"),
        "queue.turns": ("取人的步骤: {steps}", "steps taking a turn: {steps}"),
        "holiday.dates": ("日期: {dates}", "dates: {dates}"),
        "holiday.closed": ("案场休息, 当天的安排跳过", "the site is closed: schedules skip it"),
        "holiday.open": ("照常营业", "the site is open as usual"),
        "site.hours": ("营业时间 {open}–{close}", "opening hours {open}–{close}"),
        "site.time": ("案场的{which}时刻: {time}", "the site's {which} time: {time}"),
        "site.opening": ("开门", "opening"),
        "site.closing": ("关门", "closing"),
        "weekday": ("星期", "weekday"),
        "last-day": ("每月最后一天", "the last day of the month"),
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
        "preview.title": ("流程图预览", "flowchart preview"),
        "preview.updated": (
            "更新于 {time} (每 2 秒刷新)",
            "updated {time} (reloads every 2 seconds)",
        ),
        "preview.stale": (
            "文件现在有错误, 无法读取: 这是它上一次没有错误时的流程图",
            "the file has errors that stop it being read: this is its chart as it last built",
        ),
        "preview.none": (
            "没有流程图: 这个文件还没有成功读取过",
            "no flowchart: this file has not built yet",
        ),
        "fix": ('改为 "{text}"', 'change to "{text}"'),
    },
)

REFUSED = messages(
    "lsp.rename",
    {
        "kind": (
            "只能重命名步骤、岗位、表单、字段、输入项、里程碑、结果、轮序、节假日或守则; 流程编号就是文件名, 请改文件名和 id",
            "only a step, role, form, field, input, milestone, outcome, queue, holiday or standing rule can be renamed; a procedure's id is its file name: rename the file and its id",
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
        "holiday": (
            '新名称 "{name}" 不能作节假日名称: 用汉字、字母或数字 (不含空格和标点), 且不能是星期 (mon…sun)、last 或纯数字',
            'the new name "{name}" cannot name a holiday: use letters and digits (no spaces or punctuation), not a weekday (mon…sun), last or a number',
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
