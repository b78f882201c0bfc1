"""The web driver: a posted form becomes the runner's reply, and the next
question becomes the page.

A request's runner asks its questions of a `WebDriver`. The first question
is answered from the posted form — but only if the run still stands where
it stood when the page was sent (`position`): a form sent twice (a double
tap, a resubmitted page, a second tab) finds the run moved on and records
nothing. Every later question is held (`Command("hold")`): the runner stops
with everything answered on disk, and that question is the next page.

A form's reply is checked here, as the terminal checks what is typed
(`values.parse`, a reason for a critical item not done…); a reply that does
not fit records nothing and the page says why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import assert_never

from engine.journal import Journal
from engine.runtime import values
from engine.runtime.dues import Reminder
from engine.runtime.events import NOTICE_KINDS
from engine.runtime.prompts import (
    ChoiceQuestion,
    Command,
    CorrectQuestion,
    EmergencyQuestion,
    EvidenceGiven,
    EvidenceQuestion,
    FieldQuestion,
    Given,
    InputQuestion,
    ItemAnswer,
    ItemQuestion,
    PeopleQuestion,
    Question,
    Reply,
    View,
    WaitQuestion,
)
from engine.runtime.texts import text

ACTIONS = frozenset({"answer", "pause", "note", "emergency", "correct", "milestone", "lane"})


class Refused(ValueError):
    """A posted reply that does not fit its question; the text says why."""


def question_key(q: Question) -> str:
    """Which question a form answers, stable across requests."""
    match q:
        case InputQuestion():
            return f"input:{q.spec.name}"
        case FieldQuestion():
            return f"field:{q.form}.{q.spec.name}"
        case ItemQuestion():
            return f"item:{q.item.index}"
        case ChoiceQuestion():
            return "choice"
        case EmergencyQuestion():
            return "emergency"
        case WaitQuestion():
            return "wait"
        case PeopleQuestion():
            return f"people:{q.how}"
        case EvidenceQuestion():
            return "evidence"
        case CorrectQuestion():
            return "correct"
        case _:
            assert_never(q)


def position(journal: Journal, run: int) -> str:
    """Where a run stands: its number and its last event that is not a
    notice (`sop notify` writes notices on runs; they move nothing)."""
    for e in reversed(journal.events(run)):
        if e.kind not in NOTICE_KINDS:
            return f"{run}.{e.seq}"
    return f"{run}.0"


@dataclass(frozen=True)
class Posted:
    """A submitted form: what it does, the position and question it was
    sent for, and its fields."""

    action: str
    pos: str
    key: str
    fields: Mapping[str, str]
    photos: tuple[bytes, ...] = ()  # files posted as `photo` (evidence), each cut past 10 MB + 1
    signature: bytes = b""  # the drawn signature (`signature`, a PNG), cut past its limit + 1
    signature_photo: bytes = b""  # a photo of a paper signature (`signature_photo`)

    def get(self, name: str) -> str:
        return self.fields.get(name, "")


def _index(raw: str, n: int, lang: str) -> int:
    s = values.normalise(raw)
    if s.isdigit() and 0 <= int(s) < n:
        return int(s)
    raise Refused(text("choose_bad", lang, n=n))


def reply_for(q: Question, form: Posted, now: datetime, lang: str) -> Reply:
    """The reply a posted form gives to `q`, checked (`Refused` if it does not fit)."""
    try:
        match q:
            case InputQuestion() | FieldQuestion():
                raw = form.get("value")
                if q.spec.type == "choice" and form.get("choice"):
                    # Options are posted by number: a page shown in traditional
                    # characters still answers with the rulebook's own words.
                    raw = q.spec.options[_index(form.get("choice"), len(q.spec.options), lang)]
                if q.default is not None and not raw.strip():
                    raw = q.default
                return Given(values.parse(q.spec, raw, now))
            case ItemQuestion():
                status = form.get("status")
                reason = form.get("reason").strip() or None
                if status == "done":
                    return ItemAnswer("done")
                if status == "skipped":
                    if reason is None:
                        raise Refused(text("reason_needed", lang))
                    return ItemAnswer("skipped", reason)
                if status == "not_done":
                    if reason is None and q.item.critical:
                        raise Refused(text("reason_required", lang))
                    return ItemAnswer("not_done", reason)
                raise Refused(text("item_bad", lang))
            case ChoiceQuestion():
                return Given(_index(form.get("option"), len(q.options), lang))
            case EmergencyQuestion():
                if form.get("option") in ("", "cancel"):
                    return Command("cancel")
                return Given(_index(form.get("option"), len(q.options), lang))
            case WaitQuestion():
                return Given(form.get("now") == "yes")
            case CorrectQuestion():
                if form.get("option") in ("", "cancel"):
                    return Command("cancel")
                return Given(_index(form.get("option"), len(q.answers), lang))
            case PeopleQuestion():
                return Given(_people(q, form.get("names"), lang))
            case EvidenceQuestion():
                return Given(_evidence(q, form, lang))
            case _:
                assert_never(q)
    except values.BadValue as exc:
        raise Refused(exc.text(lang)) from None


def _evidence(q: EvidenceQuestion, form: Posted, lang: str) -> EvidenceGiven:
    """The photos posted (each a JPEG, PNG or WebP of at most 10 MB, at
    least as many as asked), the signer's typed name and the signature."""
    from engine.journal.evidence import refusal

    photos = tuple(p for p in form.photos if p)
    if len(photos) < q.photos:
        raise Refused(text("photos_needed", lang, n=q.photos, got=len(photos)))
    for number, data in enumerate(photos, 1):
        refused = refusal(data)
        if refused is not None:
            msg, args = refused
            raise Refused(msg.say(lang, what=f"#{number}", **args))  # type: ignore[arg-type]
    if not q.signature:
        return EvidenceGiven(photos, None)
    signer = form.get("signer").strip() or None
    if signer is None:
        raise Refused(text("name_needed", lang))
    return EvidenceGiven(photos, signer, _signature(form, lang))


