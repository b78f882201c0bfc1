"""What a page shows: the runner's views in the words the terminal uses
(engine/runtime/texts.py), gathered for the templates (engine/templates/web/).
Nothing here writes HTML; the templates escape every value."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.i18n import catalogue, messages
from engine.runtime import values
from engine.runtime.dues import SOON, Reminder
from engine.runtime.prompts import Body, Header, Notice, Question, View
from engine.runtime.record import STATUS_TEXT
from engine.runtime.texts import text

# Sentences of the web page only. What the terminal, `sop show` or a run's
# status already says is said in the same words: `say` takes a catalogue id
# too (label.site, terminal.run, status.finished: engine/runtime/texts.py,
# engine/runtime/record.py), so no wording is kept twice.
WEB = messages(
    "web",
    {
        "title": ("案场服务", "Site services"),
        "procedures": ("开始一个流程", "Start a procedure"),
        "emergencies": ("应急流程", "Emergency procedures"),
        "open_runs": ("进行中和暂停的运行", "Open and paused runs"),
        "no_open_runs": ("没有进行中的运行", "no open runs"),
        "start": ("开始", "Start"),
        "continue": ("继续", "Continue"),
        "resume": ("继续这次运行", "Resume this run"),
        "done": ("完成", "Done"),
        "not_done": ("未完成", "Not done"),
        "skip": ("跳过", "Skip"),
        "reason": ("原因 (未完成或跳过时填写)", "reason (when not done or skipped)"),
        "ok": ("确定", "OK"),
        "yes": ("是", "Yes"),
        "no": ("否", "No"),
        "pause": ("暂停", "Pause"),
        "lane": ("转到另一条同时进行的分支", "Turn to another parallel branch"),
        "note": ("备注", "Note"),
        "add_note": ("添加备注", "Add note"),
        "emergency": ("紧急情况", "Emergency"),
        "cancel": ("取消, 回到当前步骤", "Cancel, back to the current step"),
        "names": ("姓名, 每行一个", "names, one a line"),
        "name": ("姓名", "name"),
        "wait_now": ("现在就做", "Do it now"),
        "wait_later": ("等到期再做", "Wait until it is due"),
        "finished": (
            "运行 #{run} {title} 已完成 ({outcome})。",
            "run #{run} {title} finished ({outcome}).",
        ),
        "paused": ("运行 #{run} ({title}) 已暂停。", "run #{run} ({title}) is paused."),
        "waiting": (
            "运行 #{run} ({title}) 在等待应急流程结束。",
            "run #{run} ({title}) waits for an emergency to end.",
        ),
        "stale": (
            "这个回答已经记录过了 (或这一页已过时), 没有再记录一次。这是现在的问题。",
            "that answer was recorded already (or the page was out of date); nothing was "
            "recorded twice. This is the question now.",
        ),
        "home": ("首页", "Home"),
        "not_found": ("没有这个页面", "no such page"),
        "run_not_found": ("日志中没有运行 {run}", "the journal has no run {run}"),
        "no_question": ("这一步没有要回答的问题。", "nothing to answer at this step."),
        "busy": (
            "这次运行正在由别人 (或另一个页面) 回答, 请稍后刷新。",
            "someone else (or another page) is answering this run; refresh in a moment.",
        ),
        "lang_other": ("English", "中文"),
        "forged": (
            "这个表单不是从本站的页面提交的 (或登录已过期), 没有记录。请回到首页重新操作。",
            "this form was not sent from this site's page (or the sign-in expired); nothing "
            "was recorded. Go back to the home page and try again.",
        ),
        "signin": ("登录", "Sign in"),
        "manage": ("经理视图", "Manager's view"),
        "correct": ("更正之前的回答", "Correct an earlier answer"),
        "record": ("运行记录", "The run's record"),
        "milestone": ("记录里程碑日期", "Record a milestone's date"),
        "date": ("日期 (可以是计划日期)", "date (a planned one too)"),
        "back": ("返回", "Back"),
        "all": ("全部", "all"),
        "since": ("开始于 (起)", "started from"),
        "until": ("开始于 (止)", "started before"),
        "filter": ("筛选", "Filter"),
        "due_now": ("已超时和今天到期", "Overdue and due today"),
        "nothing_due": ("没有超时或今天到期的事项", "nothing overdue or due today"),
        "runs": ("运行", "Runs"),
        "by_site": ("各案场", "By site"),
        "by_post": ("各岗位的到期事项", "Deadlines by post"),
        "overdue_rate": ("超时", "overdue"),
        "export": ("导出 CSV", "Export CSV"),
        "csv.run": ("运行", "run"),
        "csv.procedure": ("流程编号", "procedure"),
        "csv.title": ("流程", "title"),
        "csv.status": ("状态", "status"),
        "csv.site": ("案场", "site"),
        "csv.operator": ("执行人", "operator"),
        "csv.subject": ("客户", "customer"),
        "csv.started": ("开始", "started"),
        "csv.updated": ("最后更新", "updated"),
        "csv.step": ("当前步骤", "step"),
        "csv.outcome": ("结果", "outcome"),
        "state.upcoming": ("将到期", "upcoming"),
        "signout": ("退出", "Sign out"),
        "password": ("密码", "Password"),
        "bad_password": ("姓名或密码不对。", "wrong name or password."),
        "slow_down": (
            "登录失败次数太多, 请 5 分钟后再试。",
            "too many failed sign-ins; try again in 5 minutes.",
        ),
        "steps": ("{n} 步", "{n} steps"),
    },
)


def say(key: str, lang: str, **args: Any) -> str:
    """A web sentence (`WEB`'s key), or any message of the one catalogue by its id."""
    msg = WEB.get(key) or catalogue()[key]
    return msg.say("en" if lang == "en" else "zh", **args)


def known(key: str) -> bool:
    return key in WEB or key in catalogue()


assert all(m.id in catalogue() for m in STATUS_TEXT.values())  # status.*, as `say` finds them


def notice_lines(n: Notice, lang: str) -> list[str]:
    """A notice in the terminal's words (the web says its own for the ends
    of a run, which the terminal says with commands to type)."""
    a = dict(n.args)
    k = n.kind

    def t(key: str, **extra: Any) -> str:
        return text(key, lang, **{**a, **extra})

    match k:
        case "branch":
            why = a.get("why") or ""
            key = "branch_plain" if not why else "branch_otherwise" if why == "otherwise" else k
            return [t(key)]
        case "call":
            given = a.pop("with", {}) or {}
            shown = ", ".join(f"{name}: {values.show(v, lang)}" for name, v in given.items())
            return [t("call", args=f" ({shown})" if shown else "")]
        case "unknown_emergency":
            return [t(k, known=", ".join(a.get("known") or []))]
        case "emergency_over":
            return [t("emergency_done")]
        case "milestone":
            return [t(k, planned=text("planned", lang) if a.get("planned") else "")]
        case "finished" | "paused" | "waiting":
            return [say(k, lang, **{f: a.get(f, "") for f in WEB[k].fields})]
        case "resumed":
            lines = [t(k)]
            if a.get("crashed"):
                lines.append(text("resumed_crashed", lang))
            if a.get("done"):
                lines.append(text("resumed_done", lang))
                lines += [f"{label} = {value}" for label, value in a["done"]]
            if a.get("waiting"):
                lines.append(text("resumed_waiting", lang, waiting=" › ".join(a["waiting"])))
            if a.get("changed"):
                lines.append(
                    text(
                        "rulebook_changed",
                        lang,
                        version=a.get("version") or "-",
                        sha=a.get("sha") or "-",
                    )
                )
            return lines
        case "corrected_item":  # a tick given again: its statuses in words
            after = text("status_" + a["after"], lang)
            if a.get("reason"):
                after += text("status_why", lang, reason=a["reason"])
            before = text("status_" + a["before"], lang)
            return [text("corrected", lang, label=a["label"], before=before, after=after)]
        case "started":
            return []  # the page itself says which run this is
        case _:
            return [t(k)]


def reminder_lines(rs: Sequence[Reminder], now: datetime, lang: str) -> list[tuple[str, bool]]:
    """The reminders due now, overdue or close, as the terminal picks them:
    (text, overdue)."""
    out: list[tuple[str, bool]] = []
    for r in rs:
        if r.kind == "every" and not r.overdue:
            continue
        if r.dated and r.at.date() > now.date():
            continue
        if not (r.overdue or r.at - now <= SOON):
            continue
        if r.dated:
            at = text("today", lang) if r.at.date() == now.date() else r.at.strftime("%Y-%m-%d")
        else:
            at = r.at.strftime("%H:%M" if r.at.date() == now.date() else "%m-%d %H:%M")
        if r.kind == "every":
            key = "due_every_now" if r.overdue else "due_every"
        else:
            key = {"within": "due_within", "at": "due_at", "due": "due_due"}[r.kind]
        line = "⏰ " + text(key, lang, title=r.step_title, text=r.text, at=at)
        if r.overdue and r.kind != "every":
            line += " · " + text("overdue", lang)
        if not r.mine:
            line += " · " + text("other_run", lang, run=r.run, procedure=r.procedure_title)
        out.append((line, r.overdue))
    return out


@dataclass(frozen=True)
class StepPage:
    """One step as the page shows it: where the run is, what to say and do,
    what happened since the last page, and the question to answer now."""

    header: Header | None
    body: Body | None
    notices: tuple[str, ...]
    question: Question | None
    key: str
    pos: str
    error: str | None
    reminders: tuple[tuple[str, bool], ...]


def step_header(h: Header, lang: str) -> str:
    key = "step_last" if h.total == 0 else "step_open" if h.total < 0 else "step"
    return text(key, lang, number=h.number, total=h.total)


def gather(views: Sequence[View], lang: str) -> tuple[Header | None, Body | None, list[str]]:
    """The last header and body shown, and every notice in order."""
    header: Header | None = None
    body: Body | None = None
    notices: list[str] = []
    for v in views:
        if isinstance(v, Header):
            header, body = v, None
        elif isinstance(v, Body):
            body = v
        else:
            notices += notice_lines(v, lang)
    return header, body, notices
