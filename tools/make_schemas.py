"""Write schemas/*.json. The schemas are checked in; this script is how they
are kept tidy (run it after editing, then commit both)."""

import json
import pathlib
import sys
from typing import get_args

ROOT = pathlib.Path(__file__).resolve().parent.parent


# Type names and warning rules come from the engine, so the schema cannot drift.
sys.path.insert(0, str(ROOT))
from engine.checks import registry  # noqa: E402
from engine.checks._retired import RETIRED  # noqa: E402
from engine.checks.rule import WARNING  # noqa: E402
from engine.model import FieldType, InputType  # noqa: E402
from engine.timetable import WEEKDAYS  # noqa: E402


def d(zh, en):
    return f"{zh} ({en})"


SNAKE = "^[a-z][a-z0-9_]*$"
KEBAB = "^[a-z][a-z0-9]*(-[a-z0-9]+)*$"

common_defs = {
    "text": {
        "type": "string",
        "minLength": 1,
        "x-kind": "text",
        "description": d("一段文字", "a piece of text"),
    },
    "hint": {
        "$ref": "#/$defs/text",
        "x-audience": "staff",
        "description": d(
            "给现场员工的简短提示: 运行时、话术卡、检查单和手册的步骤中都会显示。只写员工要知道的, 不写出处、章节、编号或网址 (这些写在 notes)",
            "a short hint for staff, shown at the post, on cards and in the manual's steps; no sources, section marks, ids or URLs (those go in notes)",
        ),
    },
    "notes": {
        "type": "array",
        "items": {"$ref": "#/$defs/text"},
        "x-audience": "designer",
        "description": d(
            "设计说明 (给设计者和审核人): 出处、对原文的取舍、改正的笔误; 只印在手册的 编制说明 中, 不显示给现场员工",
            "design notes for designers and auditors: sources, decisions, typo fixes; printed only in the manual's 编制说明, never shown to staff",
        ),
    },
    "legacyNote": {
        "$ref": "#/$defs/text",
        "deprecated": True,
        "x-audience": "designer",
        "description": d(
            "旧写法, 按 notes 的一条读取 (设计说明, 不显示给员工)。请改写: 给员工看的写 hint, 设计说明写 notes",
            "first-edition key, read as one of notes (never shown to staff); write hint for staff, notes for designers",
        ),
    },
    "roleId": {
        "type": "string",
        "pattern": SNAKE,
        "x-kind": "snake-id",
        "description": d(
            "岗位编号, 在 rulebook.yaml 的 roles 中定义", "a role id from rulebook.yaml roles"
        ),
    },
    "inputName": {
        "type": "string",
        "pattern": SNAKE,
        "x-kind": "snake-id",
        "description": d(
            "输入项名称: 小写字母、数字和下划线", "an input name: lowercase letters, digits, _"
        ),
    },
    "date": {
        "type": "string",
        "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        "x-kind": "date",
        "description": d(
            '日期, 写作 "2026-12-01" (加引号)', 'a date written "2026-12-01" (quoted)'
        ),
    },
    "version": {
        "type": "string",
        "pattern": "^[0-9]+(\\.[0-9]+){1,2}$",
        "x-kind": "version",
        "description": d(
            '版本号, 如 "1.0" 或 "1.0.0" (加引号)', 'a version such as "1.0" or "1.0.0" (quoted)'
        ),
    },
    "input": {
        "type": "object",
        "additionalProperties": False,
        "required": ["type"],
        "description": d(
            "一个输入项: 运行时第一次用到时询问, 或用 --set 预先给出",
            "an input: asked the first time it is needed, or given with --set",
        ),
        "properties": {
            "type": {
                "enum": list(get_args(InputType)),
                "description": d(
                    "类型: text 文字, bool 是/否, int 整数, number 数字, choice 选项, date 日期, time 时刻, phone 电话",
                    "type: text, bool, int, number, choice, date, time, phone",
                ),
            },
            "ask": {
                "$ref": "#/$defs/text",
                "description": d(
                    "询问时显示的问题, 如: 客户是否二次以上来访?", "the question shown when asking"
                ),
            },
            "options": {
                "type": "array",
                "minItems": 1,
                "items": {"$ref": "#/$defs/text"},
                "uniqueItems": True,
                "description": d("choice 类型的可选项", "the options of a choice input"),
            },
            "default": {
                "type": ["string", "number", "boolean"],
                "description": d(
                    "默认值: 有默认值时不再询问", "default value: when set, the input is not asked"
                ),
            },
            "required": {
                "type": "boolean",
                "description": d(
                    "是否必须回答 (默认 true); false 时可留空",
                    "whether an answer is required (default true)",
                ),
            },
            "min": {"type": "number", "description": d("数字的最小值", "minimum for numbers")},
            "max": {"type": "number", "description": d("数字的最大值", "maximum for numbers")},
            "notes": {"$ref": "#/$defs/notes"},
            "note": {"$ref": "#/$defs/legacyNote", "deprecated": True},
        },
        "allOf": [
            {
                "if": {"properties": {"type": {"const": "choice"}}, "required": ["type"]},
                "then": {"required": ["options"]},
            }
        ],
    },
    "inputs": {
        "type": "object",
        "propertyNames": {"$ref": "#/$defs/inputName"},
        "additionalProperties": {"$ref": "#/$defs/input"},
        "description": d(
            "输入项: 名称 → 定义; 名称可在 when 条件和话术 {{ }} 中使用",
            "inputs: name → definition; names are usable in when guards and {{ }} templates",
        ),
    },
    "revision": {
        "type": "object",
        "additionalProperties": False,
        "required": ["version", "date", "change"],
        "description": d("一条修订记录", "one revision record"),
        "properties": {
            "version": {
                "$ref": "#/$defs/version",
                "description": d("修订后的版本号", "the version after this revision"),
            },
            "date": {"$ref": "#/$defs/date", "description": d("修订日期", "date of the revision")},
            "change": {"$ref": "#/$defs/text", "description": d("修订内容", "what changed")},
            "author": {"$ref": "#/$defs/text", "description": d("修订人", "who changed it")},
        },
    },
    "document": {
        "type": "object",
        "additionalProperties": False,
        "description": d(
            "文件控制: 编号、受控状态、生效日期、编制/审核/批准、修订记录", "document control"
        ),
        "properties": {
            "number": {
                "$ref": "#/$defs/text",
                "description": d("文件编号, 如 WY-AC-SOP-001", "document number"),
            },
            "status": {
                "enum": ["受控", "非受控", "草稿", "作废"],
                "description": d("受控状态: 受控 / 非受控 / 草稿 / 作废", "control status"),
            },
            "effective": {"$ref": "#/$defs/date", "description": d("生效日期", "effective date")},
            "author": {"$ref": "#/$defs/text", "description": d("编制人", "written by")},
            "reviewer": {"$ref": "#/$defs/text", "description": d("审核人", "reviewed by")},
            "approver": {"$ref": "#/$defs/text", "description": d("批准人", "approved by")},
            "revisions": {
                "type": "array",
                "items": {"$ref": "#/$defs/revision"},
                "description": d("修订记录, 按时间先后", "revision history, oldest first"),
            },
        },
    },
}

