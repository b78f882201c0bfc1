"""A queue as the rotation desk shows it (`sop queue NAME`): who is next, the
order, each person's receptions today, owed (make-up) turns, who is away."""

from __future__ import annotations

from typing import Any

from engine.i18n import message, messages
from engine.model import Queue, Rulebook
from engine.runtime.queues import QueueState

QUEUE_HEAD = message(
    "queue.head",
    "{title}{site} · 由{keeper}维护",
    "{title}{site} · kept by {keeper}",
)
QUEUE_SITE = message("queue.site", " (案场: {site})", " (site: {site})")
QUEUE_NEXT = message("queue.next", "下一位: {person}{why}", "next: {person}{why}")
QUEUE_NEXT_OWED = message("queue.next-owed", " (补接待)", " (a make-up turn)")
QUEUE_NO_NEXT = message("queue.no-next", "下一位: (无人在场)", "next: (nobody present)")
QUEUE_NONE = message(
    "queue.none",
    "还没有成员。加入: sop queue {queue} join 姓名 …",
    "no members yet. add them: sop queue {queue} join NAME …",
)
QUEUE_TODAY = message(
    "queue.today", "今日 ({day}) 共接待 {total} 次", "today ({day}): {total} receptions"
)
QUEUE_COLUMNS = tuple(
    messages(
        "queue.column",
        {
            "place": ("顺序", "place"),
            "person": ("姓名", "name"),
            "today": ("今日接待", "today"),
            "owed": ("欠补", "owed"),
            "status": ("状态", "status"),
        },
    ).values()
)
QUEUE_AWAY = message("queue.away", "外出", "away")
QUEUE_ANYONE = message("queue.anyone", "(未指定岗位)", "(no post named)")


def keeper_of(rulebook: Rulebook, queue: Queue) -> str:
    if queue.keeper is None or queue.keeper.name not in rulebook.roles:
        return QUEUE_ANYONE.say()
    return rulebook.roles[queue.keeper.name].name


def lines(state: QueueState, queue: Queue, rulebook: Rulebook, day: str) -> list[str]:
    from engine.runtime.layout import table

    site = QUEUE_SITE.say(site=state.site) if state.site else ""
    out = [QUEUE_HEAD.say(title=queue.title, site=site, keeper=keeper_of(rulebook, queue))]
    if not state.order:
        out.append(QUEUE_NONE.say(queue=queue.id))
        return out
    found = state.next()
    if found is None:
        out.append(QUEUE_NO_NEXT.say())
    else:
        person, owed = found
        out.append(QUEUE_NEXT.say(person=person, why=QUEUE_NEXT_OWED.say() if owed else ""))
    today = state.today(day)
    cells = [
        [
            str(i),
            p,
            str(today.get(p, 0)),
            str(state.owed.count(p) or ""),
            QUEUE_AWAY.say() if p in state.away else "",
        ]
        for i, p in enumerate(state.order, 1)
    ]
    out.append("")
    out.extend(table([h.say() for h in QUEUE_COLUMNS], cells, flexible=(1,), optional=(4, 3)))
    out.append("")
    out.append(QUEUE_TODAY.say(day=day, total=sum(today.values())))
    return out


def as_json(state: QueueState, queue: Queue, day: str) -> dict[str, Any]:
    found = state.next()
    return {
        "queue": queue.id,
        "title": queue.title,
        "site": state.site,
        "next": found[0] if found else None,
        "next_owed": bool(found and found[1]),
        "order": list(state.order),
        "away": [p for p in state.order if p in state.away],
        "owed": list(state.owed),
        "today": {"day": day, "counts": state.today(day)},
        "last_seq": state.last_seq,
    }
