"""Every sentence the walk-through says to staff, and the labels of its
records, in Chinese and English: entries of the one message catalogue
(engine/i18n.py), kept together here so the wording can be reviewed in one
place."""

from __future__ import annotations

from typing import Any

from engine.i18n import Lang, counted, current, messages

_TEXTS: dict[str, tuple[str, str]] = {
    # ---- step
    "step": ("第 {number} 步 (至少还有 {total} 步)", "step {number} (at least {total} to go)"),
    "step_last": ("第 {number} 步 (最后一步)", "step {number} (the last)"),
    "step_open": ("第 {number} 步", "step {number}"),
    "run": ("运行 #{run}", "run #{run}"),
    "called_by": ("由 {trail} 调用", "called from {trail}"),
    "emergency_over": ("应急 · 中断了 {trail}", "emergency · interrupted {trail}"),
    "say": ("请说:", "Say:"),
    "rules": ("守则 (一直遵守):", "Standing rules (always):"),
    "rule": ("‼ {text}", "‼ {text}"),
    "never": ("✗ 不说「{text}」", "✗ never say 「{text}」"),
    "never_instead": (
        "✗ 不说「{text}」, 应当说「{instead}」",
        "✗ never say 「{text}」; say 「{instead}」",
    ),
    "find": ("按序号或文字查找:", "Find an entry by number or words:"),
    "find_q": ("序号或文字", "number or words"),
    "find_none": (
        "没有找到「{words}」, 请换个说法或输入序号",
        "nothing matches 「{words}」; try other words or a number",
    ),
    "find_many": ("找到 {n} 条, 请输入序号:", "{n} entries match; type a number:"),
    "do": ("请做:", "Do:"),
    "read_do": ("逐项读后做 (共 {n} 项):", "Read each item, then do it ({n} items):"),
    "record": ("请记录: {forms}", "Record: {forms}"),
    "critical": ("关键", "critical"),
    "hint": ("提示: {hint}", "hint: {hint}"),
    "lane": ("⇉ 同时进行的分支: {title}", "⇉ parallel branch: {title}"),
    "by_role": ("由 {role} 执行", "by {role}"),
    "by_person": ("由 {person}", "by {person}"),
    "turn": ("轮序「{queue}」: 由 {person} {duty}", "{queue}: {person}'s turn ({duty})"),
    "turn_owed": (
        "轮序「{queue}」: 由 {person} {duty} (补{duty})",
        "{queue}: {person}'s turn ({duty}; a make-up turn)",
    ),
    "turn_credit": (
        "轮序「{queue}」: {person} 本次不计{duty}, 补{duty}一次",
        "{queue}: {person}'s turn ({duty}) does not count; a make-up turn is owed",
    ),
    "another_q": ("由另一人确认「{what}」, 姓名", 'someone else confirms "{what}": name'),
    "another_self": (
        "要由另一人确认, 不能是当前操作人 {operator}",
        "someone other than the operator {operator} confirms it",
    ),
    "all_head": (
        "「{what}」全体签名: 逐个输入姓名, 空行结束",
        'everyone signs "{what}": one name a line, an empty line ends',
    ),
    "all_q": ("第 {n} 人", "person {n}"),
    "all_more": ("至少要两人签名", "at least two people sign"),
    "all_twice": ("{person} 已签过", "{person} has signed already"),
    "name_needed": ("请输入姓名", "enter a name"),
    "evidence_head": (
        "「{what}」要留下凭证: {photos} 张照片{sign}",
        '"{what}" needs proof: {photos} photo(s){sign}',
    ),
    "evidence_sign": (", 签名", ", a signature"),
    "evidence_signer": (", {signer}签名", ", signed by {signer}"),
    "photo_q": ("照片 {n}/{total} 的文件路径", "photo {n}/{total}: file path"),
    "photo_unreadable": ("读不到文件 {path}: {why}", "cannot read {path}: {why}"),
    "signer_q": ("签名人姓名", "signer's name"),
    "signature_q": (
        "签名图片的文件路径 (签字纸的照片或扫描件)",
        "the signature's picture: file path (a photo or scan of the signed paper)",
    ),
    "sign_here": ("请在框内用手指签名", "sign in the box with your finger"),
    "sign_clear": ("重签", "Clear"),
    "sign_needs_js": (
        "手写签名需要浏览器开启 JavaScript。也可以在纸上签名, 然后拍照上传:",
        "drawing a signature needs JavaScript. You can sign on paper instead and "
        "upload a photo of it:",
    ),
    "sign_paper": ("或者: 纸上签名的照片", "or: a photo of the paper signature"),
    "paper_what": ("纸上签名的照片", "the photo of the paper signature"),
    "signature_needed": (
        "请签名 (在框内手写, 或上传纸上签名的照片)",
        "a signature is needed (draw it, or upload a photo of a paper one)",
    ),
    "signature_not_png": ("手写签名必须是 PNG 图片", "a drawn signature must be a PNG picture"),
    "signature_too_big": (
        "手写签名有 {size} 字节, 超过 {limit} 字节的上限",
        "the drawn signature is {size} bytes, more than the {limit}-byte limit",
    ),
    "photo_pick": ("拍照或选择照片", "take or choose photos"),
    "photos_needed": (
        "要至少 {n} 张照片, 收到 {got} 张",
        "at least {n} photos are needed, {got} came",
    ),
    "footer": ("(! 紧急情况  p 暂停  n 备注  ? 帮助)", "(! emergency  p pause  n note  ? help)"),
    "correct_which": ("更正哪一个回答?", "Correct which answer?"),
    "correct_none": ("这次运行还没有可以更正的回答。", "no answer of this run to correct yet."),
    "corrected": ("已更正 {label}: {before} → {after}", "corrected {label}: {before} → {after}"),
    # a `do` item's tick, as the correction list and the correction name it
    "status_done": ("完成", "done"),
    "status_not_done": ("未完成", "not done"),
    "status_skipped": ("跳过", "skipped"),
    "status_why": (" (原因: {reason})", " (reason: {reason})"),
    # ---- questions
    "done_q": ("完成? [Y/n/跳过]", "done? [Y/n/skip]"),
    "read_do_q": (
        "读完并做完后确认, 完成? [Y/n/跳过]",
        "read it, do it, then confirm: done? [Y/n/skip]",
    ),
    "reason_skip": ("跳过的原因", "reason for skipping"),
    "reason_not_done": ("未完成的原因", "reason it was not done"),
    "reason_required": (
        "关键项未完成, 必须写明原因",
        "a critical item was not done: give the reason",
    ),
    "reason_needed": ("请写明跳过的原因", "give a reason for skipping"),
    "item_bad": (
        "请回答 y (完成)、n (未完成) 或 s (跳过)",
        "answer y (done), n (not done) or s (skip)",
    ),
    "choose": ("请选择", "Choose"),
    "choose_q": ("选择 [1-{n}]", "choice [1-{n}]"),
    "choose_q_cancel": ("选择 [1-{n}, 0 取消]", "choice [1-{n}, 0 cancels]"),
    "choose_bad": ("请输入 1 到 {n} 之间的编号", "enter a number from 1 to {n}"),
    "no_options": ("(没有可选的选项)", "(no options available)"),
    "emergencies": ("应急流程 (按优先级):", "Emergency procedures (by priority):"),
    "cancel": ("取消, 回到当前步骤", "cancel, back to the current step"),
    "note_q": ("备注内容", "note"),
    "field_form": ("《{form}》", "《{form}》"),
    "enter_takes": ("回车 = {value}", "Enter = {value}"),
    # ---- reminders
    "due_within": ("{title} · 限时 {text} · 截止 {at}", "{title} · within {text} · due {at}"),
    "due_at": ("{title} · 定时 {text}", "{title} · at {text}"),
    "due_due": ("{title} · 到期 {at}", "{title} · due {at}"),
    "due_every": ("{title} · 每 {text} · 下次 {at}", "{title} · every {text} · next {at}"),
    "due_every_now": ("{title} · 每 {text} · 现在该做了", "{title} · every {text} · due now"),
    "overdue": ("已超时", "OVERDUE"),
    "other_run": ("运行 #{run} {procedure}", "run #{run} {procedure}"),
    "today": ("今天", "today"),
    # ---- journeys
    "wait_until_time": (
        "⏳ 这个触点还没到期: {text}, 即 {date}",
        "⏳ not due yet: {text}, at {date}",
    ),
    "wait_milestone": (
        "⏳ 这个触点在{text}; 还没有记录{anchor}的日期 (可用 sop milestone 记录计划日期)",
        "⏳ this touchpoint falls {text}; {anchor} has no date yet "
        "(give a planned one with sop milestone)",
    ),
    "wait_q": ("现在就做这一步吗? [y/N]", "do this step now? [y/N]"),
    "waiting": (
        "旅程 #{run} ({title}) 已保存, 等这个触点到期。"
        "到期时会列在 sop due 中; 继续: sop resume {run}",
        "journey #{run} ({title}) saved to wait for this touchpoint. It will be listed by "
        "sop due when due; continue with: sop resume {run}",
    ),
    "milestone": ("已记录 {title}: {date}{planned}", "recorded {title}: {date}{planned}"),
    "planned": (" (计划日期)", " (planned)"),
    "milestone_bad": ("✗ {message}", "✗ {message}"),
    "milestone_was": ("  (更正, 原为 {before})", "  (corrected; was {before})"),
    "milestone_next": (
        "  当前触点「{title}」到期: {date} ({text})",
        '  current touchpoint "{title}" is due on {date} ({text})',
    ),
    "milestone_at": ("  当前步骤: {title}", "  current step: {title}"),
    # ---- notices
    "started": ("开始运行 #{run}: {title}", "started run #{run}: {title}"),
    "occurrence": ("本次安排: {when} ({schedule})", "for the occurrence of {when} ({schedule})"),
    "branch": ("→ {why}, 转入: {to_title}", "→ {why}: go to {to_title}"),
    "branch_plain": ("→ 转入: {to_title}", "→ next: {to_title}"),
    "timeout": (
        "⏰ 「{step_title}」已超过期限 ({text}), 转入: {to_title}",
        '⏰ "{step_title}" is past its deadline ({text}): go to {to_title}',
    ),
    "branch_otherwise": ("→ 其他情况, 转入: {to_title}", "→ otherwise: go to {to_title}"),
    "call": ("↳ 调用流程: {title}{args}", "↳ calling: {title}{args}"),
    "lane_started": (
        "⇉ 同时开始分支 {lane}: {title}",
        "⇉ branch {lane} started beside the run: {title}",
    ),
    "lane_switched": (
        "⇆ 转到分支 {lane}: {title} (输入 b 可随时转到另一条分支)",
        "⇆ on branch {lane}: {title} (type b at any prompt to turn to another branch)",
    ),
    "lane_ended": ("⇇ 分支完成: {title} ({outcome})", "⇇ branch ended: {title} ({outcome})"),
    "lane_main_ended": (
        "⇇ {title} 已完成 ({outcome}); 同时进行的分支完成后, 本次运行才结束",
        "⇇ {title} is done ({outcome}); the run ends once its parallel branches have",
    ),
    "lane_cancelled": (
        "⇇ 分支已取消: {title} (另一条分支已汇合)",
        "⇇ branch cancelled: {title} (another one joined)",
    ),
    "lane_wait": (
        "⤵ 「{step_title}」要等分支完成后再继续: {titles}",
        '⤵ "{step_title}" waits until its branches are done: {titles}',
    ),
    "lane_joined": (
        "⤵ 分支已汇合, 继续「{step_title}」",
        '⤵ the branches have joined: go on with "{step_title}"',
    ),
    "lane_none": ("没有另一条进行中的分支。", "no other branch is open."),
    "lane_main": (
        "⇆ 回到本流程: {title} (输入 b 可随时转到进行中的分支)",
        "⇆ back on the run's own line: {title} (type b at any prompt to turn to an open branch)",
    ),
    "returned": (
        "↲ {title} 已结束 ({outcome}), 回到: {back_title}",
        "↲ {title} ended ({outcome}); back to {back_title}",
    ),
    "emergency": (
        "⚠ 启动应急流程: {title} (优先级 {priority})。{interrupted} 停在「{step_title}」, "
        "应急结束后从这里继续。",
        "⚠ emergency: {title} (priority {priority}). {interrupted} waits at "
        '"{step_title}" and continues from there when the emergency ends.',
    ),
    "emergency_done": (
        "✓ 应急流程 {title} 已结束 ({outcome})。继续 {back_title}: {step_title}",
        "✓ emergency {title} ended ({outcome}). Back to {back_title}: {step_title}",
    ),
    "finished": (
        "✓ 运行 #{run} {title} 已完成 ({outcome})。查看记录: sop show {run}",
        "✓ run #{run} {title} finished ({outcome}). Record: sop show {run}",
    ),
    "paused": (
        "已暂停运行 #{run} ({title})。继续: sop resume {run}",
        "paused run #{run} ({title}). Continue with: sop resume {run}",
    ),
    "resumed": (
        "继续运行 #{run}: {title}, 当前步骤: {step_title}",
        "resuming run #{run}: {title}, at: {step_title}",
    ),
    "resumed_crashed": (
        "上次没有正常暂停 (程序被中断或断电)。已确认的回答都已保存, 从没有回答的地方继续。",
        "last time the run was not paused (the program was stopped or the power went). "
        "every answer given was saved; it goes on from the first one not given.",
    ),
    "resumed_done": ("这一步已经回答的:", "already answered at this step:"),
    "resumed_waiting": (
        "({waiting} 正在等待此应急流程结束)",
        "({waiting} is waiting for this emergency to end)",
    ),
    "rulebook_changed": (
        "注意: 此流程的规则手册在运行开始后已修改; 本次继续使用开始时的版本 ({version}, {sha})。",
        "note: this procedure's rulebook changed after the run began; it continues "
        "on the version it began with ({version}, {sha}).",
    ),
    "note_saved": ("备注已记录。", "note saved."),
    "warning": (
        '⚠ 规则手册问题 ({where}): "{expression}" 无法计算 ({detail}), 按不成立处理。',
        '⚠ rulebook problem ({where}): "{expression}" cannot be evaluated ({detail}); '
        "treated as false.",
    ),
    "stuck": (
        "⚠ 此步没有可选的选项 (规则手册问题)。请用 n 记录情况, 或 p 暂停后联系流程负责人。",
        "⚠ no option is available here (a rulebook problem). Add a note with n, or pause "
        "with p and contact the procedure owner.",
    ),
    "choice_gone": ("选项「{label}」现在不可选。", 'option "{label}" is no longer available.'),
    "no_emergencies": (
        "规则手册中没有其他应急流程。",
        "the rulebook has no other emergency procedures.",
    ),
    "unknown_emergency": (
        '没有应急流程 "{procedure}"。可用: {known}',
        'no emergency procedure "{procedure}". available: {known}',
    ),
    "interrupted": ("(已中断)", "(interrupted)"),
    "end_of_input": ("(输入结束)", "(end of input)"),
    "help": (
        "在任何提问处都可以输入:\n"
        "  !        紧急情况: 列出应急流程并启动一个; 当前流程停在这一步, 应急结束后继续\n"
        "  p        暂停 (之后用 sop resume 继续); Ctrl-C 和 Ctrl-D 也会安全暂停\n"
        '  n 内容   添加备注 (在 是/否 问题中单独的 n 表示"否")\n'
        "  m 里程碑 日期  客户旅程: 记录里程碑日期, 可以是计划日期 (如 m 交付日 2027-06-30)\n"
        "  更正     更正之前的一个回答或本步已勾的项 (原回答仍保留在记录中)\n"
        "  b        同时进行的分支: 转到另一条进行中的分支 (这一条停在原处)\n"
        "  ?        显示本帮助\n"
        "检查单: 回车或 y 表示完成, n 表示未完成, s 或 跳过 (可加原因) 表示跳过。\n"
        "选择题: 输入编号。是/否: 是/否 或 y/n。",
        "At any question you can type:\n"
        "  !         emergency: list emergency procedures and start one; this procedure\n"
        "            waits at this step and continues when the emergency ends\n"
        "  p         pause (continue later with sop resume); Ctrl-C and Ctrl-D also pause\n"
        '  n TEXT    add a note (in a yes/no question a lone n means "no")\n'
        "  m NAME DATE  journeys: record a milestone's date, also a planned one\n"
        "            (m handover 2027-06-30)\n"
        "  correct   give an earlier answer or a tick of this step again\n"
        "            (the first stays on record)\n"
        "  b         parallel branches: turn to another open branch (this one waits)\n"
        "  ?         show this help\n"
        "Checklist: Enter or y = done, n = not done, s or skip (with a reason) = skipped.\n"
        "Choices: type the number. Yes/no: y/n (是/否).",
    ),
}