sop_defs = {
    **common_defs,
    "posts": {
        "description": d(
            "由哪个岗位做: 一个岗位编号, 或几个岗位的列表 (其中任一岗位均可), 如 [cleaner, guard]",
            "which post does it: a role id, or a list of role ids (any one of them), e.g. [cleaner, guard]",
        ),
        "anyOf": [
            {"$ref": "#/$defs/roleId"},
            {
                "type": "array",
                "minItems": 2,
                "uniqueItems": True,
                "items": {"$ref": "#/$defs/roleId"},
                "description": d(
                    "几个岗位, 任一岗位均可做 (如 保洁员或护卫员)",
                    "several posts, any one of which may do it",
                ),
            },
        ],
    },
    "person": {
        "description": d(
            '由谁 (具体的人) 做: another 另一人 (不能是当前操作人, 运行时询问姓名); all 全体成员签名 (逐个输入姓名, 空行结束, 至少两人); 或写出姓名的模板, 如 "{{ receiver }}" (来自输入项、表单字段或轮序 as)。姓名记入日志并显示在记录中',
            'who (a person) does it: another (someone other than the operator, asked by name); all (every member signs: names asked until an empty line, at least two); or a template naming them, e.g. "{{ receiver }}" (an input, a field or a queue turn\'s as). The names are journaled and shown in reports',
        ),
        "anyOf": [
            {
                "enum": ["another", "all"],
                "description": d(
                    "another 另一人 (不是当前操作人); all 全体成员逐个签名",
                    "another: someone other than the operator; all: every member signs",
                ),
            },
            {"$ref": "#/$defs/template"},
        ],
    },
    "turn": {
        "type": "object",
        "additionalProperties": False,
        "required": ["queue"],
        "description": d(
            "在 rulebook.yaml 声明的轮序中取一人, 如 {queue: sales_rotation, take: next, as: receiver}; 多个终端同时取号时不会取到同一人",
            "take a person from a queue declared in rulebook.yaml, e.g. {queue: sales_rotation, take: next, as: receiver}; runs taking turns at the same moment never get the same person",
        ),
        "properties": {
            "queue": {
                "type": "string",
                "pattern": SNAKE,
                "x-kind": "snake-id",
                "description": d(
                    "轮序编号, 在 rulebook.yaml 的 queues 中声明",
                    "a queue id from rulebook.yaml queues",
                ),
            },
            "take": {
                "enum": ["next", "last", "named"],
                "description": d(
                    "取谁: next 轮到的下一位 (先补欠的轮次, 外出者跳过, 保留位置); last 轮序中排最后的一位; named 指定的人 (写 name)",
                    "whom: next in the order (owed turns first; people away are skipped and keep their place); last in the order; named (give name)",
                ),
            },
            "name": {
                "$ref": "#/$defs/template",
                "description": d(
                    '指定的人 (take: named), 如 "{{ original_consultant }}"',
                    'the person, for take: named, e.g. "{{ original_consultant }}"',
                ),
            },
            "counts": {
                "type": "boolean",
                "description": d(
                    "是否计有效接待一次 (默认 true): 计入今天的次数, 并排到轮序最后; false 不计次数, 顺序不变",
                    "whether it counts as a reception (default true): today's count goes up and the person goes to the back; false changes neither",
                ),
            },
            "credit": {
                "type": "boolean",
                "description": d(
                    "true: 不接待, 而是给此人补一次接待 (补接待一次): 本次运行中他计过的那次接待不再计数, 下一位 next 先轮到他",
                    "true: no reception; the person is owed a make-up turn instead: their counted turn in this run no longer counts, and the next take: next goes to them first",
                ),
            },
            "as": {
                "$ref": "#/$defs/inputName",
                "description": d(
                    '把取到的姓名放进本次运行, 供话术和 person 使用, 如 as: receiver → "{{ receiver }}"',
                    'put the name taken into the run, for say lines and person, e.g. as: receiver → "{{ receiver }}"',
                ),
            },
        },
        "allOf": [
            {
                "if": {"properties": {"take": {"const": "named"}}, "required": ["take"]},
                "then": {"required": ["name"]},
            },
        ],
    },
    "stepId": {
        "type": "string",
        "pattern": SNAKE,
        "x-kind": "snake-id",
        "description": d(
            "步骤编号: 小写字母、数字和下划线, 如 greet",
            "a step id: lowercase letters, digits and _, e.g. greet",
        ),
    },
    "guard": {
        "type": "string",
        "minLength": 1,
        "x-kind": "guard",
        "description": d(
            "条件 (Jinja2 表达式), 如 returning and surname; 只能用输入项名称、常量、比较、and/or/not、in、if/else",
            "a condition (Jinja2 expression) over declared inputs",
        ),
    },
    "template": {
        "type": "string",
        "minLength": 1,
        "x-kind": "template",
        "description": d(
            "文字, 可用 {{ 输入项 }} 填入, 如: 您好,{{ surname }}先生",
            "text; {{ input }} fills in a value",
        ),
    },
    "duration": {
        "type": "string",
        "pattern": "^[0-9]+(-[0-9]+)?(min|h|d|w)$",
        "x-kind": "duration",
        "description": d(
            "时长: 数字加单位 min/h/d/w, 可写范围, 如 8-10min、24h、1d",
            "a duration: number and unit min/h/d/w, or a range like 8-10min",
        ),
    },
    "clock": {
        "type": "string",
        "pattern": "^([01]?[0-9]|2[0-3]):[0-5][0-9]$",
        "x-kind": "clock",
        "description": d(
            '时刻, 24 小时制, 如 "08:30" (请加引号, 用半角冒号)',
            'a clock time such as "08:30" (24 h)',
        ),
    },
    "siteTime": {
        "anyOf": [
            {"$ref": "#/$defs/clock"},
            {
                "enum": ["opening", "closing"],
                "description": d(
                    "opening 开门时 / closing 关门时 (rulebook.yaml 的 site.hours)",
                    "opening / closing: the site's hours in rulebook.yaml site.hours",
                ),
            },
        ],
        "description": d(
            '时刻: "08:30", 或 opening (开门时)、closing (关门时)',
            'a clock time "08:30", or opening / closing (the site\'s hours)',
        ),
    },
    "scheduleDay": {
        "anyOf": [
            {"type": "integer"},  # 1–31: unknown-day says what a wrong one should be
            {"type": "string", "minLength": 1},
        ],
        "x-kind": "schedule-day",
        "description": d(
            '哪一天: 星期 mon tue wed thu fri sat sun; 每月第几日 1–31 或 last (最后一天); 每年的 "MM-DD" (如 "09-30", 加引号); 或 site.holidays 中的节日名称 (如 春节)',
            'which day: a weekday mon … sun; a day of the month 1–31 or last; "MM-DD" each year; or a holiday named in site.holidays',
        ),
    },
    "schedule": {
        "type": "object",
        "additionalProperties": False,
        "minProperties": 1,
        "description": d(
            "一条时间安排: 每到一次 (一个班次) 就该做一次本流程; sop due 列出到期的, sop render checklist --date 印出当天的",
            "one schedule entry: each occurrence is a time the procedure is due; listed by sop due and printed by sop render checklist --date",
        ),
        "properties": {
            "every": {
                "anyOf": [
                    {
                        "enum": ["day", "week", "month", "year"],
                        "description": d(
                            "day 每天、week 每周、month 每月、year 每年 (按整天计算)",
                            "day, week, month, year (whole days)",
                        ),
                    },
                    {
                        "type": "string",
                        "pattern": "^[1-9][0-9]*(min|h|d|w)$",
                        "description": d(
                            "间隔: 30min、1h (在 from–to 之间按时刻), 3d、2w (按整天, 配 starting)",
                            "a cadence: 30min, 1h (moments between from and to), 3d, 2w (whole days, with starting)",
                        ),
                    },
                ],
                "description": d(
                    "多久一次: day、week、month、year, 或间隔如 30min、1h、2w",
                    "how often: day, week, month, year, or a cadence such as 30min, 1h, 2w",
                ),
            },
            "at": {
                "$ref": "#/$defs/siteTime",
                "description": d(
                    '当天的时刻: "10:00"、opening 或 closing; 到时未开始即超时',
                    "the time of day: overdue once it has passed without a run",
                ),
            },
            "from": {
                "$ref": "#/$defs/siteTime",
                "description": d(
                    "按小时/分钟的间隔从几点开始 (默认 opening)",
                    "where a sub-day cadence starts each day (default opening)",
                ),
            },
            "to": {
                "$ref": "#/$defs/siteTime",
                "description": d(
                    "按小时/分钟的间隔到几点为止 (默认 closing)",
                    "where a sub-day cadence stops each day (default closing)",
                ),
            },
            "on": {
                "anyOf": [
                    {"$ref": "#/$defs/scheduleDay"},
                    {
                        "type": "array",
                        "minItems": 1,
                        "uniqueItems": True,
                        "items": {"$ref": "#/$defs/scheduleDay"},
                    },
                ],
                "description": d(
                    '在哪些天: [tue, fri]、15、last、"12-24"、春节; 该天全天有效, 次日起超时',
                    "on which days: weekdays, days of the month, last, MM-DD, holiday names; due all that day",
                ),
            },
            "by": {
                "$ref": "#/$defs/scheduleDay",
                "description": d(
                    '最迟哪天完成: 每月 by: 25 (1 日起到 25 日), 每年 by: "09-30", 每周 by: fri; 从周期开始起都可做',
                    'the last day of the window, which starts at the period\'s start: by: 25 monthly, by: "09-30" yearly, by: fri weekly',
                ),
            },
            "starting": {
                "$ref": "#/$defs/date",
                "description": d(
                    "第一次的日期 (2w、3d 等间隔从这天起算)",
                    "the first date (a cadence such as 2w counts from it)",
                ),
            },
        },
    },
    "escalate": {
        "type": "array",
        "minItems": 1,
        "items": {"$ref": "#/$defs/escalation"},
        "description": d(
            "超时升级: 期限过了而事情没做时, 依次告诉谁。每一级 {after: 超时多久, tell: 岗位}, "
            "按 after 从早到晚; 负责此步的岗位 (role) 在到期时就会收到提醒, 不必写在这里。"
            "写在步骤上只管这一步; 写在流程上, 管流程中每个有期限 (within、at、due、里程碑日期) "
            "而自己没写 escalate 的步骤。由 sop notify 发出",
            "who is told, in turn, when a deadline passes and nothing happens: each level "
            "{after: how long overdue, tell: role}, earliest first; the step's own role is "
            "reminded when it falls due and is not listed here. On a step, for that step; on a "
            "procedure, for each of its steps with a deadline (within, at, due, a milestone's "
            "date) that has no escalate of its own. Sent by sop notify",
        ),
    },
    "escalation": {
        "type": "object",
        "additionalProperties": False,
        "required": ["tell"],
        "properties": {
            "after": {
                "$ref": "#/$defs/duration",
                "description": d(
                    "超时多久后告诉, 如 10min、1d (不写: 一超时就告诉)。客户旅程的触点按天算: "
                    "1d 是到期日的第二天",
                    "how long overdue before telling, e.g. 10min, 1d (default: as soon as it is "
                    "overdue). Journey touchpoints count in days: 1d is the day after the due date",
                ),
            },
            "tell": {
                "$ref": "#/$defs/roleId",
                "description": d(
                    "告诉哪个岗位, 如 sales_manager (通知配置中写明各案场此岗位的联系方式)",
                    "the role to tell, e.g. sales_manager (the notify settings say how to reach "
                    "it at each site)",
                ),
            },
        },
        "description": d(
            "一级升级: {after: 1d, tell: sales_manager}", "one level: {after: 1d, tell: role}"
        ),
    },
    "evidence": {
        "type": "object",
        "additionalProperties": False,
        "minProperties": 1,
        "description": d(
            "要留下的凭证: 照片 (手机拍摄) 和/或签名, 如 {photo: 1, signature: true}; 写在步骤上时在答完检查项和表单后要求, 写在 do 的一项上时在该项完成后要求。sop serve 在手机上拍照、签名人的姓名和手写签名 (无 JavaScript 时上传纸上签名的照片; 终端和场景给出签名图片的路径); 文件按 sha256 保存在日志旁, sop journal verify 一并核对",
            "proof to leave: photos (taken with the phone) and/or a signature, e.g. {photo: 1, signature: true}; on a step it is asked once the items and fields are answered, on a do item once the item is done. sop serve takes photos with the phone's camera and the signer's name and a signature drawn with a finger (without JavaScript, a photo of a paper signature; the terminal and scenarios give the picture's path); files are kept beside the journal by sha256 and sop journal verify checks them",
        ),
        "properties": {
            "photo": {
                "type": "integer",
                "minimum": 1,
                "maximum": 9,
                "description": d("至少要拍几张照片 (1–9)", "how many photos at least (1–9)"),
            },
            "signature": {
                "description": d(
                    "要签名: true (由执行的员工签), 或写明由谁签, 如 客户",
                    "a signature: true (by the person doing it), or who signs, e.g. 客户",
                ),
                "anyOf": [{"type": "boolean"}, {"$ref": "#/$defs/text"}],
            },
        },
    },
    "item": {
        "description": d(
            "一项: 直接写文字, 或写成 {text, when, critical, hint, notes, role, person, evidence}",
            "an item: plain text, or {text, when, critical, hint, notes, role, person, evidence}",
        ),
        "anyOf": [
            {"$ref": "#/$defs/template"},
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["text"],
                "properties": {
                    "text": {
                        "$ref": "#/$defs/template",
                        "description": d("要做的事或要说的话", "what to do or say"),
                    },
                    "when": {
                        "$ref": "#/$defs/guard",
                        "description": d("仅在条件成立时适用", "applies only when this holds"),
                    },
                    "critical": {
                        "type": "boolean",
                        "description": d(
                            "关键项: 排在最前并标记", "critical: shown first and marked"
                        ),
                    },
                    "hint": {"$ref": "#/$defs/hint"},
                    "notes": {"$ref": "#/$defs/notes"},
                    "note": {"$ref": "#/$defs/legacyNote", "deprecated": True},
                    "role": {
                        "$ref": "#/$defs/posts",
                        "description": d(
                            "由哪个岗位做/说 (默认为步骤的岗位); 写成列表时其中任一岗位均可",
                            "who does or says it (default: the step's role); a list: any one of them",
                        ),
                    },
                    "person": {"$ref": "#/$defs/person"},
                    "channel": {
                        "enum": ["face", "call", "sms", "letter", "visit"],
                        "description": d(
                            "说话的方式: face 当面 (默认), call 电话, sms 短信, letter 书面, visit 上门拜访",
                            "how it is said: face (default), call, sms, letter, visit",
                        ),
                    },
                    "evidence": {"$ref": "#/$defs/evidence"},
                },
            },
        ],
    },
    "recordFields": {
        "anyOf": [
            {
                "type": "array",
                "minItems": 1,
                "uniqueItems": True,
                "items": {"type": "string", "pattern": SNAKE},
            },
            {"const": "all"},
        ],
        "description": d("要填写的字段: [字段…] 或 all", "the fields filled: [fields] or all"),
    },
    "record": {
        "type": "object",
        "minProperties": 1,
        "propertyNames": {"pattern": SNAKE},
        "additionalProperties": {
            "anyOf": [
                {
                    "type": "array",
                    "minItems": 1,
                    "uniqueItems": True,
                    "items": {"type": "string", "pattern": SNAKE},
                },
                {"const": "all"},
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["fields", "when"],
                    "properties": {
                        "fields": {"$ref": "#/$defs/recordFields"},
                        "when": {
                            "$ref": "#/$defs/guard",
                            "description": d(
                                "仅在条件成立时填写这张表单",
                                "the form is filled only when this holds",
                            ),
                        },
                    },
                },
            ]
        },
        "description": d(
            "要填写的表单: 表单编号 → [字段…]、all, 或 {fields, when}",
            "forms to fill in: form id → [fields], all, or {fields, when}",
        ),
    },
    "branch": {
        "type": "object",
        "additionalProperties": False,
        "required": ["to"],
        "description": d(
            "自动转入的一个分支: 第一个条件成立的分支生效; 最后一个不写 when (否则)",
            "one automatic branch; the first whose when holds is taken; the last has no when",
        ),
        "properties": {
            "to": {"$ref": "#/$defs/stepId", "description": d("转入的步骤", "the step to go to")},
            "when": {"$ref": "#/$defs/guard", "description": d("条件", "condition")},
            "label": {
                "$ref": "#/$defs/text",
                "description": d(
                    "向员工说明为什么转入此步, 如: 销售人员不在场",
                    "why this branch is taken, shown to staff",
                ),
            },
            "set": {
                "$ref": "#/$defs/set",
                "description": d(
                    "走这个分支时给输入项赋新值, 如 {escalated: true}",
                    "inputs given new values when this branch is taken",
                ),
            },
        },
    },
    "lane": {
        "type": "object",
        "additionalProperties": False,
        "oneOf": [{"required": ["to"]}, {"required": ["call"]}],
        "description": d(
            "同时进行的一条分支: {to: 步骤} 从本流程的这一步走到结束, 或 {call: 流程, with: …} 调用一个流程",
            "one parallel branch: {to: step} walks this procedure from that step to an end, "
            "or {call: procedure, with: …} runs a procedure",
        ),
        "properties": {
            "to": {
                "$ref": "#/$defs/stepId",
                "description": d(
                    "分支的第一步 (本流程中); 走到 end 步骤时这条分支完成",
                    "the branch's first step (in this procedure); the branch ends at an end step",
                ),
            },
            "call": {
                "type": "string",
                "pattern": KEBAB,
                "x-kind": "kebab-id",
                "description": d(
                    "分支调用的流程; 它结束时这条分支完成",
                    "the procedure the branch runs; the branch ends when it ends",
                ),
            },
            "with": {
                "type": "object",
                "propertyNames": {"$ref": "#/$defs/inputName"},
                "additionalProperties": {"type": ["string", "number", "boolean"]},
                "description": d("传给被调用流程的输入项", "inputs passed to the called procedure"),
            },
        },
    },
    "parallel": {
        "type": "object",
        "additionalProperties": False,
        "required": ["branches"],
        "description": d(
            "同时进行: 做完此步, 开始这些分支, 本流程按 next 继续; 在 at 这一步汇合 (不写 at: 在运行结束时)",
            "parallel: once this step is done its branches start and the run goes on by next; "
            "they join at the step at (without at: at the run's end)",
        ),
        "properties": {
            "branches": {
                "type": "array",
                "minItems": 1,
                "items": {"$ref": "#/$defs/lane"},
                "description": d(
                    "同时进行的分支, 每条写 {to: 步骤} 或 {call: 流程}",
                    "the parallel branches, each {to: step} or {call: procedure}",
                ),
            },
            "join": {
                "enum": ["all", "any"],
                "default": "all",
                "description": d(
                    "汇合: all 全部完成运行才结束 (默认); any 任一完成 (或本流程结束) 即汇合, 其余取消",
                    "join: all, the run ends only when every branch has (default); any, the first "
                    "to end (or the run's own end) joins them and the others are cancelled",
                ),
            },
            "at": {
                "$ref": "#/$defs/stepId",
                "description": d(
                    "汇合的步骤: 本流程 (next 之后) 走到这一步时, 先等分支完成 (all 全部, any 任一) 再继续",
                    "the join step: when the run's own line (after next) reaches it, it waits "
                    "there for the branches (all: every one; any: the first) before going on",
                ),
            },
        },
    },
    "set": {
        "type": "object",
        "minProperties": 1,
        "propertyNames": {"$ref": "#/$defs/inputName"},
        "additionalProperties": {
            "type": ["string", "number", "boolean"],
            "description": d(
                '新值: 符合输入项类型的值 (true、3、选项之一), 或模板 "{{ attempts + 1 }}"',
                'the new value: one of the input\'s type, or a template "{{ attempts + 1 }}"',
            ),
        },
        "description": d(
            "给本流程声明的输入项赋新值 (运行中的状态), 之后的条件和话术读到新值; 记入日志",
            "give declared inputs new values (the run's state); later guards and texts read them",
        ),
    },
    "choice": {
        "type": "object",
        "additionalProperties": False,
        "required": ["label", "to"],
        "description": d("员工可选的一项", "one option staff can pick"),
        "properties": {
            "label": {
                "$ref": "#/$defs/text",
                "description": d("选项文字, 如: 客户想拍照", "the option's text"),
            },
            "to": {
                "$ref": "#/$defs/stepId",
                "description": d("选择后转入的步骤", "the step it leads to"),
            },
            "when": {
                "$ref": "#/$defs/guard",
                "description": d("仅在条件成立时显示此选项", "shown only when this holds"),
            },
            "set": {
                "$ref": "#/$defs/set",
                "description": d(
                    "员工选了这一项时给输入项赋新值, 如 {armed: true}",
                    "inputs given new values when staff pick this",
                ),
            },
        },
    },
    "due": {
        "description": d(
            "到期日: 相对里程碑之后/之前若干时间, 如 {after: signed, days: 1}; "
            "或几个日期中较早/较晚的一个: {earliest: [...]} / {latest: [...]}",
            "a due date relative to a milestone; or the earlier/later of several: "
            "{earliest: [...]} / {latest: [...]}",
        ),
        "anyOf": [
            {"$ref": "#/$defs/dueOne"},
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["earliest"],
                "properties": {
                    "earliest": {
                        "type": "array",
                        "minItems": 2,
                        "items": {"$ref": "#/$defs/dueOne"},
                        "description": d(
                            "几个日期中较早的一个, 如 签约日后 7 天 与 交付日前 1 个月",
                            "the earliest of these dates",
                        ),
                    }
                },
            },
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["latest"],
                "properties": {
                    "latest": {
                        "type": "array",
                        "minItems": 2,
                        "items": {"$ref": "#/$defs/dueOne"},
                        "description": d("几个日期中较晚的一个", "the latest of these dates"),
                    }
                },
            },
        ],
    },
    "dueOne": {
        "type": "object",
        "additionalProperties": False,
        "description": d(
            "相对里程碑之后/之前若干时间, 如 {after: signed, days: 1}",
            "a date relative to a milestone",
        ),
        "properties": {
            "after": {
                "$ref": "#/$defs/inputName",
                "description": d("在此里程碑之后", "after this milestone"),
            },
            "before": {
                "$ref": "#/$defs/inputName",
                "description": d("在此里程碑之前", "before this milestone"),
            },
            "hours": {"type": "integer", "minimum": 0, "description": d("小时数", "hours")},
            "days": {"type": "integer", "minimum": 0, "description": d("天数", "days")},
            "weeks": {"type": "integer", "minimum": 0, "description": d("周数", "weeks")},
            "months": {"type": "integer", "minimum": 0, "description": d("月数", "months")},
            "years": {"type": "integer", "minimum": 0, "description": d("年数", "years")},
        },
        "oneOf": [{"required": ["after"]}, {"required": ["before"]}],
        "minProperties": 2,
        "maxProperties": 2,
    },
    "step": {
        "type": "object",
        "additionalProperties": False,
        "required": ["title"],
        "description": d(
            "一个步骤; 出口只能有一种: next、choices、call+next、parallel+next 或 end",
            "a step; exactly one way out: next, choices, call+next, parallel+next or end",
        ),
        "properties": {
            "title": {"$ref": "#/$defs/text", "description": d("步骤标题", "step title")},
            "role": {
                "$ref": "#/$defs/posts",
                "description": d(
                    "执行此步的岗位; 写成列表时其中任一岗位均可, 如 [cleaner, guard]",
                    "the role that performs this step; a list: any one of them, e.g. [cleaner, guard]",
                ),
            },
            "person": {"$ref": "#/$defs/person"},
            "turn": {"$ref": "#/$defs/turn"},
            "do": {
                "type": "array",
                "minItems": 1,
                "items": {"$ref": "#/$defs/item"},
                "description": d(
                    "要做的事 (检查单), 每项可加 when / critical", "what to do (checklist items)"
                ),
            },
            "say": {
                "type": "array",
                "minItems": 1,
                "items": {"$ref": "#/$defs/item"},
                "description": d(
                    "要说的话 (标准用语), 原文照录; 可用 {{ 输入项 }}",
                    "what to say (standard phrases), verbatim",
                ),
            },
            "ask": {
                "type": "array",
                "minItems": 1,
                "items": {"$ref": "#/$defs/inputName"},
                "uniqueItems": True,
                "description": d(
                    "在此步立即询问的输入项 (否则在第一次用到时询问)",
                    "inputs to ask at this step rather than when first needed",
                ),
            },
            "record": {
                "$ref": "#/$defs/record",
                "description": d(
                    "此步要填写的表单字段: 表单编号 → [字段…]、all, 或 {fields, when} (仅在条件成立时填写)",
                    "form fields filled at this step: form id → [fields], all, "
                    "or {fields, when} (only when it holds)",
                ),
            },
            "next": {
                "description": d(
                    "自动转入: 一个步骤编号, 或带条件的分支列表 (最后一个为否则)",
                    "automatic next: a step id, or a list of guarded branches ending with an otherwise",
                ),
                "anyOf": [
                    {"$ref": "#/$defs/stepId"},
                    {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/branch"}},
                ],
            },
            "choices": {
                "type": "array",
                "minItems": 1,
                "items": {"$ref": "#/$defs/choice"},
                "description": d("由员工选择的去向", "where to go, picked by staff"),
            },
            "call": {
                "type": "string",
                "pattern": KEBAB,
                "x-kind": "kebab-id",
                "description": d(
                    "调用另一个流程, 结束后回到本步的 next",
                    "run another procedure, then continue at this step's next",
                ),
            },
            "with": {
                "type": "object",
                "propertyNames": {"$ref": "#/$defs/inputName"},
                "additionalProperties": {"type": ["string", "number", "boolean"]},
                "description": d(
                    "调用时传给被调用流程的输入项", "inputs passed to the called procedure"
                ),
            },
            "parallel": {"$ref": "#/$defs/parallel"},
            "end": {
                "x-kind": "outcome",  # explained by the branch the value fits
                "oneOf": [
                    {"type": "string", "pattern": SNAKE, "x-kind": "snake-id"},
                    {
                        "type": "object",
                        "required": ["outcome"],
                        "additionalProperties": False,
                        "properties": {
                            "outcome": {
                                "type": "string",
                                "pattern": SNAKE,
                                "x-kind": "snake-id",
                                "description": d(
                                    "结果的编号, 如 completed (用于统计和场景的 expect)",
                                    "the outcome's id, e.g. completed (for counts and expect:)",
                                ),
                            },
                            "title": {
                                "type": "string",
                                "minLength": 1,
                                "description": d(
                                    "员工看到的结果说法, 如 客户已登记离开 (不写时用本步骤的名称)",
                                    "the outcome in staff's words (default: this step's title)",
                                ),
                            },
                        },
                    },
                ],
                "description": d(
                    "结束步骤及其结果, 如 completed、escalated; "
                    "或 {outcome: completed, title: 客户已登记离开}, 给结果一个员工看的说法",
                    "a final step and its outcome, e.g. completed; or "
                    "{outcome: completed, title: …} to give the outcome staff's words",
                ),
            },
            "every": {
                "$ref": "#/$defs/duration",
                "description": d(
                    "在此步期间定期提醒, 如 8-10min", "a recurring reminder while in this step"
                ),
            },
            "within": {
                "$ref": "#/$defs/duration",
                "description": d(
                    "期限: 从进入此步起计算, 如 24h", "a deadline counted from entering the step"
                ),
            },
            "at": {
                "$ref": "#/$defs/clock",
                "description": d('例行工作的时刻, 如 "19:00"', "clock time for routines"),
            },
            "due": {"$ref": "#/$defs/due"},
            "milestone": {
                "description": d(
                    "完成此步即记录该里程碑; 或 {name: 里程碑, from: 表单.字段}: 以记录的日期为准",
                    "completing this step records this milestone; or {name, from: form.field} "
                    "to take its date from a recorded field",
                ),
                "anyOf": [
                    {"$ref": "#/$defs/inputName"},
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["name"],
                        "properties": {
                            "name": {
                                "$ref": "#/$defs/inputName",
                                "description": d("里程碑编号", "the milestone"),
                            },
                            "from": {
                                "type": "string",
                                "pattern": "^[a-z][a-z0-9_]*\\.[a-z][a-z0-9_]*$",
                                "description": d(
                                    "日期取自此步记录的字段: 表单编号.字段编号 (日期或日期时间)",
                                    "the recorded date or datetime field it is taken from: form.field",
                                ),
                            },
                        },
                    },
                ],
            },
            "timeout": {
                "$ref": "#/$defs/stepId",
                "description": d(
                    "超时转入: 此步的 within 或 due 过了仍未完成时, 在下一次提问时 (或 sop resume 时) 转入这一步, 如上报经理",
                    "once this step's within or due has passed, the run moves to this step "
                    "(at the next prompt, or on resume)",
                ),
            },
            "hint": {"$ref": "#/$defs/hint"},
            "notes": {"$ref": "#/$defs/notes"},
            "note": {"$ref": "#/$defs/legacyNote", "deprecated": True},
            "source": {
                "$ref": "#/$defs/text",
                "description": d(
                    "原文出处, 如 000 §3.2.1.2C", "where in the sources this comes from"
                ),
            },
            "stage": {
                "$ref": "#/$defs/text",
                "description": d(
                    "所属阶段, 如客户旅程的 温馨牵手; 同一阶段的步骤在时间线上归在一起",
                    "the stage this step belongs to, e.g. a journey stage",
                ),
            },
            "status": {
                "enum": ["unverified"],
                "description": d(
                    "unverified: 原文不全, 内容未经核实", "unverified: the source is incomplete"
                ),
            },
            "evidence": {"$ref": "#/$defs/evidence"},
            "set": {
                "$ref": "#/$defs/set",
                "description": d(
                    '做完此步时 (判断去向之前) 给输入项赋新值, 如 {attempts: "{{ attempts + 1 }}"}',
                    "inputs given new values once this step is done, before its way out is judged",
                ),
            },
            "escalate": {"$ref": "#/$defs/escalate"},
        },
    },
    "milestone": {
        "type": "object",
        "additionalProperties": False,
        "required": ["title"],
        "description": d("旅程的里程碑 (如 签约日)", "a journey milestone"),
        "properties": {
            "title": {
                "$ref": "#/$defs/text",
                "description": d("里程碑名称, 如 签约日", "milestone title"),
            }
        },
    },
}

