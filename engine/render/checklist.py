"""Checklists: □ items per step in the order written (critical ones marked
where they stand), with conditions, timing, records to fill and where to go
next.

For one procedure every step is listed (a paper checklist is followed in
order, so decision steps stay in with their ways out). With `--role` and no
procedure it is a post's daily card: every procedure the post acts in, timed
routines first, with the post's duties on top.
"""

from __future__ import annotations

from engine.model import Rulebook
from engine.render import TextFormat
from engine.render.cards import build_card
from engine.render.exprs import Values
from engine.render.locale import convert
from engine.render.script import EXTENSIONS, heading
from engine.render.templating import render
from engine.render.view import StepView


def render_checklist(
    rulebook: Rulebook,
    pid: str | None,
    *,
    role: str | None = None,
    sets: Values | None = None,
    fmt: TextFormat = "text",
    locale: str = "zh-CN",
) -> str:
    def keep(step: StepView) -> bool:
        # Without a role every step stays; a post keeps its own steps that
        # have something besides items: a record, a deadline, a reminder.
        return role is None or bool(step.records or step.timing)

    card = build_card(rulebook, pid, role, sets, lambda step: step.do, keep_empty=keep)
    duties = rulebook.roles[card.role_id].duties if card.role_id else ()
    text = render(
        f"checklist.{EXTENSIONS[fmt]}.j2",
        card=card,
        rulebook=rulebook,
        heading=heading(card, pid),
        duties=duties,
        lang=locale,
    )
    return convert(text, locale)
