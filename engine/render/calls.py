"""The call list (`sop due`) as text for the screen, CSV for a spreadsheet,
or JSON for other tools."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime

from engine.i18n import Lang, counted, messages
from engine.runtime.calls import CallItem
from engine.runtime.layout import width, wrap
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
        "nothing": ("没有待办的触点或期限。", "nothing is due."),
    },
)
# The call list's heading; {n}: how many days ahead it looks.
TITLE = counted(
    "calls.title",
    "{on} 待办: 已超时 {overdue} · 今天 {today} · {n} 天内将到期 {upcoming}",
    "Due as of {on}: {overdue} overdue · {today} today · {upcoming} in the next {n} day",
    "Due as of {on}: {overdue} overdue · {today} today · {upcoming} in the next {n} days",
)


def _lang(lang: str) -> Lang:
    return "en" if lang == "en" else "zh"


def _when(item: CallItem) -> str:
    return item.day.isoformat() if item.dated else item.when.strftime("%Y-%m-%d %H:%M")


def as_json(items: Sequence[CallItem]) -> str:
    return indented(
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
        ]
    )


# Members and objects each on a line of their own, as json.dumps(indent=2)
# separates an object's members.
_LINES = json.JSONEncoder(ensure_ascii=False, separators=(",\n    ", ": "))


def indented(rows: Sequence[dict[str, object]]) -> str:
    """`json.dumps(rows, ensure_ascii=False, indent=2)` for a list of flat
    objects, character for character. With `indent`, json encodes in
    Python; here its C encoder writes the whole list, every member on a
    line, and only the objects' braces are then moved to lines of their own
    (an encoded string holds no line break, so every one is json's own)."""
    if not rows or not all(rows):
        return json.dumps(rows, ensure_ascii=False, indent=2)
    body = _LINES.encode(rows)[2:-2]  # [{…},\n    {…}]
    return "[\n  {\n    " + body.replace("},\n    {", "\n  },\n  {\n    ") + "\n  }\n]"


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


def as_text(
    items: Sequence[CallItem], on: date, ahead: int, lang: str = "zh", limit: int | None = None
) -> str:
    """The list as a table, one line per item; within `limit` columns when
    given (a terminal): the rule wraps under its own column, or, where the
    other columns leave it too little room, each item takes two lines."""
    if not items:
        lines = _title(on, ahead, lang, limit, {"overdue": 0, "today": 0, "upcoming": 0})
        lines.append(CALL_WORDS["nothing"].say(_lang(lang)))
        return "\n".join(lines) + "\n"
    # A long list repeats its dates, times, lags, steps, roles and rules
    # thousands of times: items that differ only in their run and customer
    # (a touchpoint due the same day for hundreds of journeys) share the
    # rest of their line, and each part of it is said, measured and padded once.
    days: dict[int, tuple[str, str]] = {}  # days from `on` -> (the date, the lag)
    times: dict[datetime, str] = {}
    rules: dict[tuple[str, str, str | None], str] = {}
    shared: dict[tuple[object, ...], int] = {}
    tails: list[tuple[str, str, str, str, str]] = []  # when, lag, step, role, rule
    groups: dict[str, list[tuple[str, str, int]]] = {"overdue": [], "today": [], "upcoming": []}
    en = lang == "en"
    for i in items:
        # One unpacking instead of a dozen attribute reads (thousands of items).
        (
            run, subject, _, _, procedure_title, stage, _, step_title, role, role_title, _,
            text, text_en, at, dated, status, days_from, timeout,
        ) = i  # fmt: skip
        said = text_en if en else text
        key = (at, dated, days_from, procedure_title, stage, step_title, role, role_title, said,
               timeout)  # fmt: skip
        tail = shared.get(key)
        if tail is None:
            day = days.get(days_from)
            if day is None:
                day = days[days_from] = (i.day.isoformat(), _lag(i, lang))
            if dated:
                when = day[0]
            else:
                timed = times.get(at)
                if timed is None:
                    timed = times[at] = at.strftime("%Y-%m-%d %H:%M")
                when = timed
            rule = rules.get((procedure_title, said, timeout))
            if rule is None:
                rule = rules[procedure_title, said, timeout] = visible(
                    f"{procedure_title} · {_rule(i, lang)}"
                )
            step = f"{stage} · {step_title}" if stage and step_title else stage or step_title
            tail = shared[key] = len(tails)
            tails.append((when, day[1], step, role_title or role or "", rule))
        groups[status].append((f"#{run}" if run is not None else "—", subject or "—", tail))
    lines = _title(on, ahead, lang, limit, {s: len(g) for s, g in groups.items()})
    # Each column's distinct cells, as shown and how wide; then padded to the
    # column. A run's number is ASCII (or "—"): as wide as it is long.
    listed = [row for group in groups.values() for row in group]
    numbered = max(len(c) for c, _, _ in listed)
    gap = [" " * (numbered - n + 2) for n in range(numbered + 1)]  # to the next column
    p3 = _padded({d for _, d, _ in listed})
    p0, p1, p4, p5 = (_padded(set(cells)) for cells in list(zip(*tails, strict=True))[:4])
    # Where the rule starts: the other columns' widths and their gaps.
    start = (
        2 + numbered + 2 + sum(width(next(iter(col.values()))) + 2 for col in (p0, p1, p3, p4, p5))
    )
    # Within the limit: a line an item if all fit; else the rule wraps under
    # its column; else (a narrow terminal) every item takes two lines.
    fits = limit is None or start + max(width(r) for r in rules.values()) <= limit
    beside = limit is not None and start + RULE_ROOM <= limit
    # Each shared part's text before the number and after the customer.
    heads = [f"  {p0[a]}  {p1[b]}  " for a, b, _, _, _ in tails]
    rests = [f"  {p4[e]}  {p5[f]}  {rule}".rstrip() for _, _, e, f, rule in tails]
    for state, group in groups.items():
        if not group:
            continue
        lines.append("")
        lines.append(_STATE[lang][state])
        if fits:
            lines += [f"{heads[t]}{c}{gap[len(c)]}{p3[d]}{rests[t]}" for c, d, t in group]
            continue
        assert limit is not None  # without a limit, everything fits
        for c, d, t in group:
            line = f"{heads[t]}{c}{gap[len(c)]}{p3[d]}{rests[t]}"
            _, _, e, f, rule = tails[t]
            if beside:
                lines.extend(wrap(rule, line[: len(line) - len(rule)], " " * start, limit))
            else:  # two lines: when and what, then who and the rule
                head = f"{heads[t]}{c}{gap[len(c)]}{p3[d]}  {p4[e]}".rstrip()
                lines.extend(wrap(head, "", "      ", limit, keep=(e,)))
                who = f"{visible(f)} · {rule}" if f else rule
                lines.extend(wrap(who, "      ", None, limit))
    return "\n".join(lines) + "\n"


RULE_ROOM = 20  # the least room for the rule beside the other columns


def _title(on: date, ahead: int, lang: str, limit: int | None, counts: dict[str, int]) -> list[str]:
    title = TITLE.say(ahead, _lang(lang), on=on.isoformat(), **counts)
    return [title] if limit is None else wrap(title, limit=limit)


def _padded(cells: set[str]) -> dict[str, str]:
    """Each of a column's cells as shown, padded to the widest."""
    joined = "".join(cells)
    if joined.isascii() and joined.isprintable():  # run numbers
        most = max(map(len, cells))
        return {t: t.ljust(most) for t in cells}
    measured = {t: _measure(t) for t in cells}
    most = max(w for _, w in measured.values())
    return {t: shown + " " * (most - w) for t, (shown, w) in measured.items()}


def _measure(text: str) -> tuple[str, int]:
    """`text` as the terminal shows it, and the columns it takes."""
    if text.isascii() and text.isprintable():  # a run's number: thousands of them
        return text, len(text)
    shown = visible(text)
    return shown, width(shown)