# The advisory rules a procedure may silence: the engine's own list.
WARNING_RULES = sorted(r.id for r in registry().values() if r.level is WARNING)

sop = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://sop.invalid/schemas/sop.schema.json",
    "title": "SOP 流程文件 (procedure)",
    "description": d(
        "一个标准作业流程: 步骤、岗位、话术、检查项、记录和时限", "one standard operating procedure"
    ),
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "title", "kind", "start", "steps"],
    "properties": {
        "id": {
            "type": "string",
            "pattern": KEBAB,
            "x-kind": "kebab-id",
            "description": d(
                "流程编号, 与文件名相同 (不含 .yaml), 如 show-flat",
                "procedure id, equal to the file name stem",
            ),
        },
        "title": {
            "$ref": "#/$defs/text",
            "description": d("流程名称, 如 样板房服务流程", "procedure title"),
        },
        "kind": {
            "enum": ["service", "emergency", "routine", "situation", "journey"],
            "description": d(
                "类别: service 服务, emergency 应急, routine 例行, situation 情境, journey 客户旅程",
                "kind",
            ),
        },
        "mode": {
            "enum": ["do-confirm", "read-do"],
            "description": d(
                "检查方式: do-confirm 先做后确认 (默认); read-do 逐项读后做", "checklist mode"
            ),
        },
        "version": {"$ref": "#/$defs/version", "description": d("流程版本号", "procedure version")},
        "source": {
            "description": d("原文出处, 如 000 §3.5", "where the wording comes from"),
            "anyOf": [
                {"$ref": "#/$defs/text"},
                {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/text"}},
            ],
        },
        "purpose": {"$ref": "#/$defs/text", "description": d("目的", "purpose")},
        "scope": {"$ref": "#/$defs/text", "description": d("适用范围", "scope")},
        "trigger": {
            "$ref": "#/$defs/text",
            "description": d("启动条件: 什么情况下执行本流程", "when this procedure applies"),
        },
        "priority": {
            "type": "integer",
            "minimum": 1,
            "maximum": 9,
            "description": d(
                "应急优先级, 1 最高 (emergency 必填)", "emergency priority, 1 is highest"
            ),
        },
        "roles": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"$ref": "#/$defs/roleId"},
            "description": d("参与本流程的岗位", "roles acting in this procedure"),
        },
        "inputs": {"$ref": "#/$defs/inputs"},
        "subject": {
            "anyOf": [
                {"$ref": "#/$defs/inputName"},
                {
                    "type": "array",
                    "minItems": 1,
                    "uniqueItems": True,
                    "items": {"$ref": "#/$defs/inputName"},
                },
            ],
            "description": d(
                "标明本次运行对象 (客户) 的输入项, 开始时询问, 显示在 sop due 和 sop runs 中",
                "inputs naming whom a run is about (the customer): asked first, shown in call lists",
            ),
        },
        "milestones": {
            "type": "object",
            "propertyNames": {"$ref": "#/$defs/inputName"},
            "additionalProperties": {"$ref": "#/$defs/milestone"},
            "description": d(
                "里程碑: 编号 → {title}; 任何流程都可以声明, due 从它算起",
                "milestones (any procedure): id → {title}; due counts from them",
            ),
        },
        "outcomes": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": SNAKE},
            "additionalProperties": {
                "$ref": "#/$defs/text",
                "description": d(
                    "员工和记录看到的结果说法, 如 已答复", "the outcome in staff's words"
                ),
            },
            "description": d(
                "本流程的结果, 只在这里声明一次: 编号 → 说法, 如 {answered: 已答复, escalated: 已升级}; "
                "end: answered 引用其中之一; 调用本流程的步骤可在 next 的条件中读 outcome",
                "the procedure's outcomes, declared once: id → title; end: names one; "
                "a caller's next may read outcome",
            ),
        },
        "schedule": {
            "anyOf": [
                {"$ref": "#/$defs/schedule"},
                {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/schedule"}},
            ],
            "description": d(
                "时间安排 (例行工作): 一条或一个列表, 如 {every: day, at: opening}、{every: 1h}、{every: month, by: 25}",
                "when the procedure falls due on the calendar: one entry or a list",
            ),
        },
        "start": {"$ref": "#/$defs/stepId", "description": d("第一个步骤", "the first step")},
        "steps": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"$ref": "#/$defs/stepId"},
            "additionalProperties": {"$ref": "#/$defs/step"},
            "description": d("步骤: 编号 → 步骤", "steps: id → step"),
        },
        "document": {"$ref": "#/$defs/document"},
        "escalate": {"$ref": "#/$defs/escalate"},
        "lint": {
            "type": "object",
            "additionalProperties": False,
            "description": d(
                "本流程关闭的提醒类检查", "advisory checks silenced for this procedure"
            ),
            "properties": {
                "disable": {
                    "type": "array",
                    "uniqueItems": True,
                    "items": {
                        "anyOf": [
                            {"enum": WARNING_RULES},
                            *(
                                {
                                    "const": rid,
                                    "deprecated": True,
                                    "description": d(why_zh, why_en),
                                }
                                for rid, (why_zh, why_en) in sorted(RETIRED.items())
                            ),
                        ]
                    },
                    "description": d("要关闭的检查编号", "rule ids to silence"),
                }
            },
        },
        "notes": {"$ref": "#/$defs/notes"},
    },
    "allOf": [
        {
            "if": {"properties": {"kind": {"const": "emergency"}}, "required": ["kind"]},
            "then": {"required": ["priority"]},
        },
    ],
    "$defs": sop_defs,
}

