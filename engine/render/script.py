"""话术卡: for each step in order, the lines to say, by role, conditions shown.

Unfilled, every line is printed with its condition in words and 〔placeholders〕
for what the visitor supplies. Filled with `--set` answers, only the lines
(and steps) that can apply to this visitor remain, filled in as far as known.

A step that fills a form says so after its lines, in one line: 填写《来访客户
登记表》: 来访日期；客户姓名；… (the fields the step asks, every one for
`all`, since the card has no blank form beside it), under its condition when
the form is filled only sometimes. Such a step stays on the card of the post
that fills it even with no words to say: the form is what the host asks for
there.
"""

from __future__ import annotations

from engine.i18n import messages
from engine.model import Rulebook
from engine.render import TextFormat
from engine.render.cards import Card, build_card
from engine.render.exprs import Values
from engine.render.locale import convert
from engine.render.templating import render
from engine.render.view import RecordView
from engine.render.words import Words, lang_of

EXTENSIONS = {"text": "txt", "md": "md", "html": "html"}

FORM_WORDS = messages(
    "script.form",
    {
        "fill": ("填写《{title}》: {fields}", "fill in 《{title}》: {fields}"),
        "fill-form": ("填写《{title}》", "fill in 《{title}》"),
        "and": ("；", "; "),
    },
)


def form_words(record: RecordView, w: Words) -> str:
    """The line a step's form gets on the card: its title and the fields
    the step asks, in the order the step gives them."""
    if not record.fields:
        return w.say(FORM_WORDS["fill-form"], title=record.title)
    fields = w.say(FORM_WORDS["and"]).join(f.label for f in record.fields)
    return w.say(FORM_WORDS["fill"], title=record.title, fields=fields)


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
    """The script in this process's (context's) language: its own words
    follow --lang, the rulebook's texts are printed as written."""
    w = Words(lang_of())
    # A step that calls another procedure stays, as a pointer to that script;
    # one where branches join, to say what it waits for; one that fills a
    # form, to say which.
    card = build_card(
        rulebook,
        pid,
        role,
        sets,
        lambda step: step.say,
        keep_empty=lambda step: bool(step.call or step.waits or step.records),
        lang=w.lang,
    )
    text = render(
        f"script.{EXTENSIONS[fmt]}.j2",
        card=card,
        rulebook=rulebook,
        heading=heading(card, pid),
        lang=w.html_lang(locale),
        locale=locale,
        w=w,
        form_words=lambda record: form_words(record, w),
    )
    return convert(text, locale)