# Labels of `sop show` and `sop report` (engine/templates/run_*.j2).
_LABELS: dict[str, tuple[str, str]] = {
    "run": ("运行", "Run"),
    "operator": ("执行人", "Operator"),
    "site": ("案场", "Site"),
    "started": ("开始", "Started"),
    "finished": ("结束", "Finished"),
    "updated": ("最后更新", "Last update"),
    "rulebook": ("规则手册", "Rulebook"),
    "version": ("版本", "Version"),
    "rulebook_changed": (
        "继续时规则手册已修改, 按开始时的版本执行",
        "the rulebook had changed when resumed; the run kept its version",
    ),
    "interrupts": ("中断了", "Interrupted"),
    "interrupted_by": ("被应急流程中断", "Interrupted by emergency"),
    "timeline": ("经过", "Timeline"),
    "deviations": ("偏差", "Deviations"),
    "no_deviations": ("无偏差: 所有检查项均已完成", "no deviations: every item was done"),
    "notes": ("备注", "Notes"),
    "forms": ("记录", "Records"),
    "no_forms": ("本次运行没有填写表单", "no form was filled in this run"),
    "actions": ("采取的措施", "Actions taken"),
    "notified": ("通知与报告", "Who was notified"),
    "none": ("无", "none"),
    "outcome": ("结果", "Outcome"),
    "current_step": ("当前步骤", "Current step"),
    "incident_title": ("事故情况和处理报告", "Incident report"),
    "incident": ("事故类别", "Incident"),
    "occurred": ("发生时间", "Occurred"),
    "ended": ("处理结束", "Handled by"),
    "reporter": ("报告人", "Reported by"),
    "checklist": ("检查项", "Checklist"),
    "done": ("已完成", "done"),
    "not_done": ("未完成", "not done"),
    "skipped": ("跳过", "skipped"),
    "reason": ("原因", "reason"),
    "critical": ("关键", "critical"),
    "enter": ("进入", "enter"),
    "choice": ("选择", "chose"),
    "otherwise": ("其他情况", "otherwise"),
    "call": ("调用", "call"),
    "returned": ("返回", "returned"),
    "lane_started": ("同时开始分支", "branch started"),
    "lane_switched": ("转到分支", "turned to branch"),
    "lane_ended": ("分支完成", "branch ended"),
    "lane_cancelled": ("分支已取消 (另一条分支已汇合)", "branch cancelled (another one joined)"),
    "timed_out": ("超过期限, 转入下一步", "past its deadline: moved on"),
    "note": ("备注", "note"),
    "signed": ("经办人", "by"),
    "evidence_photo": ("照片", "photo"),
    "evidence_signature": ("签名", "signature"),
    "evidence": ("凭证 (照片和签名)", "Evidence (photos and signatures)"),
    "no_evidence": ("没有留下凭证", "no evidence was left"),
    "evidence_file": ("文件", "file"),
    "evidence_size": ("大小", "size"),
    "evidence_state": ("核对", "check"),
    "evidence_ok": ("完好", "intact"),
    "evidence_missing": ("⚠ 文件不在", "⚠ file missing"),
    "evidence_altered": (
        "⚠ 文件被改动 (与日志中的 sha256 不符)",
        "⚠ file altered (sha256 differs)",
    ),
    "evidence_name_only": ("只有姓名, 没有签名图片", "the name only, no picture"),
    "evidence_unchecked": ("未核对 (没有凭证文件夹)", "not checked (no evidence folder)"),
    "turn_owed": ("补接待", "a make-up turn"),
    "turn_credit": ("不计接待, 补接待一次", "not counted; a make-up turn owed"),
    "turn_uncounted": ("不计接待次数", "not counted"),
    "corrected": ("更正", "corrected"),
    "was": ("原为", "was"),
    "corrected_to": ("更正为", "corrected to"),
    "warning": ("规则手册问题", "rulebook problem"),
    "paused": ("暂停", "paused"),
    "paused_interrupt": ("暂停 (Ctrl-C)", "paused (Ctrl-C)"),
    "paused_eof": ("暂停 (输入结束)", "paused (end of input)"),
    "paused_hangup": ("暂停 (终端已关闭)", "paused (the terminal closed)"),
    "paused_terminated": ("暂停 (进程被终止)", "paused (the process was stopped)"),
    "paused_error": ("暂停 (出错)", "paused (error)"),
    "resumed": ("继续", "resumed"),
    "cut_off": (
        "中断: 运行没有暂停就停了 (程序被终止或断电)",
        "cut off: the run stopped without a pause (the program was killed or the power went)",
    ),
    "resumed_changed": (
        "继续 (规则手册已修改, 按原版本)",
        "resumed (rulebook changed; kept its version)",
    ),
    "emergency_started": ("应急流程开始", "emergency started"),
    "emergency_ended": ("应急流程结束, 继续", "emergency ended; continuing"),
    "milestone": ("里程碑", "milestone"),
    "notice_sent": ("已通知", "told"),
    "notice_failed": ("通知失败, 将重试", "could not tell; will retry"),
    "notice_gave_up": ("通知失败, 不再重试", "could not tell; given up"),
    "notice_doubt": (
        "通知可能未送达 (发送时中断, 未重发以免重复), 请核实",
        "may not have been told (cut off while sending; not sent again, to never send "
        "twice): please check",
    ),
    "journey": ("客户旅程", "Journey"),
    "customer": ("客户", "Customer"),
    "milestones": ("里程碑", "Milestones"),
    "planned_short": ("计划", "planned"),
    "not_yet": ("未定", "not yet"),
    "t_done": ("完成", "done"),
    "t_overdue": ("已超时", "overdue"),
    "t_due": ("待办", "due"),
    "t_waiting": ("等待", "waiting"),
    "t_ahead": ("未到", "ahead"),
    "t_passed": ("未经过", "not on this path"),
    "t_due_on": ("到期", "due"),
    "t_today": ("今天到期", "due today"),
    "t_waits_for": ("待{anchor}确定", "waits for {anchor}"),
    "events_hint": (
        "逐条记录: sop show {run} --events",
        "every event: sop show {run} --events",
    ),
    "form_rows": ("共 {n} 行", "{n} rows"),
    "status": ("状态", "Status"),
    "procedure": ("流程", "Procedure"),
    "step": ("步骤", "Step"),
    "when": ("时间", "When"),
    "due": ("期限", "Due"),
    "overdue": ("已超时", "OVERDUE"),
    "no_runs": ("没有符合条件的运行。", "no runs match."),
    "no_dues": ("没有待办的期限或提醒。", "nothing is due."),
    "more": ("… 还有 {n} 个, 用 --limit 显示更多", "… {n} more; use --limit to see them"),
}