rulebook = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://sop.invalid/schemas/rulebook.schema.json",
    "title": "SOP 规则手册 (rulebook.yaml)",
    "description": d(
        "各流程共用的内容: 组织、岗位、表单、共用输入项",
        "what procedures share: organisation, roles, forms, shared inputs",
    ),
    "type": "object",
    "additionalProperties": False,
    "required": ["title", "organisation", "roles"],
    "properties": {
        "title": {"$ref": "#/$defs/text", "description": d("手册名称", "rulebook title")},
        "version": {"$ref": "#/$defs/version", "description": d("手册版本号", "rulebook version")},
        "locale": {
            "enum": ["zh-CN", "zh-TW"],
            "description": d("默认语言: zh-CN 简体 / zh-TW 繁体", "default locale"),
        },
        "organisation": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name"],
            "description": d("组织信息", "the organisation"),
            "properties": {
                "name": {"$ref": "#/$defs/text", "description": d("公司名称", "company name")},
                "site": {"$ref": "#/$defs/text", "description": d("项目/案场名称", "site name")},
                "client": {
                    "$ref": "#/$defs/text",
                    "description": d("委托方 (开发商/甲方)", "the client (developer)"),
                },
            },
        },
        "document": {"$ref": "#/$defs/document"},
        "site": {
            "type": "object",
            "additionalProperties": False,
            "description": d(
                "案场的营业时间、节假日和休息日 (流程的 schedule 按它计算)",
                "the site's hours, holidays and closed days (schedules are counted by them)",
            ),
            "properties": {
                "hours": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["open", "close"],
                    "description": d(
                        "营业时间: opening / closing 指的就是这两个时刻",
                        "opening hours: what opening / closing mean",
                    ),
                    "properties": {
                        "open": {
                            "$ref": "#/$defs/clock",
                            "description": d('开门时刻, 如 "08:30"', "opening time"),
                        },
                        "close": {
                            "$ref": "#/$defs/clock",
                            "description": d('关门时刻, 如 "19:00"', "closing time"),
                        },
                    },
                },
                "holidays": {
                    "type": "object",
                    "propertyNames": {"minLength": 1},
                    "description": d(
                        '节假日: 名称 → 日期列表, 如 春节: ["2027-02-06"]; 或 {dates: […], closed: true} 表示当天不营业',
                        "holidays: name → dates, or {dates, closed: true} when the site is closed then",
                    ),
                    "additionalProperties": {
                        "x-kind": "holiday",  # explained by the branch the value fits
                        "anyOf": [
                            {
                                "type": "array",
                                "minItems": 1,
                                "uniqueItems": True,
                                "items": {"$ref": "#/$defs/date"},
                            },
                            {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["dates"],
                                "properties": {
                                    "dates": {
                                        "type": "array",
                                        "minItems": 1,
                                        "uniqueItems": True,
                                        "items": {"$ref": "#/$defs/date"},
                                        "description": d("节日的日期", "the holiday's dates"),
                                    },
                                    "closed": {
                                        "type": "boolean",
                                        "description": d(
                                            "当天不营业: 排在这天的例行工作跳过",
                                            "the site is closed: occurrences that day are skipped",
                                        ),
                                    },
                                },
                            },
                        ],
                    },
                },
                "closed": {
                    "type": "array",
                    "uniqueItems": True,
                    "items": {"enum": list(WEEKDAYS)},
                    "description": d(
                        "每周不营业的日子, 如 [mon]; 排在这些天的例行工作跳过",
                        "weekdays the site is closed; occurrences then are skipped",
                    ),
                },
            },
        },
        "references": {
            "type": "object",
            "description": d(
                "参考文献: 设计说明和出处中引用原文时写的简称 → 文件名称和网址。手册把简称印成《文件名称》, 网址只印在参考文献附录中",
                "references: the short key designers cite (e.g. 000, 004 piece 6) → the document's title and web address; the manual prints the title, and web addresses only in its references appendix",
            ),
            "propertyNames": {"minLength": 1},
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "required": ["title"],
                "properties": {
                    "title": {
                        "$ref": "#/$defs/text",
                        "description": d(
                            "文件名称, 按原文自己的标题 (不带书名号)",
                            "the document's title as it titles itself",
                        ),
                    },
                    "url": {
                        "type": "string",
                        "pattern": "^https?://",
                        "description": d("网页地址", "web address"),
                    },
                },
            },
        },
        "roles": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"$ref": "#/$defs/roleId"},
            "description": d("岗位: 编号 → {name, duties}", "roles: id → {name, duties}"),
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name"],
                "description": d("一个岗位", "a role"),
                "properties": {
                    "name": {
                        "$ref": "#/$defs/text",
                        "description": d("岗位中文名称, 如 形象岗", "the role's name"),
                    },
                    "duties": {
                        "type": "array",
                        "items": {"$ref": "#/$defs/text"},
                        "description": d("岗位职责", "duties"),
                    },
                    "source": {"$ref": "#/$defs/text", "description": d("原文出处", "source")},
                },
            },
        },
        "forms": {
            "type": "object",
            "propertyNames": {"pattern": SNAKE},
            "description": d("表单: 编号 → {title, fields}", "forms: id → {title, fields}"),
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "required": ["title", "fields"],
                "description": d("一张表单 (记录)", "a form (record)"),
                "properties": {
                    "title": {
                        "$ref": "#/$defs/text",
                        "description": d("表单名称, 如 样板间客户接待记录表", "form title"),
                    },
                    "source": {"$ref": "#/$defs/text", "description": d("原文出处", "source")},
                    "fields": {
                        "type": "object",
                        "minProperties": 1,
                        "propertyNames": {"pattern": SNAKE},
                        "description": d(
                            "字段: 编号 → {label, type}", "fields: id → {label, type}"
                        ),
                        "additionalProperties": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["label", "type"],
                            "description": d("一个字段", "a field"),
                            "properties": {
                                "label": {
                                    "$ref": "#/$defs/text",
                                    "description": d("字段名称, 如 客户姓名", "field label"),
                                },
                                "type": {
                                    "enum": list(get_args(FieldType)),
                                    "description": d(
                                        "类型: text 文字, longtext 长文字, bool 是/否, int 整数, number 数字, choice 选项, date 日期, time 时刻, datetime 日期时间, phone 电话, score 评分 1–5, signature 签名",
                                        "field type",
                                    ),
                                },
                                "options": {
                                    "type": "array",
                                    "minItems": 1,
                                    "uniqueItems": True,
                                    "items": {"$ref": "#/$defs/text"},
                                    "description": d("choice 的可选项", "options for choice"),
                                },
                                "required": {
                                    "type": "boolean",
                                    "description": d(
                                        "是否必填 (默认 true)", "required (default true)"
                                    ),
                                },
                                "min": {"type": "number", "description": d("最小值", "minimum")},
                                "max": {"type": "number", "description": d("最大值", "maximum")},
                            },
                            "allOf": [
                                {
                                    "if": {
                                        "properties": {"type": {"const": "choice"}},
                                        "required": ["type"],
                                    },
                                    "then": {"required": ["options"]},
                                }
                            ],
                        },
                    },
                },
            },
        },
        "inputs": {"$ref": "#/$defs/inputs"},
        "queues": {
            "type": "object",
            "propertyNames": {"pattern": SNAKE},
            "description": d(
                "轮序 (各次运行共用的状态), 如销售接待轮序: 编号 → {title, role, keeper, duty}。成员是人, 用 sop queue 加入、离开、外出、归来、排序; 步骤用 turn 取人。状态由日志中的轮序事件推出",
                "queues (state shared between runs), e.g. the sales rotation: id → {title, role, keeper, duty}. Members are people, changed with sop queue (join, leave, away, back, order); a step's turn takes one. The state is derived from the journal's queue events",
            ),
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "required": ["title"],
                "description": d("一个轮序", "a queue"),
                "properties": {
                    "title": {
                        "$ref": "#/$defs/text",
                        "description": d("轮序名称, 如 销售接待轮序", "the queue's title"),
                    },
                    "role": {
                        "$ref": "#/$defs/roleId",
                        "description": d(
                            "成员所在的岗位, 如 sales_consultant", "the post its members are on"
                        ),
                    },
                    "keeper": {
                        "$ref": "#/$defs/roleId",
                        "description": d(
                            "负责维护和监督轮序的岗位, 如 sales_manager",
                            "the post that keeps and supervises it",
                        ),
                    },
                    "duty": {
                        "$ref": "#/$defs/text",
                        "description": d(
                            '轮到的人做什么 (员工看到 "由 王强 接待"), 默认 接待; 如 现场服务、值班',
                            "what the one whose turn it is does (staff read it), default 接待 (receives)",
                        ),
                    },
                },
            },
        },
    },
    "$defs": {**common_defs, "clock": sop_defs["clock"]},
}


