"""The fixed words of the printed cards (话术卡, 检查单), of the controlled
manual and of the shared view they are rendered from, in Chinese and
English: entries of the one message
catalogue (engine/i18n.py), kept together here so the wording can be
reviewed in one place.

The rulebook's own texts (titles, lines, conditions' questions) are data and
stay as written; only these words follow `--lang`. A template gets them as
`w` (a `Words`), and calls it with the data to put in: `{{ w("version",
version=v) }}`, `{{ w.manual("sheet", n=2) }}`. The result is plain text,
escaped by the template's language like any other value, so a word or a
value can never become markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine.i18n import Lang, Message, counted_messages, current, messages

# What each kind of procedure is called (sop list, the cards, the manual).
KINDS = messages(
    "procedure.kind",
    {
        "service": ("服务", "service"),
        "emergency": ("应急", "emergency"),
        "routine": ("例行", "routine"),
        "situation": ("情境处理", "situation"),
        "journey": ("客户旅程", "journey"),
        "table": ("规则表", "rule table"),
    },
)
MODES = messages(
    "procedure.mode",
    {
        "do-confirm": ("先做后确认", "do, then confirm"),
        "read-do": ("逐项读后做", "read, then do"),
    },
)

# The cards' own words: headings, labels, notes.
CARD = messages(
    "words",
    {
        # -- shared
        "sep": ("；", "; "),
        "list-sep": ("、", ", "),
        "step": ("第{n}步", "Step {n}"),
        "entry": ("第{n}条", "Entry {n}"),
        "version": ("版本 {version}", "version {version}"),
        "trigger": ("启动条件: {trigger}", "Starts when: {trigger}"),
        "schedule": ("时间安排: {schedule}", "Schedule: {schedule}"),
        "applies": ("适用: {condition}", "applies: {condition}"),
        "hint": ("提示: {hint}", "hint: {hint}"),
        "standing-all": (
            "守则和禁用语 (各流程都适用)",
            "Rules and words never to say (every procedure)",
        ),
        "standing": ("守则和禁用语", "Rules and words never to say"),
        "standing-always": ("守则和禁用语 (一直遵守)", "Rules and words never to say (always)"),
        "rule": ("‼ 守则: {text}", "‼ rule: {text}"),
        "never": ("✗ 禁用语: {words}", "✗ never say: {words}"),
        "never-words": ("「{text}」", "「{text}」"),
        "never-instead": ("「{text}」 → 应当说「{instead}」", "「{text}」 → say 「{instead}」"),
        "rule-at": ("(在: {where})", "(at: {where})"),
        "rule-hint": ("—— 提示: {hint}", "— hint: {hint}"),
        # -- 话术卡
        "script": ("话术卡", "Script"),
        "customer": ("本次客户:", "This customer:"),
        "script-note": (
            '说明: 〔 〕内的内容按现场实际情况说出；"▷ ……时:" 是该句的适用条件。',
            'Note: say what is in 〔 〕 as it is on site; "▷ when …:" is when the line under it'
            " is said.",
        ),
        "script-note-md": (
            "〔 〕内的内容按现场实际情况说出；“……时:” 是该句的适用条件。",
            "Say what is in 〔 〕 as it is on site; “when …:” is when the line after it is said.",
        ),
        "script-note-html": (
            "〔 〕内的内容按现场实际情况说出；灰色小字是该句的适用条件。",
            "Say what is in 〔 〕 as it is on site; the small grey words say when the line under"
            " them is said.",
        ),
        "when": ("{condition} 时:", "when {condition}:"),
        "said-by": ("(由{role}说)", "({role} says)"),
        "then-script": ("→ 接着按{call}的话术", "→ then the script of {call}"),
        "no-words-here": ("(本流程没有规定的话术)", "(no words are set for this procedure)"),
        "no-words": ("(没有规定的话术)", "(no words are set)"),
        # -- 检查单
        "checklist": ("检查单", "Checklist"),
        "duties": ("岗位职责 ({role})", "Duties ({role})"),
        "checklist-note": (
            '说明: □ 完成后打勾；★ 关键项, 必须做到；"(仅当 …)" 是该项的适用条件。',
            'Note: □ tick when done; ★ critical, must be done; "(only when …)" says when an'
            " item applies.",
        ),
        "checklist-note-md": (
            "□ 完成后打勾；★ 关键项, 必须做到；“仅当 …” 是该项的适用条件。",
            "□ tick when done; ★ critical, must be done; “only when …” says when an item applies.",
        ),
        "checklist-note-tick": ("□ 完成后打勾；", "□ tick when done; "),
        "checklist-note-critical": ("★ 关键项", "★ critical"),
        "checklist-note-rest": (
            "必须做到；灰色小字是该项的适用条件。",
            ", must be done; the small grey words say when an item applies.",
        ),
        "standing-all-untick": (
            "守则和禁用语 (各流程都适用, 不用打勾)",
            "Rules and words never to say (every procedure, nothing to tick)",
        ),
        "standing-always-untick": (
            "守则和禁用语 (一直遵守, 不用打勾)",
            "Rules and words never to say (always, nothing to tick)",
        ),
        "priority": ("优先级 {priority}", "priority {priority}"),
        "on-the-day": ("当天", "That day"),
        "mode": ("执行方式: {mode}", "How: {mode}"),
        "mode-note.do-confirm": ("(做完后逐项确认打勾)", " (do it all, then tick each item)"),
        "mode-note.read-do": ("(读一项, 做一项)", " (read an item, do it)"),
        "unverified": ("(内容待核实)", "(to be verified)"),
        "critical": ("★ 关键:", "★ critical:"),
        "only-when": ("(仅当 {condition})", "(only when {condition})"),
        "done-by-post": ("(由{role})", "(by {role})"),
        "person": ("(经办人: {person})", "(done by: {person})"),
        "fill": ("填写《{title}》: {fields}", "fill in 《{title}》: {fields}"),
        "every-field": ("全部栏目", "every field"),
        "fill-only-when": ("(仅当 {condition} 时填写)", "(fill in only when {condition})"),
        "milestone": ("完成即记录里程碑: {milestone}", "once done, it marks: {milestone}"),
        "nothing-here": ("(本流程没有此岗位的事项)", "(nothing for this post in this procedure)"),
        "nothing": ("(没有事项)", "(nothing to do)"),
        "day-title": ("{day} ({weekday}) 例行工作", "Duties of {day} ({weekday})"),
        # -- ways out of a step
        "exit-end": ("■ 本流程结束", "■ the procedure ends"),
        "exit-end-as": ("■ 本流程结束: {label}", "■ the procedure ends: {label}"),
        "exit-lane-end": ("■ 本分支结束", "■ this branch ends"),
        "exit-lane-end-as": ("■ 本分支结束: {label}", "■ this branch ends: {label}"),
        "exit-call": ("→ {label}, 完成后继续", "→ {label}, then go on"),
        "exit-parallel": (
            "∥ 同时进行: {lane} ({condition})",
            "∥ at the same time: {lane} ({condition})",
        ),
        "exit-choice-if": ("→ {label} (若 {condition}): {to}", "→ {label} (if {condition}): {to}"),
        "exit-labelled": ("→ {label}: {to}", "→ {label}: {to}"),
        "exit-to": ("→ {to}", "→ {to}"),
        "exit-sets": ("(同时{sets})", "(and {sets})"),
        "step-titled": ("第{n}步 {title}", "step {n} {title}"),
    },
)

# The flowchart's own words (sop render graph; the manual's charts).
GRAPH = messages(
    "graph",
    {
        "start": ("开始", "start"),
        "call": ("调用{title}", "call {title}"),
        "end": ("结束", "end"),
        "end-as": ("结束: {title}", "end: {title}"),
        "if": ("{label} (若 {condition})", "{label} (if {condition})"),
        "form-if": ("▤《{title}》 (若 {condition})", "▤《{title}》 (if {condition})"),
        "form": ("▤《{title}》", "▤《{title}》"),
        "decides": ("按条件判断, 第一条适用的", "by condition: the first that applies"),
        "finds": ("按序号或文字查找", "found by number or words"),
        "fork": ("∥ 同时进行", "∥ at the same time"),
        "join": ("⤵ 汇合", "⤵ join"),
        "join-at": ("第{n}步等分支完成再继续", "step {n} waits for the branches"),
        "join-wait": ("等分支完成再继续", "wait for the branches"),
        "join-end": ("各分支和本流程都结束", "every branch and the procedure end"),
        "back-to": ("↑ 回到第{n}步", "↑ back to step {n}"),
        "flowchart": ("{title} 流程图", "flowchart of {title}"),
    },
)

# An amount of time, by the unit a duration (8min, 24h, 2d, 1w) or a `due:`
# (hours … years) is written in: "1 day", "2 days" (Words.amount).
AMOUNTS = counted_messages(
    "view.amount",
    {
        "min": ("{n}分钟", "{n} min", "{n} min"),
        "h": ("{n}小时", "{n} h", "{n} h"),
        "d": ("{n}天", "{n} day", "{n} days"),
        "w": ("{n}周", "{n} week", "{n} weeks"),
        "hours": ("{n}小时", "{n} hour", "{n} hours"),
        "days": ("{n}天", "{n} day", "{n} days"),
        "weeks": ("{n}周", "{n} week", "{n} weeks"),
        "months": ("{n}个月", "{n} month", "{n} months"),
        "years": ("{n}年", "{n} year", "{n} years"),
    },
)

# The view's words: conditions, timing, who does it, ways out.
VIEW = messages(
    "view",
    {
        "yes": ("是", "yes"),
        "no": ("否", "no"),
        "otherwise": ("否则", "otherwise"),
        "yes-no": ("是 / 否", "yes / no"),
        "at": ("时刻: {at}", "at: {at}"),
        "every": ("重复: 每隔{every}", "repeat: every {every}"),
        "within": (
            "时限: 进入本步起{within}内完成",
            "deadline: done within {within} of reaching it",
        ),
        "due": ("到期: {due}", "due: {due}"),
        "escalate": ("超时升级: {escalate}", "when late: {escalate}"),
        "range": ("{low}~{high}{unit}", "{low}–{high} {unit}"),
        "unit.min": ("分钟", "min"),
        "unit.h": ("小时", "h"),
        "unit.d": ("天", "days"),
        "unit.w": ("周", "weeks"),
        "due-earliest": ("{options} 中的较早者", "the earlier of {options}"),
        "due-latest": ("{options} 中的较晚者", "the later of {options}"),
        "due-after": ("{anchor}后{amount}", "{amount} after {anchor}"),
        "due-before": ("{anchor}前{amount}", "{amount} before {anchor}"),
        "late-tell": ("超时{late}告诉{role}", "{late} late: tell {role}"),
        "late-at-once-tell": ("超时即告诉{role}", "once late: tell {role}"),
        "escalate-sep": (", ", ", "),
        "who-another": (
            "另一人 (不是本人) 确认并签名",
            "another person (not the one who did it) confirms and signs",
        ),
        "who-all": ("全体成员逐一签名 (至少两人)", "every member signs (two at least)"),
        "take-next": ("轮到的下一位", "the next in turn"),
        "take-last": ("排在最后的一位", "the last in the queue"),
        "next-note": (
            " (欠补{duty}的先轮, 外出的跳过)",
            " (those owed a {duty} first; those out are skipped)",
        ),
        "turn-counts": (
            "由{whom}{duty}, 计{duty}一次",
            "{whom} takes the {duty}; it counts as a {duty}",
        ),
        "turn-free": (
            "由{whom}{duty}, 不计{duty}次数",
            "{whom} takes the {duty}; it does not count",
        ),
        "turn-credit": (
            "{whom}本次不计{duty}, 补{duty}一次",
            "{whom}: not counted, and owed a {duty}",
        ),
        "turn-binds": (", 记为「{name}」", ", noted as 「{name}」"),
        "duty": ("接待", "reception"),
        "turn": ("轮序《{title}》: {how}", "queue 《{title}》: {how}"),
        "person": ("经办人: {person}", "done by: {person}"),
        "turn-label.next": ("下一位", "next"),
        "turn-label.last": ("最后一位", "last"),
        "turn-label.named": ("指定的人", "the one named"),
        "join.all": (
            "各分支全部完成, 本流程才结束",
            "the procedure ends once every branch is done",
        ),
        "join.any": (
            "任一分支完成 (或本流程结束) 即汇合, 其余分支取消",
            "joins once any branch is done (or the procedure ends); the others are cancelled",
        ),
        "join-at.all": (
            "各分支全部完成后汇合, 汇合处: {at}",
            "joins once every branch is done, at: {at}",
        ),
        "join-at.any": (
            "任一分支完成即汇合, 其余分支取消; 汇合处: {at}",
            "joins once any branch is done, the others cancelled; at: {at}",
        ),
        "wait.all": ("⤵ 等 {lanes} 完成后再继续", "⤵ wait until {lanes} are done"),
        "wait.any": (
            "⤵ 等 {lanes} 中任一完成后再继续 (其余取消)",
            "⤵ wait until one of {lanes} is done (the others are cancelled)",
        ),
        "lane": ("第{n}步 {title}", "step {n} {title}"),
        "milestone-from": (
            "{title} (日期取自记录的{field})",
            "{title} (its date from the record's {field})",
        ),
        "timeout": ("超过期限仍未完成", "not done by the deadline"),
        "sets": ("{name} 记为 {value}", "{name} set to {value}"),
        "call": ("调用{title}", "call {title}"),
        "passes-on": ("沿用{name}", "{name} as it is"),
        "arg": ("{name}: {value}", "{name}: {value}"),
        # -- conditions in words
        "and": (" 且 ", " and "),
        "or": (" 或 ", " or "),
        "not": ("并非 {text}", "not {text}"),
        "always": ("总是", "always"),
        "never": ("从不", "never"),
        "is-yes": ("{label} 是", "{label} yes"),
        "is-no": ("{label} 否", "{label} no"),
        "is-zero": ("{label} 为 0", "{label} is 0"),
        "not-zero": ("{label} 不为 0", "{label} is not 0"),
        "known": ("{label} 已知", "{label} known"),
        "unknown": ("{label} 未知", "{label} unknown"),
        "asked-is": ("{label} {value}", "{label} {value}"),
        "asked-is-not": ("{label} 不是 {value}", "{label} not {value}"),
        "noun-is": ("{label}为{value}", "{label} is {value}"),
        "noun-is-not": ("{label}不是{value}", "{label} is not {value}"),
        "empty": ("(空)", "(empty)"),
        "weekday": ("星期{day}", "{day}"),
        "result": ("《{title}》的结果", "the result of 《{title}》"),
        "if": ("若 {condition}: {text}", "if {condition}: {text}"),
        "else": ("否则: {text}", "otherwise: {text}"),
        "unsaid": ("(不说)", "(nothing)"),
        "holds": ("条件成立", "the condition holds"),
        "builtin.now": ("当前时刻", "the time now"),
        "builtin.today": ("今天", "today"),
        "builtin.weekday": ("今天", "today"),
        "builtin.hour": ("当前钟点", "the hour now"),
    },
)
WEEKDAYS = messages(
    "view.weekday",
    {
        "1": ("一", "Monday"),
        "2": ("二", "Tuesday"),
        "3": ("三", "Wednesday"),
        "4": ("四", "Thursday"),
        "5": ("五", "Friday"),
        "6": ("六", "Saturday"),
        "7": ("日", "Sunday"),
    },
)
SHORT_WEEKDAYS = messages(
    "card.weekday",
    {
        "0": ("周一", "Mon"),
        "1": ("周二", "Tue"),
        "2": ("周三", "Wed"),
        "3": ("周四", "Thu"),
        "4": ("周五", "Fri"),
        "5": ("周六", "Sat"),
        "6": ("周日", "Sun"),
    },
)
FIELD_TYPES = messages(
    "field.type",
    {
        "text": ("文字", "text"),
        "longtext": ("长文字", "long text"),
        "bool": ("是/否", "yes/no"),
        "int": ("整数", "whole number"),
        "number": ("数字", "number"),
        "choice": ("选项", "choice"),
        "date": ("日期", "date"),
        "time": ("时刻", "time"),
        "datetime": ("日期时间", "date and time"),
        "phone": ("电话", "phone"),
        "score": ("评分 1–5", "score 1–5"),
        "signature": ("签名", "signature"),
    },
)


# The controlled manual's own words (sop render manual): cover, document
# control, section headings, table headers, step facts, appendices. Words the
# cards already have (version, priority, hint, only-when …) are CARD's.
MANUAL = messages(
    "manual",
    {
        # -- cover and document control
        "number": ("手册编号", "Manual number"),
        "version": ("版本", "Version"),
        "effective": ("生效日期", "Effective"),
        "author": ("编制", "Prepared by"),
        "reviewer": ("审核", "Reviewed by"),
        "approver": ("批准", "Approved by"),
        "client": ("委托方", "Client"),
        "printed": ("印制日期", "Printed"),
        "cover-note": (
            "共 {n} 个流程 · 本手册由 sop 从规则手册生成, 内容以规则手册为准",
            "{n} procedures · made by sop from the rulebook; the rulebook prevails",
        ),
        "printed-note": (
            "印制日期 {date} · 以受控版本为准, 打印件请核对版本",
            "Printed {date} · the controlled version prevails; check a printed copy's version",
        ),
        "running-page": ("第 {n} 页 共 {total} 页", "page {n} of {total}"),
        "doc-number": ("文件编号", "Document no."),
        "status": ("受控状态", "Control status"),
        "kind": ("类别", "Kind"),
        "basis": ("依据", "Based on"),
        "none": ("无", "None"),
        # -- the front matter
        "book-revisions": ("手册修订记录", "Revisions of the manual"),
        "front": ("手册修订记录与目录", "Revisions and contents"),
        "date": ("日期", "Date"),
        "change": ("修订内容", "Change"),
        "revised-by": ("修订人", "By"),
        "contents": ("目录", "Contents"),
        "standing-all": ("全体守则和禁用语", "Rules and words never to say, for all"),
        "standing-all-note": (
            "各流程都适用 (写明岗位的只约束这些岗位); 一直遵守, 不是要勾选的步骤。",
            "They apply to every procedure (one that names posts binds those posts only);"
            " always kept, not steps to tick.",
        ),
        "standing-note": ("一直遵守, 不是要勾选的步骤。", "Always kept, not steps to tick."),
        "standing-note-md": ("(一直遵守, 不是要勾选的步骤)", "(always kept, not steps to tick)"),
        "appendix-1": ("附录一", "Appendix 1"),
        "appendix-2": ("附录二", "Appendix 2"),
        "appendix-3": ("附录三", "Appendix 3"),
        "role-index": ("岗位索引", "Index of posts"),
        "form-list": ("表单一览", "List of forms"),
        "references": ("参考文献", "References"),
        # -- a procedure's sections
        "purpose": ("目的", "Purpose"),
        "scope": ("适用范围", "Scope"),
        "trigger": ("启动条件", "Trigger"),
        "posts": ("岗位与职责", "Posts and duties"),
        "chart": ("流程图", "Flowchart"),
        "steps": ("作业步骤", "Steps"),
        "inputs": ("判断条件", "Conditions"),
        "forms": ("记录表单", "Records"),
        "notes": ("编制说明", "Design notes"),
        "revisions": ("修订记录", "Revisions"),
        "mode-how.do-confirm": ("— 做完后逐项确认", "— do it all, then confirm each item"),
        "mode-how.read-do": ("— 读一项, 做一项", "— read an item, do it"),
        "post": ("岗位", "Post"),
        "duties": ("职责", "Duties"),
        "no-chart": (
            "无 (行为规范, 只有守则和禁用语)",
            "None (a code of conduct: only rules and words never to say)",
        ),
        "no-steps": (
            "无 (行为规范, 见上文守则和禁用语)",
            "None (a code of conduct: see its rules and words never to say above)",
        ),
        "chart-split": (
            "本流程图分几部分印出: 线条在页边断开处画有带字母的圆圈,"
            " 接到另一部分同一字母的圆圈处。",
            "This flowchart is printed in parts: where a line is cut at the edge of a page, a"
            " lettered circle joins it to the circle with the same letter in another part.",
        ),
        # -- a rule table's entries
        "entry-no": ("序号", "No."),
        "case": ("情形", "Case"),
        "do-and-say": ("做法和说法", "What to do and say"),
        "never": ("禁用语", "Never say"),
        "say": ("说", "say"),
        "when-paren": ("({condition} 时)", "(when {condition})"),
        "record-form": ("记录《{title}》", "record 《{title}》"),
        "handle-as": ("→ 按{call}处理", "→ handle as {call}"),
        "source": ("出处: {cite}", "Source: {cite}"),
        "source-paren": ("(出处: {cite})", "(source: {cite})"),
        "rule": ("守则: {text}", "rule: {text}"),
        "never-say": ("禁用语: 「{text}」", "never say: 「{text}」"),
        "instead": ("→ 应当说「{instead}」", "→ say 「{instead}」"),
        # -- a step's facts
        "fact.timing": ("时间", "When"),
        "fact.who": ("由谁", "Who"),
        "fact.ask": ("确认", "Confirm"),
        "fact.sets": ("做完本步", "Once done"),
        "fact.do": ("要做", "Do"),
        "fact.say": ("要说", "Say"),
        "fact.call": ("调用", "Calls"),
        "fact.record": ("记录", "Record"),
        "fact.milestone": ("里程碑", "Milestone"),
        "fact.exits": ("去向", "Next"),
        "fact.hint": ("提示", "Hint"),
        "fact.source": ("出处", "Source"),
        "milestone-done": ("完成即记录 {milestone}", "once done, it marks {milestone}"),
        # -- conditions, records, blank forms
        "ask": ("现场确认的情况", "Asked on site"),
        "answers": ("回答", "Answers"),
        "default": ("默认", "Default"),
        "forms-intro": (
            "本流程填写以下表单, 空白表单附后:",
            "This procedure fills in these forms; the blank forms follow:",
        ),
        "sheet": ("附表 {n}", "Form {n}"),
        "optional": ("(选填)", "(optional)"),
        "field": ("栏目", "Field"),
        "entry": ("填写", "Entry"),
        "basis-of": ("依据: {source}", "Based on: {source}"),
        "blank-date": ("{b}年{b}月{b}日", "{b}-{b}-{b} (y-m-d)"),
        "blank-datetime": ("{b}年{b}月{b}日 {b}:{b}", "{b}-{b}-{b} {b}:{b} (y-m-d h:m)"),
        "blank-next": ("{boxes}\u3000{box}", "{boxes}   {box}"),
        # -- the appendices
        "procedure": ("流程", "Procedure"),
        "role-steps": ("步骤", "Steps"),
        "in-no-procedure": ("未参与任何流程", "Takes part in no procedure"),
        "form": ("表单", "Form"),
        "filled-at": ("填写于", "Filled in at"),
        "form-fields": ("{n} 个栏目", "{n} fields"),
        "form-basis": ("· 依据 {source}", "· based on {source}"),
        "no-procedure": ("无流程填写", "No procedure fills it in"),
        "references-note": (
            "各流程的依据和编制说明所引用的文件。网页只在此列出地址。",
            "The documents the procedures' sources and design notes cite. Web addresses are"
            " listed here only.",
        ),
        "reference": ("文献", "Document"),
        "reference-source": ("来源", "Source"),
        "original": ("原始文件", "The original file"),
    },
)
# A document's control status (the rulebook language's Chinese enum), as the
# control table says it and as the running header names the document.
STATUS_KEYS = {"受控": "controlled", "非受控": "uncontrolled", "草稿": "draft", "作废": "void"}
STATUSES = messages(
    "document.status",
    {
        "controlled": ("受控", "controlled"),
        "uncontrolled": ("非受控", "uncontrolled"),
        "draft": ("草稿", "draft"),
        "void": ("作废", "void"),
    },
)
HEADERS = messages(
    "document.header",
    {
        "controlled": ("受控文件", "Controlled document"),
        "uncontrolled": ("非受控文件", "Uncontrolled document"),
        "draft": ("草稿", "Draft"),
        "void": ("作废文件", "Void document"),
    },
)


def lang_of(lang: str | None = None) -> Lang:
    """`lang`, or this process's (context's) language."""
    return "en" if (lang or current()) == "en" else "zh"


@dataclass(frozen=True, slots=True)
class Words:
    """The fixed words in one language, as a template calls them:
    `w("version", version="A/0")` (placeholders checked on every call)."""

    lang: Lang

    def __call__(self, key: str, /, **params: object) -> str:
        return self.say(CARD[key], **params)

    def manual(self, key: str, /, **params: object) -> str:
        return self.say(MANUAL[key], **params)

    def status(self, status: str | None) -> str:
        """A document's control status in words ("" when it has none)."""
        key = STATUS_KEYS.get(status or "")
        return STATUSES[key].say(self.lang) if key else status or ""

    def header(self, status: str | None) -> str:
        """What a document's running header calls it: 受控文件 unless its status says otherwise."""
        key = STATUS_KEYS.get(status) if status else "controlled"
        return HEADERS[key].say(self.lang) if key else status or ""

    def html_lang(self, locale: str) -> str:
        """An HTML page's `lang`: en when its own words are English (the
        rulebook's texts in it stay as written), else the locale (zh-CN, zh-TW)."""
        return "en" if self.lang == "en" else locale

    def boxes(self, labels: Iterable[object], space: str = " ") -> str:
        """Boxes to tick on a blank form, one per label: □ 是　□ 否."""
        boxes = [f"□{space}{label}" for label in labels]
        out = boxes[0] if boxes else ""
        for box in boxes[1:]:
            out = self.manual("blank-next", boxes=out, box=box)
        return out

    def view(self, key: str, /, **params: object) -> str:
        return self.say(VIEW[key], **params)

    def amount(self, n: int, unit: str) -> str:
        """`n` of `unit` (a duration's min/h/d/w, a due's hours…years): 2天, 1 day."""
        return AMOUNTS[unit].say(n, self.lang)

    def graph(self, key: str, /, **params: object) -> str:
        return self.say(GRAPH[key], **params)

    def say(self, msg: Message, /, **params: object) -> str:
        return msg.say(self.lang, **params)

    def kind(self, kind: str) -> str:
        found = KINDS.get(kind)
        return found.say(self.lang) if found else kind

    def mode(self, mode: str) -> str:
        found = MODES.get(mode)
        return found.say(self.lang) if found else mode

    def field_type(self, kind: str) -> str:
        found = FIELD_TYPES.get(kind)
        return found.say(self.lang) if found else kind

    def yes_no(self, value: bool) -> str:
        return self.view("yes" if value else "no")


ZH = Words("zh")
