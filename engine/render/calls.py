"""The call list (`sop due`) as text for the screen, CSV for a spreadsheet,
or JSON for other tools."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from engine.i18n import Lang, messages
from engine.runtime.calls import CallItem
from engine.runtime.layout import width
from engine.screen import visible

_HEAD = {
    "zh": ("日期", "状态", "天数", "运行", "客户", "案场", "流程", "阶段", "触点", "岗位", "依据"),
    "en": (
        "date", "state", "days", "run", "customer", "site", "procedure", "stage",
        "touchpoint", "role", "rule",
    ),
}  # fmt: skip
_STATE = {
    "zh": {"overdue": "已超时", "today": "今天", "upcoming": "将到期"},
    "en": {"overdue": "overdue", "today": "today", "upcoming": "coming up"},
}


CALL_WORDS = messages(
    "calls",
    {
        "late": ("超 {days} 天", "{days}d late"),
        "ahead": ("{days} 天后", "in {days}d"),
        "timeout": (" → 超时转入: {step}", " → if late: {step}"),
        "title": (
            "{on} 待办: 已超时 {overdue} · 今天 {today} · {ahead} 天内将到期 {upcoming}",
            "Due as of {on}: {overdue} overdue · {today} today · "
            "{upcoming} in the next {ahead} days",
        ),
        "nothing": ("没有待办的触点或期限。", "nothing is due."),
    },
)


def _lang(lang: str) -> Lang:
    return "en" if lang == "en" else "zh"


def _when(item: CallItem) -> str:
    return item.day.isoformat() if item.dated else item.when.strftime("%Y-%m-%d %H:%M")


def as_json(items: Sequence[CallItem]) -> str:
    return json.dumps(
        [
            {
                "date": item.day.isoformat(),
                "at": item.when.isoformat(),
                "state": item.state,
                "days": item.days,
                "run": item.run,
                "customer": item.subject,
                "site": item.site,
                "procedure": item.procedure,
                "procedure_title": item.procedure_title,
                "stage": item.stage,
                "step": item.step,
                "step_title": item.step_title,
                "role": item.role,
                "role_title": item.role_title,
                "kind": item.kind,
                "text": item.text,
                "text_en": item.text_en,
                "timeout": item.timeout,
            }
            for item in items
        ],
        ensure_ascii=False,
        indent=2,
    )


def as_csv(items: Sequence[CallItem], lang: str = "zh") -> str:
    """The call list for a spreadsheet; every cell formula-safe (escape.csv_text)."""
    rows: list[Sequence[object]] = [_HEAD[lang]]
    rows += [
        (
            _when(item),
            _STATE[lang][item.state],
            item.days,
            item.run if item.run is not None else "",
            item.subject or "",
            item.site or "",
            item.procedure_title,
            item.stage or "",
            item.step_title,
            item.role_title or item.role or "",
            _rule(item, lang),
        )
        for item in items
    ]
    from engine.render.escape import csv_text  # its tables are compiled only for a CSV

    return csv_text(rows)


def _rule(item: CallItem, lang: str) -> str:
    """The deadline as written, and where an overdue run is moved (`timeout:`)."""
    text = item.text_en if lang == "en" else item.text
    if item.timeout:
        text += CALL_WORDS["timeout"].say(_lang(lang), step=item.timeout)
    return text


def _lag(item: CallItem, lang: str) -> str:
    if item.days < 0:
        return CALL_WORDS["late"].say(_lang(lang), days=-item.days)
    if item.days == 0:
        return _STATE[lang]["today"]
    return CALL_WORDS["ahead"].say(_lang(lang), days=item.days)


def as_text(items: Sequence[CallItem], on: date, ahead: int, lang: str = "zh") -> str:
    counts = {s: sum(1 for i in items if i.state == s) for s in ("overdue", "today", "upcoming")}
    title = CALL_WORDS["title"].say(_lang(lang), on=on.isoformat(), ahead=ahead, **counts)
    lines = [title]
    if not items:
        lines.append(CALL_WORDS["nothing"].say(_lang(lang)))
        return "\n".join(lines) + "\n"
    rows = [
        (
            _when(i),
            _lag(i, lang),
            f"#{i.run}" if i.run is not None else "—",
            i.subject or "—",
            " · ".join(p for p in (i.stage, i.step_title) if p),
            i.role_title or i.role or "",
            f"{i.procedure_title} · {_rule(i, lang)}",
        )
        for i in items
    ]
    # Each distinct cell measured once: a long list repeats its dates,
    # steps and roles thousands of times.
    measured: dict[str, tuple[str, int]] = {}
    shown = [[measured.get(t) or _measure(t, measured) for t in r[:6]] for r in rows]
    cells = [max(r[c][1] for r in shown) for c in range(6)]
    for state in ("overdue", "today", "upcoming"):
        group = [(r, m) for r, m, i in zip(rows, shown, items, strict=True) if i.state == state]
        if not group:
            continue
        lines.append("")
        lines.append(_STATE[lang][state])
        for r, m in group:
            head = "  ".join(t + " " * (cells[c] - w) for c, (t, w) in enumerate(m))
            lines.append(f"  {head}  {visible(r[6])}".rstrip())
    return "\n".join(lines) + "\n"


def _measure(text: str, measured: dict[str, tuple[str, int]]) -> tuple[str, int]:
    """`text` as the terminal shows it, and the columns it takes."""
    shown = visible(text)
    found = measured[text] = (shown, width(shown))
    return found
