"""The terminal: how views and questions look, and how typed answers are read.

`Printer` turns the runner's views into lines that fit 80 columns (colour
only on a terminal); `TerminalDriver` reads answers — with line editing on a
terminal, one answer per line from a pipe — checks them, asks again with a
reason when they do not fit, and turns `!`, `p`, `n`, `?`, Ctrl-C and end of
input into commands, so nothing a person types can crash a run.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import re
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import TextIO

from engine import screen
from engine.i18n import os_reason
from engine.runtime import interrupts, values
from engine.runtime.dues import SOON, Reminder
from engine.runtime.layout import WIDTH, columns, shorten, width, wrap
from engine.runtime.prompts import (
    Body,
    ChoiceQuestion,
    Command,
    CorrectQuestion,
    EmergencyQuestion,
    EvidenceGiven,
    EvidenceQuestion,
    FieldQuestion,
    Given,
    Header,
    InputQuestion,
    ItemAnswer,
    ItemQuestion,
    ItemView,
    Notice,
    PeopleQuestion,
    Question,
    Reply,
    View,
    WaitQuestion,
)
from engine.runtime.texts import WAIT_UNTIL, lang_of, text

PROMPT = " › "
ANSWER_ROOM = 6  # columns left on a prompt's line for the answer
DONE_WORDS = frozenset({"", "y", "yes", "是", "完成", "好", "ok", "done"})
NOT_DONE_WORDS = frozenset({"n", "no", "否", "未完成", "没有"})
SKIP_WORDS = ("s", "skip", "跳过")
CORRECT_WORDS = frozenset({"更正", "改", "correct", "fix"})


def _when(at: datetime, now: datetime) -> str:
    return at.strftime("%H:%M") if at.date() == now.date() else at.strftime("%m-%d %H:%M")


# The key column of a help line: indented, then the key, then two spaces or more.
_HELP_KEY = re.compile(r" +\S.*?  +(?=\S)")


class Printer:
    def __init__(
        self, out: TextIO, color: bool = False, lang: str = "zh", columns: int | None = None
    ) -> None:
        self.out = screen.safe(out)  # nothing reaches the screen unescaped
        self.color = color
        self.columns = columns  # fixed, or None: the terminal's width at each line
        self.lang = lang
        self._view_width: int | None = None  # the width one view is laid out to

    def t(self, key: str, **args: object) -> str:
        return text(key, self.lang, **args)

    def style(self, s: str, fg: str | None = None, bold: bool = False, dim: bool = False) -> str:
        return screen.style(s, fg, bold, dim) if self.color else s

    def cols(self) -> int:
        """The width to lay out to: the terminal's, as it is now (a window
        can be resized mid-run), at least 40; 80 when not a terminal."""
        if self.columns is not None:
            return self.columns
        if self._view_width is not None:
            return self._view_width
        try:
            tty = self.out.isatty()
        except (OSError, ValueError):
            tty = False
        return columns() if tty else WIDTH

    def line(
        self,
        s: str = "",
        indent: str = "",
        hang: str | None = None,
        fg: str | None = None,
        bold: bool = False,
        dim: bool = False,
        keep: Sequence[str] = (),
    ) -> None:
        for part in wrap(s, indent, hang, self.cols(), keep) if s else [""]:
            self.out.write(self.style(part, fg, bold, dim) + "\n")
        self.out.flush()

    def write(self, s: str) -> None:
        self.out.write(s)
        self.out.flush()

    # ---- views

    def show(self, view: View) -> None:
        # One view is laid out to one width, asked of the terminal once.
        self._view_width = self.cols()
        try:
            if isinstance(view, Header):
                self._header(view)
            elif isinstance(view, Body):
                self._body(view)
            else:
                self._notice(view)
        finally:
            self._view_width = None

    def _header(self, h: Header) -> None:
        self.line()
        self.write(self.style("─" * self.cols(), dim=True) + "\n")
        key = "step_last" if h.total == 0 else "step_open" if h.total < 0 else "step"
        parts = [h.procedure_title, self.t(key, number=h.number, total=h.total), h.step_title]
        if h.role:
            parts.append(h.role)
        colour = "red" if h.emergency else "cyan"
        self.line(" · ".join(parts), bold=True, fg=colour, keep=parts)
        trail = " › ".join(h.trail)
        if h.trail:
            key = "emergency_over" if h.emergency else "called_by"
            self.line(self.t(key, trail=trail) + "  " + self.t("run", run=h.run), "  ", dim=True)
        if h.lane:
            self.line(self.t("lane", title=h.lane), "  ", bold=True, fg="magenta")
        if h.hint:
            self.line(self.t("hint", hint=h.hint), "  ", dim=True)

    def _body(self, b: Body) -> None:
        if b.rules:
            self.line(self.t("rules"), "  ", bold=True, fg="yellow")
            for r in b.rules:
                if not r.never:
                    said = self.t("rule", text=r.text)
                elif r.instead:
                    said = self.t("never_instead", text=r.text, instead=r.instead)
                else:
                    said = self.t("never", text=r.text)
                self.line(said, "    ", "      ", fg="yellow")
                if r.hint:
                    self.line(self.t("hint", hint=r.hint), "      ", dim=True)
        if b.say:
            self.line(self.t("say"), "  ", bold=True)
            for s in b.say:
                self.line(f"「{s}」", "    ", "     ")
        if b.items and b.mode == "read-do":
            self.line(self.t("read_do", n=len(b.items)), "  ", bold=True)
        elif b.items:
            self.line(self.t("do"), "  ", bold=True)
            for item in b.items:
                self._item(item)
        if b.records:
            forms = " ".join(f"《{f}》" for f in b.records)
            self.line(self.t("record", forms=forms), "  ", bold=True)
        self.line(self.t("footer"), "  ", dim=True)

    def help(self, text: str) -> None:
        """The help, one line per key: a key's description wraps under the
        description, not under the key."""
        for entry in text.split("\n"):
            head = _HELP_KEY.match(entry)
            hang = " " * width("  " + head.group(0)) if head else "    "
            self.line(entry, "  ", hang)

    def _item(self, item: ItemView) -> None:
        mark = {"done": " ✓", "not_done": " ✗", "skipped": " –"}.get(item.answer or "", "")
        label = f"[{item.number}]{mark}"
        body = item.text
        if item.critical:
            body = f"★〔{self.t('critical')}〕{body}"
        if item.role:
            body += f" ({self.t('by_role', role=item.role)})"
        if item.person:
            body += f" ({self.t('by_person', person=item.person)})"
        lines = wrap(body, f"    {label} ", None, self.cols(), (item.role or "", item.person or ""))
        for part in lines:
            self.out.write(self.style(part, fg="red", bold=True) if item.critical else part)
            self.out.write("\n")
        if item.hint:
            self.line(self.t("hint", hint=item.hint), "         ", dim=True)
        self.out.flush()

    def _notice(self, n: Notice) -> None:
        a = dict(n.args)
        # Titles and names in the sentence are not broken across lines.
        keep = tuple(v for v in a.values() if isinstance(v, str) and 0 < width(v) <= 24)
        say = functools.partial(self.line, keep=keep)
        k = n.kind
        if k == "branch":
            why = a.get("why") or ""
            key = (
                "branch_plain"
                if not why
                else "branch_otherwise"
                if why == "otherwise"
                else "branch"
            )
            say(self.t(key, **a), "  ", fg="cyan")
        elif k == "call":
            given = a.pop("with", {}) or {}
            args = (
                " ("
                + ", ".join(f"{n}: {values.show(v, self.lang)}" for n, v in given.items())
                + ")"
                if given
                else ""
            )
            say(self.t("call", args=args, **a), "  ", fg="cyan")
        elif k in ("turn", "turn_owed", "turn_credit"):
            say(self.t(k, **a), "  ", fg="cyan", bold=True)
        elif k in (
            "returned",
            "note_saved",
            "choice_gone",
            "corrected",
            "correct_none",
            "lane_started",
            "lane_switched",
            "lane_main",
            "lane_main_ended",
            "lane_ended",
            "lane_cancelled",
            "lane_none",
            "lane_joined",
        ):
            say(self.t(k, **a), "  ", fg="cyan")
        elif k == "lane_wait":
            say(self.t(k, **a), "  ", fg="yellow", bold=True)
        elif k == "corrected_item":
            after = self.t("status_" + a["after"])
            if a.get("reason"):
                after += self.t("status_why", reason=a["reason"])
            label, before = a["label"], self.t("status_" + a["before"])
            say(self.t("corrected", label=label, before=before, after=after), "  ", fg="cyan")
        elif k == "milestone_bad":
            say(self.t(k, **a), "    ", fg="red")
        elif k == "timeout":
            say(self.t(k, **a), "  ", fg="red", bold=True)
        elif k in ("emergency", "stuck", "warning", "unknown_emergency", "no_emergencies"):
            if k == "unknown_emergency":
                a["known"] = ", ".join(a["known"])
            say(self.t(k, **a), "", fg="red", bold=True)
        elif k == "emergency_over":
            say(self.t("emergency_done", **a), "", fg="green", bold=True)
        elif k == "milestone":
            planned = self.t("planned") if a.get("planned") else ""
            say(self.t("milestone", **{**a, "planned": planned}), "  ", fg="cyan")
        elif k in ("started", "finished", "paused", "waiting"):
            say()
            say(self.t(k, **a), "", fg="green" if k == "finished" else None, bold=True)
        elif k == "occurrence":
            say(self.t(k, **a), "  ")
        elif k == "resumed":
            say(self.t("resumed", **a), "", bold=True)
            if a.get("crashed"):
                say(self.t("resumed_crashed"), "  ", fg="yellow")
            if a.get("done"):
                say(self.t("resumed_done"), "  ")
                for label, value in a["done"]:
                    say(f"{label} = {value}", "    ", "      ")
            if a.get("waiting"):
                say(self.t("resumed_waiting", waiting=" › ".join(a["waiting"])), "  ")
            if a.get("changed"):
                say(
                    self.t(
                        "rulebook_changed", version=a.get("version") or "-", sha=a.get("sha") or "-"
                    ),
                    "  ",
                    fg="yellow",
                )

    def listing(self, shown: Sequence[str]) -> None:
        """Labels that carry their own numbers (a rule table's entries)."""
        for label in shown:
            self.line(label, "    ", "       ")

    def _numbered(self, shown: Sequence[str]) -> None:
        for i, label in enumerate(shown, 1):
            self.line(f"{i}) {label}", "    ", "       ")

    def choices(self, q: ChoiceQuestion) -> None:
        self.line(self.t("choose") + ":", "  ", bold=True)
        if not q.options:
            self.line(self.t("no_options"), "    ", dim=True)
        self._numbered(
            [f"{o.label} → {o.to_title}" if o.to_title != o.label else o.label for o in q.options]
        )

    def emergencies(self, q: EmergencyQuestion) -> None:
        self.line(self.t("emergencies"), "  ", fg="red", bold=True)
        self._numbered(
            [
                f"[{o.priority}] {o.title}" + (f" — {o.trigger}" if o.trigger else "")
                for o in q.options
            ]
        )
        self.line(f"0) {self.t('cancel')}", "    ", dim=True)

    def reminders(self, rs: Sequence[Reminder], now: datetime) -> None:
        """The reminders due now, overdue, or close; recurring ones only when due."""
        for r in rs:
            if r.kind == "every" and not r.overdue:
                continue
            if r.dated and r.at.date() > now.date():
                continue  # a journey date ahead: the call list's, not this prompt's
            if not (r.overdue or r.at - now <= SOON):
                continue
            self.line(self._reminder(r, now), "  ", fg="red" if r.overdue else "yellow")

    def _reminder(self, r: Reminder, now: datetime) -> str:
        if r.dated:
            at = self.t("today") if r.at.date() == now.date() else r.at.strftime("%Y-%m-%d")
        else:
            at = _when(r.at, now)
        if r.kind == "every":
            key = "due_every_now" if r.overdue else "due_every"
        else:
            key = {"within": "due_within", "at": "due_at", "due": "due_due"}[r.kind]
        s = "⏰ " + self.t(key, title=r.step_title, text=r.text, at=at)
        if r.overdue and r.kind != "every":
            s += f" · {self.t('overdue')}"
        if not r.mine:
            s += " · " + self.t("other_run", run=r.run, procedure=r.procedure_title)
        return s

    def wait(self, q: WaitQuestion, now: datetime) -> None:
        """Why a journey step is not due yet."""
        en = self.lang == "en"
        w = q.wait
        said = w.text_en if en else w.text
        if w.until is None:
            self.line(self.t("wait_milestone", text=said, anchor=w.anchor_title), "  ", fg="yellow")
        elif isinstance(w.until, datetime):
            when = w.until.strftime("%Y-%m-%d %H:%M")
            self.line(self.t("wait_until_time", text=said, date=when), "  ", fg="yellow")
        else:
            days = (w.until - now.date()).days
            self.line(
                WAIT_UNTIL.say(days, lang_of(self.lang), text=said, date=w.until.isoformat()),
                "  ",
                fg="yellow",
            )

    def reminder_line(self, r: Reminder, now: datetime) -> str:
        return self._reminder(r, now)


class TerminalDriver:
    """Asks a person. `tty` selects line editing and colour; without it one
    answer is read per line (a pipe) and echoed, so the output reads as a
    transcript."""

    def __init__(
        self, printer: Printer, stdin: TextIO | None = None, tty: bool | None = None
    ) -> None:
        self.p = printer
        self.stdin = stdin or sys.stdin
        self.tty = self.stdin.isatty() if tty is None else tty
        self._form: str | None = None
        if self.tty:
            # Line editing and history for input(); absent on Windows, where
            # input() still works without them.
            with contextlib.suppress(ImportError):
                import readline  # noqa: F401

    def show(self, view: View) -> None:
        if isinstance(view, Header):
            self._form = None
        try:
            self.p.show(view)
        except OSError as exc:
            self._lost(exc)

    def _gone(self) -> bool:
        """Whether the terminal answers no more (hung up: closed window, lost
        ssh session). A hung-up terminal refuses even to say it is one."""
        if not self.tty:
            return False
        try:
            return not os.isatty(self.stdin.fileno())
        except (OSError, ValueError, io.UnsupportedOperation):
            return False

    def _lost(self, exc: OSError) -> None:
        """A write failed: if the terminal is gone, that is a hangup and
        pauses the run (`interrupts.hung_up`); otherwise the failure is real."""
        if not self._gone():
            raise exc
        interrupts.hung_up()

    # ---- reading

    def _fit(self, prompt: str) -> str:
        """A prompt too wide to leave room for the answer on its line is
        said on lines of its own, and the answer typed after a short one."""
        if width(prompt) + ANSWER_ROOM <= self.p.cols():
            return prompt
        indent = prompt[: len(prompt) - len(prompt.lstrip(" "))]
        body = prompt.strip().removesuffix(PROMPT.strip()).rstrip()
        self.p.line(body, indent)
        return indent + PROMPT.lstrip()

    def _read(self, prompt: str) -> str | Command:
        prompt = self._fit(prompt)
        try:
            interrupts.check()  # a signal whose exception was lost acts now
            if self.tty:
                # readline writes the prompt itself, past sys.stdout: make it safe here.
                return input(screen.for_terminal(prompt))
            self.p.write(prompt)
            line = self.stdin.readline()
            if not line:
                raise EOFError
            answer = line.rstrip("\r\n")
            self.p.write(answer + "\n")
            return answer
        except (KeyboardInterrupt, SystemError) as exc:
            signalled = interrupts.signalled(exc)
            if signalled is None:
                raise
            interrupts.act()
            with contextlib.suppress(OSError):  # a closed terminal takes no more
                self.p.write("\n")
                self.p.line(self.p.t("interrupted"), "  ", dim=True)
            return Command("pause", how=interrupts.how(signalled))
        except EOFError:
            if self._gone():
                # The terminal hung up: its read ends before the SIGHUP the
                # shell passes on arrives. Pause for the hangup now; that
                # signal, when it comes, changes nothing.
                interrupts.act()
                return Command("pause", how="hangup")
            self.p.write("\n")
            self.p.line(self.p.t("end_of_input"), "  ", dim=True)
            return Command("pause", how="eof")

    def _command(self, raw: str, yes_no: bool) -> Command | bool | None:
        """A command typed at any question: a Command, True for "handled, ask
        again" (help), None when it is an answer."""
        s = raw.strip()
        low = s.lower()
        if s in ("!", "！"):
            return Command("emergency")
        if low in ("p", "pause", "暂停"):
            return Command("pause")
        if low in CORRECT_WORDS:
            return Command("correct")
        if low in ("b", "分支"):
            return Command("lane")
        if s in ("?", "？", "帮助", "help"):
            self.p.help(self.p.t("help"))
            return True
        parts = s.split()
        if len(parts) == 3 and parts[0].lower() in ("m", "里程碑"):
            return Command("milestone", text=parts[2], procedure=parts[1])
        for prefix in ("n ", "备注 ", "备注:", "备注："):
            if low.startswith(prefix) and s[len(prefix) :].strip():
                return Command("note", text=s[len(prefix) :].strip())
        if low == "备注" or (low == "n" and not yes_no):
            note = self._read("  " + self.p.t("note_q") + PROMPT)
            if isinstance(note, Command):
                return note
            return Command("note", text=note) if note.strip() else True
        return None

    def _ask_line(self, prompt: str, yes_no: bool = False) -> str | Command:
        """Read until a line is an answer or a command (help is shown and asked again)."""
        while True:
            raw = self._read(prompt)
            if isinstance(raw, Command):
                return raw
            cmd = self._command(raw, yes_no)
            if cmd is True:
                continue
            if isinstance(cmd, Command):
                return cmd
            return raw

    def _bad(self, message: str) -> None:
        self.p.line("✗ " + message, "    ", fg="red")

    # ---- questions

    def ask(self, question: Question, reminders: Sequence[Reminder], now: datetime) -> Reply:
        try:
            return self._ask(question, reminders, now)
        except OSError as exc:
            self._lost(exc)
            return Command("pause", how="hangup")

    def _ask(self, question: Question, reminders: Sequence[Reminder], now: datetime) -> Reply:
        self.p.reminders(reminders, now)
        if isinstance(question, InputQuestion):
            return self._value(question.spec, "  ", now, question.default)
        if isinstance(question, FieldQuestion):
            if self._form != question.form:
                self._form = question.form
                self.p.line(self.p.t("field_form", form=question.form_title), "  ", bold=True)
            return self._value(question.spec, "    ", now, question.default)
        if isinstance(question, ItemQuestion):
            return self._item(question)
        if isinstance(question, ChoiceQuestion):
            return self._choice(question)
        if isinstance(question, WaitQuestion):
            return self._wait(question, now)
        if isinstance(question, CorrectQuestion):
            return self._correct(question)
        if isinstance(question, PeopleQuestion):
            return self._people(question)
        if isinstance(question, EvidenceQuestion):
            return self._evidence(question)
        return self._emergency(question)

    def _evidence(self, q: EvidenceQuestion) -> Reply:
        """Photo file paths, one a line (as many as asked; each a JPEG, PNG or
        WebP of at most 10 MB), then, when a signature is asked, the signer's
        name and the path of the signature's picture (a photo or scan)."""
        if q.signer:
            sign = self.p.t("evidence_signer", signer=q.signer)
        else:
            sign = self.p.t("evidence_sign") if q.signature else ""
        self.p.line(self.p.t("evidence_head", what=q.what, photos=q.photos, sign=sign), "  ")
        photos: list[bytes] = []
        while len(photos) < q.photos:
            prompt = f"    {self.p.t('photo_q', n=len(photos) + 1, total=q.photos)}{PROMPT}"
            got = self._picture(prompt)
            if isinstance(got, Command):
                return got
            if got is not None:
                photos.append(got)
        if not q.signature:
            return Given(EvidenceGiven(tuple(photos), None))
        signer: str | None = None
        while signer is None:
            who = f"{self.p.t('signer_q')} ({q.signer})" if q.signer else self.p.t("signer_q")
            raw = self._ask_line(f"    {who}{PROMPT}")
            if isinstance(raw, Command):
                return raw
            if raw.strip():
                signer = raw.strip()
            else:
                self._bad(self.p.t("name_needed"))
        drawn: bytes | None = None
        while drawn is None:
            got = self._picture(f"    {self.p.t('signature_q')}{PROMPT}")
            if isinstance(got, Command):
                return got
            drawn = got
        return Given(EvidenceGiven(tuple(photos), signer, drawn))

    def _picture(self, prompt: str) -> bytes | Command | None:
        """A file path asked for, and the picture read from it (a JPEG, PNG
        or WebP of at most 10 MB); None after saying why it was refused."""
        from pathlib import Path

        from engine.journal.evidence import refusal

        raw = self._ask_line(prompt)
        if isinstance(raw, Command):
            return raw
        path = raw.strip()
        if not path:
            return None
        try:
            data = Path(path).expanduser().read_bytes()
        except OSError as exc:
            why = os_reason(exc, "en" if self.p.lang == "en" else "zh")
            self._bad(self.p.t("photo_unreadable", path=path, why=why))
            return None
        refused = refusal(data)
        if refused is not None:
            msg, args = refused
            self._bad(msg.say(what=path, **args))
            return None
        return data

    def _people(self, q: PeopleQuestion) -> Reply:
        """Names, one a line: one not the operator's (another), or everyone
        until an empty line, at least two (all)."""
        names: list[str] = []
        if q.how == "all":
            self.p.line(self.p.t("all_head", what=q.what), "  ", bold=True)
        while True:
            if q.how == "another":
                room = self.p.cols() - width(self.p.t("another_q", what="")) - ANSWER_ROOM - 6
                what = shorten(q.what, room) if room >= 8 else "…"
                prompt = f"  {self.p.t('another_q', what=what)}{PROMPT}"
            else:
                prompt = f"    {self.p.t('all_q', n=len(names) + 1)}{PROMPT}"
            raw = self._ask_line(prompt)
            if isinstance(raw, Command):
                return raw
            name = raw.strip()
            if q.how == "another":
                if not name:
                    self._bad(self.p.t("name_needed"))
                elif q.operator and name == q.operator:
                    self._bad(self.p.t("another_self", operator=q.operator))
                else:
                    return Given((name,))
            elif name in names:
                self._bad(self.p.t("all_twice", person=name))
            elif name:
                names.append(name)
            elif len(names) < 2:
                self._bad(self.p.t("all_more"))
            else:
                return Given(tuple(names))

    def _correct(self, q: CorrectQuestion) -> Reply:
        self.p.line(self.p.t("correct_which"), "  ", bold=True)
        self.p._numbered(
            [
                f"{a.label} = {self.p.t('status_' + a.value) if a.item else a.value}"
                f"  ({a.step_title})"
                for a in q.answers
            ]
        )
        self.p.line(f"0) {self.p.t('cancel')}", "    ", dim=True)
        return self._numbered(len(q.answers), [a.label for a in q.answers], cancel=True)

    def _wait(self, q: WaitQuestion, now: datetime) -> Reply:
        self.p.wait(q, now)
        raw = self._ask_line(f"  {self.p.t('wait_q')}{PROMPT}", yes_no=True)
        if isinstance(raw, Command):
            return raw
        return Given(values.normalise(raw).lower() in values.TRUE_WORDS)

    def _value(
        self, spec: values.Spec, indent: str, now: datetime, default: str | None = None
    ) -> Reply:
        hint = spec.hint(self.p.lang)
        if default is not None:  # known already: Enter takes it
            hint = self.p.t("enter_takes", value=default)
        prompt = f"{indent}{spec.label}{f' [{hint}]' if hint else ''}{PROMPT}"
        while True:
            raw = self._ask_line(prompt, yes_no=spec.type == "bool")
            if isinstance(raw, Command):
                return raw
            if default is not None and not raw.strip():
                raw = default
            try:
                return Given(values.parse(spec, raw, now))
            except values.BadValue as exc:
                self._bad(exc.text(self.p.lang))

    def _item(self, q: ItemQuestion) -> Reply:
        item = q.item
        if q.mode == "read-do":
            self.p._item(item)
            prompt = f"      {self.p.t('read_do_q')}{PROMPT}"
        else:
            # The list was shown above; the confirmation names the item in one line.
            question = f"  {self.p.t('done_q')}{PROMPT}"
            # Leave room for the answer, so it is typed on the same line.
            room = self.p.cols() - width(question) - width(f"  [{item.number}] ") - 8
            text = f" {shorten(item.text, room)}" if room >= 12 else ""
            prompt = f"  [{item.number}]{text}{question}"
        while True:
            raw = self._ask_line(prompt, yes_no=True)
            if isinstance(raw, Command):
                return raw
            answer = values.normalise(raw).lower()
            if answer in DONE_WORDS:
                return ItemAnswer("done")
            if answer in NOT_DONE_WORDS:
                return self._reason("not_done", "", required=item.critical)
            for word in SKIP_WORDS:
                if answer == word or answer.startswith(word + " "):
                    return self._reason("skipped", raw.strip()[len(word) :].strip(), required=True)
            self._bad(self.p.t("item_bad"))

    def _reason(self, status: str, given: str, required: bool) -> Reply:
        key = "reason_skip" if status == "skipped" else "reason_not_done"
        reason = given
        while not reason:
            raw = self._ask_line(f"      {self.p.t(key)}{PROMPT}", yes_no=True)
            if isinstance(raw, Command):
                return raw
            reason = raw.strip()
            if reason or not required:
                break
            self._bad(self.p.t("reason_needed" if status == "skipped" else "reason_required"))
        return ItemAnswer("skipped" if status == "skipped" else "not_done", reason or None)

    def _numbered(self, n: int, names: Sequence[str], cancel: bool) -> Reply:
        """The answer to a numbered list: a number (or an option's exact name)."""
        prompt = f"  {self.p.t('choose_q_cancel' if cancel else 'choose_q', n=n)}{PROMPT}"
        while True:
            raw = self._ask_line(prompt)
            if isinstance(raw, Command):
                return raw
            s = values.normalise(raw)
            if cancel and s in ("0", ""):
                return Command("cancel")
            if s.isdigit() and 1 <= int(s) <= n:
                return Given(int(s) - 1)
            if s in names:
                return Given(list(names).index(s))
            self._bad(self.p.t("choose_bad", n=n))

    def _choice(self, q: ChoiceQuestion) -> Reply:
        if q.find:
            return self._find(q)
        self.p.choices(q)
        return self._numbered(len(q.options), [o.label for o in q.options], cancel=False)

    def _find(self, q: ChoiceQuestion) -> Reply:
        """A rule table's entry, found by its number or by words in its
        title, do or say; several matches are listed and asked again."""
        self.p.line(self.p.t("find"), "  ", bold=True)
        self.p.listing([o.label for o in q.options])
        prompt = f"  {self.p.t('find_q')}{PROMPT}"
        while True:
            raw = self._ask_line(prompt)
            if isinstance(raw, Command):
                return raw
            s = values.normalise(raw).strip()
            by_number = [i for i, o in enumerate(q.options) if s.isdigit() and o.number == int(s)]
            if by_number:
                return Given(by_number[0])
            found = [i for i, o in enumerate(q.options) if s and s in o.words]
            if len(found) == 1:
                return Given(found[0])
            if not found:
                self._bad(self.p.t("find_none", words=s))
                continue
            self.p.line(self.p.t("find_many", n=len(found)), "  ", bold=True)
            self.p.listing([q.options[i].label for i in found])

    def _emergency(self, q: EmergencyQuestion) -> Reply:
        self.p.emergencies(q)
        return self._numbered(len(q.options), [o.procedure for o in q.options], cancel=True)