# Standing rules, words never to say and rule tables (issue 13 §2, §4): in a
# procedure (rules:, never_say:, kind: table with entries:) and in rulebook.yaml.


def _where_shown() -> dict:
    return {
        "type": "array",
        "minItems": 1,
        "uniqueItems": True,
        "items": {"$ref": "#/$defs/stepId"},
        "description": "在哪些步骤 (规则表: 哪些条目) 显示; 不写时整个流程都适用 (the steps (in a "
        "table: entries) where it is shown; absent: the whole procedure)",
    }


def rule_def(*, steps: bool) -> dict:
    """A standing rule: in a procedure (with the steps it is shown at) or in
    rulebook.yaml (for every procedure, no steps)."""
    properties = {
        "id": {
            "type": "string",
            "pattern": "^[a-z][a-z0-9_]*$",
            "x-kind": "snake-id",
            "description": "守则编号: 小写字母、数字和下划线, 在本文件中不重复, 如 no_sitting (the rule's "
            "id: snake_case, unique in the file)",
        },
        "text": {
            "$ref": "#/$defs/text",
            "x-audience": "staff",
            "description": "守则原文, 员工读到的文字, 如 不得让客户坐在样板房的家具上 (the rule as staff "
            "read it, verbatim from the source)",
        },
        "role": {
            "$ref": "#/$defs/posts",
            "description": "守则约束的岗位; 不写时约束全部岗位 (the post(s) it binds; absent: "
            "every post)",
        },
        **({"steps": _where_shown()} if steps else {}),
        "hint": {"$ref": "#/$defs/hint"},
        "cite": {
            "$ref": "#/$defs/text",
            "description": "原文出处, 如 000 §3.5 (where the rule comes from)",
        },
        "notes": {"$ref": "#/$defs/notes"},
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "text"],
        "description": '一条守则: 一直要遵守的规定, 不是一个要勾选的步骤; 在岗位卡、话术卡、手册和运行时它涉及的步骤显示, 从不询问 "完成?" (a standing '
        "rule: always in force, never a tickable step)",
        "properties": properties,
    }


