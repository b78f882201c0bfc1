"""Checklists: □ items per step in the order written (critical ones marked
where they stand), with conditions, timing, records to fill and where to go
next.

For one procedure every step is listed (a paper checklist is followed in
order, so decision steps stay in with their ways out). With `--role` and no
procedure it is a post's daily card: every procedure the post acts in, timed
routines first, with the post's duties on top.
"""

from __future__ import annotations

from datetime import date

from engine.model import Rulebook
from engine.render import TextFormat
from engine.render.cards import build_card
from engine.render.exprs import Values
from engine.render.locale import convert
from engine.render.script import EXTENSIONS, heading
from engine.render.templating import render
from engine.render.view import RecordView, StepView
from engine.render.words import SHORT_WEEKDAYS, Words, lang_of


def fill_words(record: RecordView, w: Words) -> str:
    """A record to fill on the checklist: its title and the fields the step
    asks (全部栏目 when it asks them all)."""
    if record.all_fields:
        fields = w("every-field")
    else:
        fields = w("sep").join(f.label for f in record.fields)
    return w("fill", title=record.title, fields=fields)


def render_checklist(
    rulebook: Rulebook,
    pid: str | None,
    *,
    role: str | None = None,
    sets: Values | None = None,
    fmt: TextFormat = "text",
    locale: str = "zh-CN",
    day: date | None = None,
) -> str:
    """One procedure's checklist, a post's daily card (`role`), or with
    `day` that day's scheduled duties (across the rulebook, or the post's),
    each with its times that day."""

    def keep(step: StepView) -> bool:
        # Without a role every step stays; a post keeps its own steps that
        # have something besides items: a record, a deadline, a reminder.
        return role is None or bool(step.records or step.timing)

    w = Words(lang_of())
    card = build_card(
        rulebook, pid, role, sets, lambda step: step.do, keep_empty=keep, day=day, lang=w.lang
    )
    duties = rulebook.roles[card.role_id].duties if card.role_id else ()
    title = heading(card, pid)
    if day is not None:
        weekday = w.say(SHORT_WEEKDAYS[str(day.weekday())])
        title = " · ".join(
            p for p in (w("day-title", day=day.isoformat(), weekday=weekday), title) if p
        )
    text = render(
        f"checklist.{EXTENSIONS[fmt]}.j2",
        card=card,
        rulebook=rulebook,
        heading=title,
        duties=duties,
        lang=w.html_lang(locale),
        locale=locale,
        w=w,
        fill_words=lambda record: fill_words(record, w),
    )
    return convert(text, locale)
