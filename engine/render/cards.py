"""What goes on a card: one procedure, or every procedure a post acts in.

Scripts (话术卡) and checklists share the choice of procedures, the order of
a post's daily card (timed routines first, by clock time; emergencies last,
by priority) and the role filter, so both cards of a post list the same
procedures in the same order.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from engine.errors import UsageError
from engine.i18n import Lang, message, messages
from engine.model import Procedure, Rulebook
from engine.procedure_names import find_procedure
from engine.render.exprs import Values
from engine.render.view import Line, ProcView, RecordView, StandingView, StepView, ViewBuilder
from engine.render.words import Words

_KIND_ORDER = {"routine": 0, "service": 1, "situation": 2, "table": 2, "journey": 3, "emergency": 4}


CARD_NEAR = message("card.did-you-mean", '是不是 "{near}"? ', 'did you mean "{near}"? ')
CARD_NO_ROLE = message(
    "card.no-role",
    '没有岗位 "{role}"。{hint}可用: {known}',
    'there is no role "{role}". {hint}known: {known}',
)
CARD_WHICH = message(
    "card.which",
    "请给出流程编号, 或用 --role 指定岗位",
    "give a procedure id, or a role with --role",
)


@dataclass(frozen=True)
class CardStep:
    step: StepView
    lines: tuple[Line, ...]
    # The forms the card's post fills at this step (every form of the step on
    # a card for all posts; none when the step is on it for another's line).
    records: tuple[RecordView, ...] = ()


@dataclass(frozen=True)
class Section:
    proc: ProcView
    steps: tuple[CardStep, ...]
    when: tuple[str, ...] = ()  # a day's card: the times it falls due that day


@dataclass(frozen=True)
class Card:
    sections: tuple[Section, ...]
    role_id: str | None
    role: str
    values: tuple[tuple[str, str], ...]  # the --set answers in words, for the header
    standing: tuple[StandingView, ...] = ()  # rulebook.yaml's rules binding this card's post


def find_role(rulebook: Rulebook, role: str) -> str:
    """A role by id or by its Chinese name (形象岗)."""
    if role in rulebook.roles:
        return role
    for rid, spec in rulebook.roles.items():
        if spec.name == role:
            return rid
    names = [*rulebook.roles, *(r.name for r in rulebook.roles.values())]
    close = difflib.get_close_matches(role, names, n=1)
    hint = CARD_NEAR.say(near=close[0]) if close else ""
    listing = ", ".join(f"{rid} ({spec.name})" for rid, spec in rulebook.roles.items())
    raise UsageError(CARD_NO_ROLE, role=role, hint=hint, known=listing)


def card_order(proc: Procedure) -> tuple[int, str, int, str]:
    first_at = next((s.at.zfill(5) for s in proc.steps.values() if s.at), "99:99")
    return (_KIND_ORDER.get(proc.kind, 9), first_at, proc.priority or 0, proc.id)


def build_card(
    rulebook: Rulebook,
    pid: str | None,
    role: str | None,
    sets: Values | None,
    pick: Callable[[StepView], tuple[Line, ...]],
    *,
    keep_empty: Callable[[StepView], bool] = lambda step: False,
    day: date | None = None,
    lang: Lang = "zh",
) -> Card:
    """`pick` chooses a step's lines (say or do); steps with none for this
    role are left out unless `keep_empty` wants them (a record to fill, say).
    With `day`, the card is that day's: the scheduled procedures falling
    due or open that day, by their first time, each with its times. Its
    words (conditions, times, 第N步) are in `lang`."""
    if pid is None and role is None and day is None:
        raise UsageError(CARD_WHICH)
    rid = find_role(rulebook, role) if role else None
    times: dict[str, tuple[str, ...]] = {}
    if day is not None:
        only = find_procedure(rulebook, pid) if pid else None
        times = day_times(rulebook, day, only, lang)
        procs = [rulebook.procedures[p] for p in times]
    elif pid is not None:
        procs = [find_procedure(rulebook, pid)]
    else:
        procs = sorted(rulebook.procedures.values(), key=card_order)
    builder = ViewBuilder(rulebook, sets, lang)
    sections = []
    for proc in procs:
        view = builder.procedure(proc)
        steps = []
        for step in view.steps:
            lines = tuple(
                line
                for line in pick(step)
                if rid is None or line.role_id == rid or rid in line.role_ids
            )
            mine = rid is None or step.role_id == rid or rid in step.posts
            if lines or (mine and keep_empty(step)):
                steps.append(CardStep(step, lines, step.records if mine else ()))
        if steps or pid is not None or (day is None and view.standing_for(rid)):
            sections.append(Section(view, tuple(steps), times.get(proc.id, ())))
    answers = _answers_in_words(rulebook, procs, sets, lang)
    book = _book_standing(builder, rid, [s.proc for s in sections])
    return Card(tuple(sections), rid, builder.role_name(rid), answers, book)


def _book_standing(
    builder: ViewBuilder, rid: str | None, shown: list[ProcView]
) -> tuple[StandingView, ...]:
    """The rulebook's standing rules a card carries: those that bind its post
    (a post's card) or a post acting in the procedures it shows, each naming
    only the posts of the card (none on a post's own card)."""
    acting = {r for view in shown for step in view.steps for r in step.role_ids}
    out = []
    for s in builder.book_standing():
        if not s.binds(rid):
            continue
        if rid is not None or not s.role_ids:
            out.append(replace(s, role="") if rid is not None else s)
            continue
        here = tuple(r for r in s.role_ids if r in acting)
        if here or not shown:
            out.append(replace(s, role=builder.roles_name(here or s.role_ids)))
    return tuple(out)


DAY_WORDS = messages(
    "card.day",
    {
        "whole": ("全天", "all day"),
        "window": ("{opens} 起, {by} 前完成", "from {opens}, done by {by}"),
    },
)


def day_times(
    rulebook: Rulebook, day: date, only: Procedure | None, lang: Lang = "zh"
) -> dict[str, tuple[str, ...]]:
    """Procedure id → its times on `day` ("08:30", "全天", "12-01 起, 12-25
    前完成"), for the procedures with an occurrence due that day or a
    window open on it, ordered by the first of them."""
    from engine.schedule import occurrences

    start = datetime.combine(day, time())
    found: list[tuple[datetime, str, tuple[str, ...]]] = []
    for proc in [only] if only else rulebook.procedures.values():
        if not proc.schedule:
            continue
        occ = [
            o
            for o in occurrences(proc, rulebook.site, day, day + timedelta(days=366))
            if o.day == day or (o.opens < start + timedelta(days=1) and o.closes > start)
        ]
        if not occ:
            continue
        words = []
        for o in occ:
            if o.whole_day and o.opens.date() < o.day:
                opens, by = f"{o.opens:%m-%d}", f"{o.day:%m-%d}"
                words.append(DAY_WORDS["window"].say(lang, opens=opens, by=by))
            elif o.clock is not None:
                words.append(o.clock)
            else:
                words.append(DAY_WORDS["whole"].say(lang))
        found.append((min(o.at for o in occ), proc.id, tuple(dict.fromkeys(words))))
    found.sort()
    return {pid: words for _, pid, words in found}


def _answers_in_words(
    rulebook: Rulebook, procs: list[Procedure], values: Values | None, lang: Lang
) -> tuple[tuple[str, str], ...]:
    if not values:
        return ()
    from engine.render.exprs import Wording

    inputs = {}
    for proc in procs:
        inputs.update(rulebook.inputs_for(proc))
    wording = Wording(inputs, lang=lang)
    w = Words(lang)
    shown = []
    for name, value in values.items():
        text = w.yes_no(value) if isinstance(value, bool) else str(value)
        shown.append((wording.label(name), text))
    return tuple(shown)