def never_say_def(*, steps: bool) -> dict:
    """Words never to say: in a procedure (with the steps they concern) or in
    rulebook.yaml (for every procedure, no steps)."""
    properties = {
        "text": {
            "$ref": "#/$defs/text",
            "x-audience": "staff",
            "description": "禁用语: 不能对客户说的话, 如 我不知道 (words never to say)",
        },
        "instead": {
            "$ref": "#/$defs/text",
            "x-audience": "staff",
            "description": "应当怎么说 (原文有时照录), 如 请稍等, 我帮您确认一下 (what to "
            "say instead)",
        },
        "role": {
            "$ref": "#/$defs/posts",
            "description": "约束的岗位; 不写时约束全部岗位 (the post(s) it binds; "
            "absent: every post)",
        },
        **({"steps": _where_shown()} if steps else {}),
        "cite": {"$ref": "#/$defs/text", "description": "原文出处 (where it comes from)"},
        "notes": {"$ref": "#/$defs/notes"},
    }
    return {
        "description": "一条禁用语: 直接写文字, 或写成 {text, instead, role, steps, cite, notes} (words never to "
        "say: plain text, or {text, instead, …})",
        "x-kind": "never-say",
        "anyOf": [
            {"$ref": "#/$defs/text"},
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["text"],
                "properties": properties,
            },
        ],
    }