# In the one catalogue (engine/i18n.py), under terminal.* and label.*.
TEXTS = messages("terminal", _TEXTS)
LABELS = messages("label", _LABELS)

# Counts of days, {n}: a journey touchpoint not due yet (the walk-through),
# and how far one is from its due date (sop show's journey table).
WAIT_UNTIL = counted(
    "terminal.wait_until",
    "⏳ 这个触点还没到期: {text}, 即 {date} (还有 {n} 天)",
    "⏳ not due yet: {text}, on {date} (in {n} day)",
    "⏳ not due yet: {text}, on {date} (in {n} days)",
)
DAYS_LATE = counted("label.t_days_late", "{n} 天", "by {n} day", "by {n} days")
DAYS_LEFT = counted("label.t_days_left", "还有 {n} 天", "in {n} day", "in {n} days")


def text(key: str, lang: str | None = None, **args: Any) -> str:
    """A sentence of the walk-through in `lang` (default: the process's),
    filled from `args` (a notice's data: keys the sentence does not name
    are left out, one it names and is not given is an error)."""
    msg = TEXTS[key]
    return msg.say(lang_of(lang), **{k: v for k, v in args.items() if k in msg.fields})


def labels(lang: str | None = None) -> dict[str, str]:
    """The labels of sop show and report, as templates (some take {n}, {run})."""
    return {k: m.template(lang_of(lang)) for k, m in LABELS.items()}


def lang_of(lang: str | None) -> Lang:
    """`lang` as a catalogue language (default: the process's)."""
    return "en" if (lang or current()) == "en" else "zh"
