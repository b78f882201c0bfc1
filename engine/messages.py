"""Every message a person reads from `sop validate`, in Chinese and English.

Messages follow actionlint's shape: what is wrong, the offending value quoted,
then what was expected or "did you mean". A problem names its rule and
variant; the template is chosen here, so checks never build sentences.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from engine.problems import Problem
from engine.source import visible

Lang = str  # "zh" | "en"

# rule -> variant -> (zh, en); variant "" is the default.
CATALOGUE: dict[str, dict[str, tuple[str, str]]] = {
    # ---- reading the file
    "not-a-file": {
        "missing": (
            '找不到文件或文件夹 "{file}"。请检查路径',
            'no such file or folder "{file}". check the path',
        ),
        "directory": ('"{file}" 是文件夹, 不是文件', '"{file}" is a folder, not a file'),
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
    "file-too-large": {
        "": (
            "文件太大 ({size} 字节), 上限为 {limit} 字节。请把流程拆成几个文件",
            "file is too large ({size} bytes); the limit is {limit} bytes. split the procedure into several files",
        )
    },
    "binary-file": {
        "": (
            "这不是文本文件 (含有 NUL 字节)。如果是 UTF-16 文件, 请另存为 UTF-8",
            "this is not a text file (it contains NUL bytes). if it is UTF-16 without a BOM, save it as UTF-8",
        )
    },
    "encoding": {
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
    "empty-file": {
        "": (
            "文件是空的。流程文件至少需要 id、title、kind、start 和 steps",
            "file is empty. a procedure needs at least id, title, kind, start and steps",
        )
    },
    "stray-character": {
        "": (
            "此处有看不见的字符 {code} ({name})。请删除它 (常见于从网页或 Word 复制的文字)",
            "invisible character {code} ({name}) here. delete it (it often comes with text copied from web pages or Word)",
        ),
        "escaped": (
            "双引号中的 {escape} 写出了看不见的字符 {code} ({name})。规则手册的文字中不能有控制字符、看不见的字符或文字方向控制符 (它们会扰乱屏幕和打印的显示), 请删除它",
            "{escape} in double quotes writes the invisible character {code} ({name}). rulebook text cannot hold control, invisible or text-direction characters (they garble screens and print); delete it",
        ),
    },
    "indentation": {
        "tab": (
            "缩进中有 Tab 字符, YAML 只允许空格缩进。请把 Tab 换成空格",
            "tab character in indentation; YAML indents with spaces only. replace the tab with spaces",
        ),
        "fullwidth": (
            "缩进中有全角空格 (U+3000)。请换成半角空格",
            "full-width space (U+3000) in indentation. replace it with ordinary spaces",
        ),
    },
    "fullwidth-colon": {
        "": (
            '键 "{key}" 后面是全角冒号 "："。请改成半角冒号加空格: "{key}: "',
            'full-width colon "：" after key "{key}". use an ASCII colon and a space: "{key}: "',
        )
    },
    "colon-space": {
        "": (
            '键 "{key}" 的冒号后面缺少空格, 整行会被当成一段文字。请写成 "{key}: …"',
            'no space after the colon of key "{key}", so the whole line reads as text. write "{key}: …"',
        )
    },
    "yaml-syntax": {
        "": ("YAML 写法有误: {detail}", "YAML syntax error: {detail}"),
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
        "unclosed-quote": ("引号没有闭合", "a quote is not closed"),
        "sequence-here": (
            '此处不能开始列表 "- …"。请检查缩进',
            'a list "- …" cannot start here. check the indentation',
        ),
        "flow-end": (
            "方括号或花括号中缺少逗号或闭合括号",
            "a comma or closing bracket is missing in [ ] or {{ }}",
        ),
    },
    "comma-in-list": {
        "": (
            '方括号列表中的半角逗号把 "{left},{right}" 分成了两项。如果这是一句话, 请给它加引号: ["{left},{right}"], 或写成 "- …" 列表',
            'the ASCII comma in this [ ] list splits "{left},{right}" into two items. if it is one sentence, quote it: ["{left},{right}"], or write a "- …" list',
        )
    },
    "comment-after-text": {
        "": (
            '" #" 之后的 {comment} 被当作注释忽略了, 不属于这段文字。如果它是文字的一部分, 请给整段文字加引号',
            '{comment} after " #" is read as a comment and dropped from the text. if it belongs to the text, quote the whole text',
        )
    },
    "yaml-key": {
        "": ('键为空或不是一段文字。请写成 "键: 值"', 'empty or non-text key. write "key: value"')
    },
    "duplicate-key": {
        "": (
            '键 "{key}" 重复了, 第 {first_line} 行已经写过。请删除或合并其中一个',
            'duplicate key "{key}"; it is already on line {first_line}. remove or merge one of them',
        )
    },
    "yaml-alias": {
        "": (
            '不支持别名 "*{name}"。请把内容直接写出来',
            'aliases ("*{name}") are not supported. write the content out',
        )
    },
    "yaml-anchor": {
        "": (
            '不支持锚点 "&{name}"。请把内容直接写出来',
            'anchors ("&{name}") are not supported. write the content out',
        )
    },
    "yaml-tag": {
        "": (
            '不支持标签 "{tag}"。如果要写文字, 请用引号代替',
            'tags ("{tag}") are not supported. use quotes to mark text',
        )
    },
    "multi-document": {
        "": (
            '一个文件只能有一个文档 (此处有 "---" 开始了第二个)。请把每个流程放在单独的文件里',
            'only one document per file (a second one starts here with "---"). put each procedure in its own file',
        )
    },
    "too-deep": {
        "": (
            "嵌套超过 {limit} 层。请检查缩进",
            "nesting deeper than {limit} levels. check the indentation",
        )
    },
    "scalar-too-long": {
        "": (
            "这段文字有 {length} 字, 上限为 {limit} 字。请拆成多项",
            "this text has {length} characters; the limit is {limit}. split it into several items",
        )
    },
    # ---- structure (JSON Schema)
    "unknown-key": {
        "": (
            '{where}中没有 "{key}" 这个键。{hint}可用的键: {expected}',
            'unknown key "{key}" in {where_en}. {hint}expected one of: {expected}',
        )
    },
    "required-key": {
        "": ('{where}缺少必填的键 "{key}"', '{where_en} is missing the required key "{key}"'),
        "priority": (
            '应急流程 (kind: emergency) 必须写 "priority" (1–9, 1 最高)',
            'an emergency procedure (kind: emergency) needs "priority" (1–9, 1 is highest)',
        ),
        "options": (
            '选项类型 (type: choice) 必须写 "options"',
            'a choice (type: choice) needs "options"',
        ),
    },
    "wrong-type": {
        "": (
            '"{key}" 应该是{expected}, 但写的是{actual} {value}',
            '"{key}" should be {expected_en}, but it is {actual_en} {value}',
        ),
        "quote": (
            '"{key}" 应该是文字, 但 {value} 会被读成{actual}。请加引号: "{text}"',
            '"{key}" should be text, but {value} reads as {actual_en}. quote it: "{text}"',
        ),
        "bool-word": (
            '"{key}" 应该是 true 或 false, 但写的是 {value}。是/否请写 true/false',
            '"{key}" should be true or false, but it is {value}. write true or false',
        ),
    },
    "invalid-value": {
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
        "clock-fullwidth": (
            '时刻 {value} 用了全角字符。请用半角数字和冒号, 如 "08:30"',
            'clock time {value} uses full-width characters. use ASCII digits and colon, like "08:30"',
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
        "empty": ('"{key}" 不能为空', '"{key}" must not be empty'),
        "unique": ('"{key}" 中有重复的项', '"{key}" has duplicate entries'),
        "range": (
            '"{key}" 的值 {value} 超出范围 ({expected})',
            '"{key}" value {value} is out of range ({expected})',
        ),
        "due": (
            "due 要写成 {{after 或 before: 里程碑, days/weeks/months/years/hours: 数字}}, 各写一个",
            "due needs exactly one of after/before and one of hours/days/weeks/months/years",
        ),
        "": ('"{key}" 的值 {value} 无效', 'invalid value {value} for "{key}"'),
    },
    # ---- references
    "missing-rulebook": {
        "": (
            "找不到 rulebook.yaml (岗位、表单等共用内容)。请在流程文件所在的文件夹中创建它",
            "no rulebook.yaml found (roles, forms and shared inputs). create one in the procedures' folder",
        )
    },
    "id-mismatch": {
        "": (
            '流程编号 "{id}" 与文件名 "{stem}" 不一致。请改成 id: {stem}, 或把文件改名为 {id}.yaml',
            'procedure id "{id}" does not match the file name "{stem}". write id: {stem}, or rename the file {id}.yaml',
        )
    },
    "duplicate-id": {
        "": (
            '流程编号 "{id}" 已在 {other} 中使用。每个流程的编号必须唯一',
            'procedure id "{id}" is already used in {other}. every procedure needs its own id',
        )
    },
    "unknown-step": {
        "": (
            '步骤 "{name}" 不存在{where}。{hint}本流程的步骤: {known}',
            'step "{name}" does not exist{where_en}. {hint}steps here: {known}',
        )
    },
    "unknown-procedure": {
        "": (
            '调用的流程 "{name}" 不存在。{hint}已有的流程: {known}',
            'called procedure "{name}" does not exist. {hint}procedures: {known}',
        )
    },
    "unknown-role": {
        "": (
            '岗位 "{name}" 未在 rulebook.yaml 的 roles 中定义。{hint}已有的岗位: {known}',
            'role "{name}" is not defined in rulebook.yaml roles. {hint}roles: {known}',
        )
    },
    "role-not-listed": {
        "": (
            '岗位 "{name}" 没有列在本流程的 roles 中。请把它加入 roles: [{listed}]',
            'role "{name}" is not listed in this procedure\'s roles. add it to roles: [{listed}]',
        )
    },
    "unknown-form": {
        "": (
            '表单 "{name}" 未在 rulebook.yaml 的 forms 中定义。{hint}已有的表单: {known}',
            'form "{name}" is not defined in rulebook.yaml forms. {hint}forms: {known}',
        )
    },
    "unknown-field": {
        "": (
            '表单 "{form}" 没有字段 "{name}"。{hint}该表单的字段: {known}',
            'form "{form}" has no field "{name}". {hint}its fields: {known}',
        )
    },
    "unknown-input": {
        "": (
            '输入项 "{name}" 未在{owner}的 inputs 中声明。{hint}已声明的输入项: {known}',
            'input "{name}" is not declared in the inputs of {owner_en}. {hint}declared: {known}',
        )
    },
    "unknown-milestone": {
        "": (
            '里程碑 "{name}" 未在本流程的 milestones 中声明。{hint}已声明的里程碑: {known}',
            'milestone "{name}" is not declared in this procedure\'s milestones. {hint}declared: {known}',
        )
    },
    "with-value": {
        "": (
            '传给 "{name}" 的值 {value} 不符合流程 "{callee}" 中它的类型 {type}{detail}',
            'value {value} passed to "{name}" does not fit its type {type} in procedure "{callee}"{detail_en}',
        )
    },
    "input-default": {
        "": (
            '输入项 "{name}" 的默认值 {value} 与类型 {type} 不符{detail}',
            'default {value} of input "{name}" does not fit its type {type}{detail_en}',
        )
    },
    # ---- structure of the flow
    "one-way-out": {
        "none": (
            '步骤 "{step}" 没有出口。请写 next、choices、call+next 或 end 中的一种',
            'step "{step}" has no way out. write one of next, choices, call+next or end',
        ),
        "many": (
            '步骤 "{step}" 有多种出口 ({keys}), 只能保留一种',
            'step "{step}" has several ways out ({keys}); keep exactly one',
        ),
        "call-without-next": (
            '步骤 "{step}" 调用了流程但没有写 next (调用结束后去哪里)',
            'step "{step}" calls a procedure but has no next (where to go after it returns)',
        ),
        "with-without-call": (
            '步骤 "{step}" 写了 with 但没有 call。with 只能和 call 一起用',
            'step "{step}" has with but no call. with only goes with call',
        ),
    },
    "otherwise-last": {
        "missing": (
            '自动转入的最后一个分支必须不带 when (即"否则"), 否则可能无处可去。请加上 {{to: …}}',
            "the last branch of an automatic next must have no when (the otherwise), or the run can get stuck. add {{to: …}}",
        ),
        "not-last": (
            '不带 when 的分支 ("否则") 必须放在最后, 它后面的分支永远不会被选中',
            "the branch without when (the otherwise) must be last; branches after it are never taken",
        ),
    },
    "unreachable-step": {
        "": (
            '步骤 "{step}" 从 start 出发无法到达。请从某个步骤的 next/choices 指向它, 或删除它',
            'step "{step}" cannot be reached from start. point a next/choice at it, or delete it',
        )
    },
    "dead-end": {
        "": (
            '从步骤 "{step}" 出发永远到不了结束 (end) 步骤。请检查它之后的去向',
            'no end step can be reached from step "{step}". check where it leads',
        )
    },
    "call-cycle": {
        "": (
            "流程之间循环调用: {cycle}。请打断这个循环",
            "procedures call each other in a cycle: {cycle}. break the cycle",
        )
    },
    # ---- expressions
    "expression-syntax": {
        "": ("{what} {text} 写法有误: {detail}", "{what_en} {text} does not parse: {detail}"),
        "braces": (
            "条件不用写 {{{{ }}}} 或 {{% %}}: when 的内容本身就是表达式。请写成 when: {fixed}",
            "a guard takes no {{{{ }}}} or {{% %}}: what follows when: is an expression already. write when: {fixed}",
        ),
        "braces-only": (
            '条件 {text} 中不用写 {{{{ }}}} 或 {{% %}}: when 的内容本身就是表达式。请去掉括号 (如 when: "{{{{ vip }}}}" 写成 when: vip)',
            'a guard takes no {{{{ }}}} or {{% %}}: {text} is an expression already. drop the braces (when: "{{{{ vip }}}}" is written when: vip)',
        ),
    },
    "expression-forbidden": {
        "": (
            "{what}中不允许使用{construct}。只能用输入项名称、常量、比较、and/or/not、in 和 if/else",
            "{construct_en} is not allowed in {what_en}. use input names, constants, comparisons, and/or/not, in and if/else",
        ),
        "filter": (
            '不允许使用过滤器 "{name}"。可用的过滤器: {allowed}',
            'filter "{name}" is not allowed. allowed filters: {allowed}',
        ),
        "underscore": (
            '不允许使用以下划线开头的名称 "{name}"',
            'names starting with an underscore ("{name}") are not allowed',
        ),
        "oversized": (
            "常量 {name} 太大 (文字最多 200 字, 数字最大 10 亿)",
            "constant {name} is too large (text up to 200 characters, numbers up to 1e9)",
        ),
    },
    "undeclared-name": {
        "": (
            '名称 "{name}" 未声明。请在 inputs 中声明它。{hint}可用的名称: {known}',
            'name "{name}" is not declared. declare it in inputs. {hint}known names: {known}',
        )
    },
    # ---- human factors (warnings)
    "too-many-items": {
        "": (
            '步骤 "{step}" 有 {count} 项要做, 超过 {limit} 项, 现场难以记住。请拆成几个步骤',
            'step "{step}" has {count} items to do, more than {limit}; too many to hold in mind. split the step',
        )
    },
    "editorial-text": {
        "url": (
            '给员工看的文字 {field} 中有网址 "{found}"。网址是编辑依据, 请移到 notes (设计说明) 或 docs/sources.md, 给员工只留简短的提示 (hint)',
            'staff-facing text {field} carries a URL "{found}". web addresses are editorial: move them to notes (design notes) or docs/sources.md and leave staff a short hint',
        ),
        "inventory": (
            '给员工看的文字 {field} 中引用了调研清单 "{found}"。请移到 notes (设计说明) 或 docs/sources.md, 给员工只留简短的提示 (hint)',
            'staff-facing text {field} cites the research inventory "{found}". move it to notes (design notes) or docs/sources.md and leave staff a short hint',
        ),
        "section": (
            '给员工看的文字 {field} 中有章节号 "{found}"。出处是编辑依据, 请移到 notes (设计说明) 或 source, 给员工只留简短的提示 (hint)',
            'staff-facing text {field} carries a section mark "{found}". sources are editorial: move it to notes (design notes) or source and leave staff a short hint',
        ),
        "source": (
            '给员工看的文字 {field} 中谈到原文出处 "{found}"。对原文的取舍请写在 notes (设计说明) 和 docs/sources.md, 给员工只留简短的提示 (hint)',
            'staff-facing text {field} discusses the source ("{found}"). reasoning about the source goes to notes (design notes) and docs/sources.md; leave staff a short hint',
        ),
        "id": (
            '给员工看的文字 {field} 中有编号 "{found}"。员工看不懂编号, 请写步骤或栏目的中文名称, 或把这句移到 notes (设计说明)',
            'staff-facing text {field} carries the id "{found}". staff do not read ids: name the step or field in words, or move the sentence to notes (design notes)',
        ),
    },
    "emergency-trigger": {
        "": (
            "应急流程没有写 trigger (什么情况下启动)。请补上, 员工需要据此判断",
            "emergency procedure has no trigger (when it applies). add one so staff can recognise the situation",
        )
    },
    "critical-order": {
        "": (
            '关键项 "{item}" 排在非关键项之后。请把关键项 (critical: true) 移到最前面',
            'critical item "{item}" comes after a non-critical one. move critical items first',
        )
    },
    "unused-input": {
        "": (
            '输入项 "{name}" 已声明但从未使用。请删除它, 或在 when/话术中使用',
            'input "{name}" is declared but never used. remove it or use it in a guard or text',
        )
    },
    "unused-role": {
        "": (
            '岗位 "{name}" 已列出但没有任何步骤或项由它执行。请删除它, 或指定给步骤',
            'role "{name}" is listed but no step or item uses it. remove it or assign it',
        )
    },
    "unused-form": {
        "": (
            '表单 "{name}" 已定义但没有任何流程记录它。请删除它, 或在步骤的 record 中使用',
            'form "{name}" is defined but no procedure records it. remove it or record it in a step',
        )
    },
    "revision-version": {
        "": (
            '最后一条修订记录的版本 "{last}" 与流程版本 "{version}" 不一致。请补上修订记录或改正版本号',
            'the last revision\'s version "{last}" differs from the procedure version "{version}". add a revision or fix the version',
        )
    },
}

SUMMARY = {
    "zh": "{files} 个文件: {errors} 个错误, {warnings} 个警告",
    "en": "{files}: {errors}, {warnings}",
}
CLEAN = {"zh": "{files} 个文件, 没有发现问题 ✓", "en": "{files}, no problems found ✓"}
DID_YOU_MEAN = {"zh": ' 是否想写 "{s}"?', "en": ' did you mean "{s}"?'}


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


def listing(names: Iterable[str], limit: int = 8) -> str:
    items = sorted(set(names))
    if not items:
        return "(无 / none)"
    shown = ", ".join(items[:limit])
    return shown + (f", … (+{len(items) - limit})" if len(items) > limit else "")


class _Args(dict[str, object]):
    def __missing__(self, key: str) -> str:
        # An English template may ask for `x_en`; fall back to `x`.
        if key.endswith("_en") and key[:-3] in self:
            return str(self[key[:-3]])
        return ""


def render(problem: Problem, lang: Lang = "zh") -> str:
    variants = CATALOGUE.get(problem.rule, {})
    pair = variants.get(problem.variant) or variants.get("") or next(iter(variants.values()), None)
    if pair is None:
        return problem.rule
    template = pair[0] if lang == "zh" else pair[1]
    # Values quoted from a file show their invisible characters by name.
    args = _Args({k: visible(v) if isinstance(v, str) else v for k, v in problem.args.items()})
    args.setdefault("file", problem.pos.file)
    suggestion = problem.args.get("suggestion")
    hint = DID_YOU_MEAN[lang].format(s=suggestion).strip() + " " if suggestion else ""
    if "{hint}" in template:
        return template.replace("{hint}", hint).format_map(args).rstrip()
    text = template.format_map(args)
    return text + (" " + hint.strip() if hint else "")