def _signature(form: Posted, lang: str) -> bytes:
    """The signature's picture: drawn on the page's pad (a PNG of at most
    MAX_SIGNATURE bytes, known by its first bytes), else a photo of a paper
    signature (a JPEG, PNG or WebP of at most 10 MB, as any photo)."""
    from engine.journal.evidence import MAX_SIGNATURE, media_type, refusal

    drawn, paper = form.signature, form.signature_photo
    if drawn:
        if len(drawn) > MAX_SIGNATURE:
            raise Refused(text("signature_too_big", lang, size=len(drawn), limit=MAX_SIGNATURE))
        if media_type(drawn) != "image/png":
            raise Refused(text("signature_not_png", lang))
        return drawn
    if paper:
        refused = refusal(paper)
        if refused is not None:
            msg, args = refused
            raise Refused(msg.say(lang, what=text("paper_what", lang), **args))  # type: ignore[arg-type]
        return paper
    raise Refused(text("signature_needed", lang))


def _people(q: PeopleQuestion, raw: str, lang: str) -> tuple[str, ...]:
    names = [n.strip() for n in raw.splitlines() if n.strip()]
    if q.how == "another":
        if len(names) != 1:
            raise Refused(text("name_needed", lang))
        if q.operator and names[0] == q.operator:
            raise Refused(text("another_self", lang, operator=q.operator))
        return (names[0],)
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise Refused(text("all_twice", lang, person=name))
        seen.add(name)
    if len(names) < 2:
        raise Refused(text("all_more", lang))
    return tuple(names)


@dataclass
class WebDriver:
    """Answers the first question from the posted form (if the run still
    stands where the form was sent), holds at the next one, and keeps what
    the runner showed for the page."""

    lang: str
    where: Callable[[], str]  # the run's position now (see `position`)
    posted: Posted | None = None
    views: list[View] = field(default_factory=list)
    question: Question | None = None
    reminders: Sequence[Reminder] = ()
    pos: str = ""  # the position the held question was asked at
    error: str | None = None  # why the posted reply was refused
    stale: bool = False  # the form was sent for a run that has moved on
    answered: bool = False  # the posted reply was given to the runner
    check: bool = True  # False: the posted command is for whatever is asked first (no form)
    # Replies to the questions that follow the first (a correction: which
    # answer, then its new value), checked as any reply is.
    follow: list[Posted] = field(default_factory=list)

    def show(self, view: View) -> None:
        self.views.append(view)

    def ask(self, question: Question, reminders: Sequence[Reminder], now: datetime) -> Reply:
        here = self.where()
        posted, self.posted = self.posted, None
        if posted is None and self.follow and not (self.stale or self.error):
            then = self.follow.pop(0)
            try:
                reply = reply_for(question, then, now, self.lang)
            except Refused as exc:
                self.error = str(exc)
            else:
                return reply
        elif posted is not None:
            if self.check and posted.pos != here:
                self.stale = True
            elif posted.action == "pause":
                self.answered = True
                return Command("pause")
            elif posted.action == "note":
                note = posted.get("note").strip()
                if note:
                    self.answered = True
                    return Command("note", text=note)
            elif posted.action == "emergency":
                self.answered = True
                return Command("emergency", procedure=posted.get("procedure") or None)
            elif posted.action == "correct":
                self.answered = True
                return Command("correct")
            elif posted.action == "lane":  # a parallel's branches: turn to another
                self.answered = True
                return Command("lane")
            elif posted.action == "milestone" and posted.get("milestone"):
                self.answered = True
                return Command(
                    "milestone", text=posted.get("date").strip(), procedure=posted.get("milestone")
                )
            elif posted.key != question_key(question):
                self.stale = True
            else:
                try:
                    reply = reply_for(question, posted, now, self.lang)
                except Refused as exc:
                    self.error = str(exc)
                else:
                    self.answered = True
                    return reply
        self.question, self.reminders, self.pos = question, reminders, here
        return Command("hold")