sop_defs["rule"] = rule_def(steps=True)
sop_defs["neverSay"] = never_say_def(steps=True)

sop_defs["entry"] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "number", "title"],
    "description": "规则表的一个条目: 情形 (title)、做法 (do)、说法 (say)、禁用语、记录; 写 when 时按表的输入项判断 (one entry of "
    "a rule table)",
    "properties": {
        "id": {
            "type": "string",
            "pattern": "^[a-z][a-z0-9_]*$",
            "x-kind": "snake-id",
            "description": "条目编号: 小写字母、数字和下划线, 不重复 (the entry's id, snake_case, "
            "unique)",
        },
        "number": {
            "type": "integer",
            "minimum": 1,
            "maximum": 999,
            "description": "序号, 与原文一致, 员工可输入序号查找 (the entry's number as in the "
            "source; staff can type it)",
        },
        "title": {
            "$ref": "#/$defs/text",
            "description": "情形 (触发条件), 原文照录, 如 客户在样板房吸烟怎么办 (the situation, "
            "verbatim)",
        },
        "role": {
            "$ref": "#/$defs/posts",
            "description": "处理此情形的岗位 (the post that handles it)",
        },
        "when": {
            "$ref": "#/$defs/guard",
            "description": "判断条件 (按表的输入项); 第一条成立的条目适用 (a condition over the "
            "table's inputs; the first entry that holds applies)",
        },
        "otherwise": {
            "const": True,
            "description": "否则: 其他条目都不成立时适用, 写在最后 (the otherwise: applies "
            "when no other entry does; written last)",
        },
        "do": {
            "type": "array",
            "minItems": 1,
            "items": {"$ref": "#/$defs/item"},
            "description": "要做的事 (检查单), 每项可加 when / critical (what to do (checklist "
            "items))",
        },
        "say": {
            "type": "array",
            "minItems": 1,
            "items": {"$ref": "#/$defs/item"},
            "description": "要说的话 (标准用语), 原文照录; 可用 {{ 输入项 }} (what to say (standard "
            "phrases), verbatim)",
        },
        "never_say": {
            "type": "array",
            "minItems": 1,
            "items": {"$ref": "#/$defs/neverSay"},
            "description": "禁用语: 不能说的话, 可写应当怎么说 (instead); 同一流程的 say 中出现时报错 "
            "(words never to say, with what to say instead)",
        },
        "record": {
            "$ref": "#/$defs/record",
            "description": "这一条要填写的表单字段: 表单编号 → [字段…]、all, 或 {fields, when} "
            "(仅在条件成立时填写) (form fields filled for this entry: form id → [fields], all, "
            "or {fields, when}, only when it holds)",
        },
        "call": {
            "type": "string",
            "pattern": "^[a-z][a-z0-9]*(-[a-z0-9]+)*$",
            "x-kind": "kebab-id",
            "description": "调用另一个流程, 结束后回到本步的 next (run another procedure, then "
            "continue at this step's next)",
        },
        "with": {
            "type": "object",
            "propertyNames": {"$ref": "#/$defs/inputName"},
            "additionalProperties": {"type": ["string", "number", "boolean"]},
            "description": "调用时传给被调用流程的输入项 (inputs passed to the called procedure)",
        },
        "hint": {"$ref": "#/$defs/hint"},
        "cite": {
            "$ref": "#/$defs/text",
            "description": "原文出处, 如 002 篇三 1 (where it comes from)",
        },
        "notes": {"$ref": "#/$defs/notes"},
    },
    "not": {"required": ["when", "otherwise"]},
}

