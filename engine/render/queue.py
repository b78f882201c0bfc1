"""A queue as the rotation desk shows it (`sop queue NAME`): who is next, the
order, each person's receptions today, owed (make-up) turns, who is away."""

from __future__ import annotations

from typing import Any, assert_never

from engine.i18n import message, messages
from engine.model import Queue, Rulebook
from engine.runtime.events import (
    QueueAway,
    QueueBack,
    QueueCredited,
    QueueEvent,
    QueueJoined,
    QueueLeft,
    QueueOpened,
    QueueOrdered,
    QueueTurn,
)
from engine.runtime.queues import Happened, QueueState

QUEUE_HEAD = message(
    "queue.head",
    "{title}{site} · 由{keeper}维护",
    "{title}{site} · kept by {keeper}",
)
QUEUE_SITE = message("queue.site", " (案场: {site})", " (site: {site})")
QUEUE_NEXT = message("queue.next", "下一位: {person}{why}", "next: {person}{why}")
QUEUE_NEXT_OWED = message("queue.next-owed", " (补{duty})", " (a make-up turn: {duty})")
QUEUE_NO_NEXT = message("queue.no-next", "下一位: (无人在场)", "next: (nobody present)")
QUEUE_NONE = message(
    "queue.none",
    "还没有成员。加入: sop queue {queue} join 姓名 …",
    "no members yet. add them: sop queue {queue} join NAME …",
)
QUEUE_TODAY = message(
    "queue.today", "今日 ({day}) 共{duty} {total} 次", "today ({day}): {total} turns ({duty})"
)
QUEUE_COLUMNS = tuple(
    messages(
        "queue.column",
        {
            "place": ("顺序", "place"),
            "person": ("姓名", "name"),
            "today": ("今日{duty}", "{duty} today"),
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
        why = QUEUE_NEXT_OWED.say(duty=queue.duty_said) if owed else ""
        out.append(QUEUE_NEXT.say(person=person, why=why))
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
    header = [
        h.say(**({"duty": queue.duty_said} if "duty" in h.fields else {})) for h in QUEUE_COLUMNS
    ]
    out.extend(table(header, cells, flexible=(1,), optional=(4, 3)))
    out.append("")
    out.append(QUEUE_TODAY.say(day=day, total=sum(today.values()), duty=queue.duty_said))
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


QUEUE_HISTORY = messages(
    "queue.history",
    {
        "opened": ("开始记录「{title}」", 'began keeping "{title}"'),
        "joined": ("加入: {people}", "joined: {people}"),
        "left": ("离开: {person}", "left: {person}"),
        "away": ("外出: {person}", "away: {person}"),
        "back": ("归来: {person}", "back: {person}"),
        "ordered": ("重新排序: {people}", "new order: {people}"),
        "turn": ("{person} {duty} (运行 #{run}){how}", "{person}'s turn: {duty} (run #{run}){how}"),
        "credited": (
            "{person} 本次不计{duty}, 补{duty}一次 (运行 #{run})",
            "{person}: not counted ({duty}), a make-up turn owed (run #{run})",
        ),
        "owed": (", 补{duty}", ", a make-up turn ({duty})"),
        "last": (", 排在最后的一位", ", the last in the order"),
        "named": (", 指定", ", named"),
        "free": (", 不计{duty}次数", ", not counted as {duty}"),
        "none": ("还没有记录。", "nothing recorded yet."),
    },
)
QUEUE_HISTORY_COLUMNS = tuple(
    messages(
        "queue.history-column",
        {"at": ("时间", "when"), "actor": ("操作人", "by"), "what": ("经过", "what")},
    ).values()
)


def history_lines(happened: list[Happened], queue: Queue) -> list[str]:
    """The queue's events, oldest first: when, who, what."""
    from engine.runtime.layout import table

    if not happened:
        return [QUEUE_HISTORY["none"].say()]
    cells = [
        [h.at[5:16].replace("T", " "), h.actor or "—", _said(h.event, queue.duty_said)]
        for h in happened
    ]
    header = [c.say() for c in QUEUE_HISTORY_COLUMNS]
    return [queue.title, "", *table(header, cells, flexible=(2,), optional=(1,))]


def _said(ev: QueueEvent, duty: str) -> str:
    def say(key: str, **args: object) -> str:
        msg = QUEUE_HISTORY[key]
        return msg.say(**args, **({"duty": duty} if "duty" in msg.fields else {}))

    match ev:
        case QueueOpened():
            return say("opened", title=ev.title)
        case QueueJoined():
            return say("joined", people=", ".join(ev.people))
        case QueueLeft():
            return say("left", person=ev.person)
        case QueueAway():
            return say("away", person=ev.person)
        case QueueBack():
            return say("back", person=ev.person)
        case QueueOrdered():
            return say("ordered", people=", ".join(ev.order))
        case QueueTurn():
            how = say("owed") if ev.owed else ""
            how += say(ev.take) if ev.take in ("last", "named") else ""
            how += "" if ev.counts else say("free")
            return say("turn", person=ev.person, run=ev.run, how=how)
        case QueueCredited():
            return say("credited", person=ev.person, run=ev.run)
        case _:
            assert_never(ev)


def history_json(happened: list[Happened]) -> list[dict[str, Any]]:
    return [
        {
            "seq": h.seq,
            "at": h.at,
            "actor": h.actor,
            "kind": h.event.kind.value,
            **h.event.to_json(),
        }
        for h in happened
    ]
