"""话术卡: for each step in order, the lines to say, by role, conditions shown.

Unfilled, every line is printed with its condition in words and 〔placeholders〕
for what the visitor supplies. Filled with `--set` answers, only the lines
(and steps) that can apply to this visitor remain, filled in as far as known.
"""

from __future__ import annotations

from engine.model import Rulebook
from engine.render import TextFormat
from engine.render.cards import Card, build_card
from engine.render.exprs import Values
from engine.render.locale import convert
from engine.render.templating import render

EXTENSIONS = {"text": "txt", "md": "md", "html": "html"}


def heading(card: Card, pid: str | None) -> str:
    parts = []
    if pid is not None and card.sections:
        parts.append(card.sections[0].proc.title)
    if card.role:
        parts.append(card.role)
    return " · ".join(parts)


def render_script(
    rulebook: Rulebook,
    pid: str | None,
    *,
    role: str | None = None,
    sets: Values | None = None,
    fmt: TextFormat = "text",
    locale: str = "zh-CN",
) -> str:
    # A step that calls another procedure stays, as a pointer to that script;
    # one where branches join, to say what it waits for.
    card = build_card(
        rulebook,
        pid,
        role,
        sets,
        lambda step: step.say,
        keep_empty=lambda step: bool(step.call or step.waits),
    )
    text = render(
        f"script.{EXTENSIONS[fmt]}.j2",
        card=card,
        rulebook=rulebook,
        heading=heading(card, pid),
        lang=locale,
    )
    return convert(text, locale)