sop["properties"]["rules"] = {
    "type": "array",
    "minItems": 1,
    "items": {"$ref": "#/$defs/rule"},
    "description": '守则: 一直要遵守的规定 (不是步骤, 从不询问 "完成?"); 只有守则、没有步骤的流程是一份行为规范, 可以印出, 不能运行 (standing '
    "rules: never asked as done; a procedure of rules only is printed, not run)",
}

sop["properties"]["never_say"] = {
    "type": "array",
    "minItems": 1,
    "items": {"$ref": "#/$defs/neverSay"},
    "description": "禁用语: 不能说的话, 可写应当怎么说 (instead); 同一流程的 say 中出现时报错 (words never to say, with "
    "what to say instead)",
}

sop["properties"]["entries"] = {
    "type": "array",
    "minItems": 1,
    "items": {"$ref": "#/$defs/entry"},
    "description": "规则表的条目 (kind: table): 每条一个情形及其做法、说法和禁用语; 员工按序号或文字查找 (a rule table's entries: "
    "each a situation and what to do and say)",
}

sop["properties"]["kind"] = {
    "enum": ["service", "emergency", "routine", "situation", "journey", "table"],
    "description": "类别: service 服务, emergency 应急, routine 例行, situation 情境, journey 客户旅程, table "
    "规则表 (条目, 不是步骤) (kind)",
}

sop["required"] = ["id", "title", "kind"]

sop["allOf"] = [
    {
        "if": {"properties": {"kind": {"const": "emergency"}}, "required": ["kind"]},
        "then": {"required": ["priority"]},
    },
    {
        "if": {"properties": {"kind": {"const": "table"}}, "required": ["kind"]},
        "then": {"required": ["entries"], "properties": {"start": False, "steps": False}},
        "else": {
            "properties": {"entries": False},
            "if": {
                "anyOf": [
                    {"required": ["steps"]},
                    {"not": {"anyOf": [{"required": ["rules"]}, {"required": ["never_say"]}]}},
                ]
            },
            "then": {"required": ["start", "steps"]},
        },
    },
]

rulebook["$defs"]["posts"] = sop_defs["posts"]  # one definition for both files

rulebook["$defs"]["neverSay"] = never_say_def(steps=False)
rulebook["$defs"]["rule"] = rule_def(steps=False)

rulebook["properties"]["rules"] = {
    "type": "array",
    "minItems": 1,
    "items": {"$ref": "#/$defs/rule"},
    "description": "全体守则: 每个流程都适用 (或写 role 只约束那些岗位), 如 礼貌礼节 (standing rules for every procedure, "
    "or for the posts named by role)",
}

rulebook["properties"]["never_say"] = {
    "type": "array",
    "minItems": 1,
    "items": {"$ref": "#/$defs/neverSay"},
    "description": "全体禁用语: 每个流程都适用 (words never to say, in every procedure)",
}


for name, schema in (("sop", sop), ("rulebook", rulebook)):
    out = ROOT / "schemas" / f"{name}.schema.json"
    out.write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print("wrote", out)
