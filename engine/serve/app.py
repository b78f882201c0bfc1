"""The Starlette application of `sop serve`.

Pages are rendered on the server from our own templates (autoescaped) and
work with JavaScript off. Every form is a POST answered with a redirect to a
page (post/redirect/get), so reloading a page never sends an answer again;
a form sent twice finds the run moved on and records nothing (driver.py).
The runner and the journal are synchronous: each request's work runs in a
worker thread, with one journal connection per thread and one lock per run,
so two requests for one run never interleave.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from engine.errors import JournalConflict, SopError
from engine.i18n import speaking
from engine.journal import Journal
from engine.model import Procedure
from engine.render.templating import render
from engine.runtime.pinning import Pinned, pin
from engine.runtime.recorder import Clock
from engine.runtime.runner import Outcome, Runner, system_clock
from engine.runtime.state import FINISHED, PAUSED
from engine.runtime.texts import text
from engine.serve.driver import ACTIONS, Posted, WebDriver, position, question_key
from engine.serve.pages import WEB, StepPage, gather, reminder_lines, say, step_header

RUNNABLE = ("service", "routine", "situation", "journey")
MAX_FIELD = 4000  # characters of one posted field kept (a note, a reason, a value)
MAX_FORM = 64 * 1024  # bytes of a form without files


@dataclass
class Settings:
    journal: str
    rulebook: str
    clock: Clock = system_clock


@dataclass
class Service:
    """What every request shares: the pinned rulebook, one journal per
    worker thread, a lock per run, and what each run's last answer said."""

    settings: Settings
    pinned: Pinned
    restored: dict[str, Pinned] = field(default_factory=dict)
    _local: threading.local = field(default_factory=threading.local)
    _locks: dict[int, threading.Lock] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)
    _said: OrderedDict[int, list[str]] = field(default_factory=OrderedDict)
    _started: OrderedDict[str, int] = field(default_factory=OrderedDict)

    def journal(self) -> Journal:
        j: Journal | None = getattr(self._local, "journal", None)
        if j is None:
            j = self._local.journal = Journal(self.settings.journal, write=True)
        return j

    @contextmanager
    def lock(self, run: int) -> Iterator[None]:
        with self._guard:
            lock = self._locks.setdefault(run, threading.Lock())
        with lock:
            yield

    def tell(self, run: int, lines: list[str]) -> None:
        """What the next page of `run` says first (the last answer's news)."""
        if not lines:
            return
        with self._guard:
            self._said.setdefault(run, []).extend(lines)
            self._said.move_to_end(run)
            while len(self._said) > 1000:
                self._said.popitem(last=False)

    def told(self, run: int) -> list[str]:
        with self._guard:
            return self._said.pop(run, [])

    def started(self, nonce: str) -> int | None:
        with self._guard:
            return self._started.get(nonce)

    def remember_start(self, nonce: str, run: int) -> None:
        with self._guard:
            self._started[nonce] = run
            while len(self._started) > 10000:
                self._started.popitem(last=False)

    def runner(self, driver: WebDriver) -> Runner:
        return Runner(
            self.journal(),
            driver,
            clock=self.settings.clock,
            site=self.pinned.rulebook.organisation.site,
            restored=self.restored,
        )


def _lang(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get("lang") or "zh"
    return "en" if asked == "en" else "zh"


def _page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = _lang(request)
    with speaking(lang):
        html = render(
            f"web/{name}.html.j2",
            lang=lang,
            w=lambda k, **a: say(k, lang, **a),
            t=lambda k, **a: text(k, lang, **a),
            **context,
        )
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") in ("zh", "en"):
        response.set_cookie("lang", lang, max_age=365 * 86400, httponly=True, samesite="lax")
    return response


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _error(request: Request, message: str, status: int) -> HTMLResponse:
    return _page(request, "error", status=status, message=message)


async def _form(request: Request) -> dict[str, str]:
    """The posted fields (text only, each cut to MAX_FIELD characters)."""
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_FORM):
        return {}
    form = await request.form(max_files=0, max_fields=50)
    out: dict[str, str] = {}
    for k, v in form.multi_items():
        if isinstance(v, str):
            out[k[:100]] = v[:MAX_FIELD]
    return out


def _procedures(pinned: Pinned) -> tuple[list[Procedure], list[Procedure]]:
    procs = [p for p in pinned.rulebook.procedures.values() if p.steps]
    runnable = sorted((p for p in procs if p.kind in RUNNABLE), key=lambda p: (p.kind, p.id))
    emergencies = sorted(
        (p for p in procs if p.kind == "emergency"), key=lambda p: (p.priority or 9, p.id)
    )
    return runnable, emergencies


def create_app(settings: Settings) -> Starlette:
    """The application for one journal and one rulebook."""
    pinned = pin(settings.rulebook)
    service = Service(settings, pinned, restored={pinned.sha: pinned})

    async def index(request: Request) -> Response:
        def work() -> list[Any]:
            from engine.journal import RunFilter

            rows = service.journal().runs(RunFilter(statuses=("active", "paused", "waiting")))
            return [r for r in rows if not hasattr(r, "problem")][:50]

        runs = await run_in_threadpool(work)
        runnable, emergencies = _procedures(pinned)
        return _page(
            request,
            "index",
            procedures=runnable,
            emergencies=emergencies,
            runs=runs,
            nonce=secrets.token_urlsafe(16),
        )

    async def start(request: Request) -> Response:
        form = await _form(request)
        pid = form.get("procedure", "")
        nonce = form.get("nonce", "")[:64]
        lang = _lang(request)
        proc = pinned.rulebook.procedures.get(pid)
        if proc is None or not proc.steps:
            return _error(request, say("not_found", lang), 404)

        def work() -> Outcome | str:
            with service.lock(0):  # a start's nonce is checked and kept under one lock
                if nonce and (run := service.started(nonce)) is not None:
                    return f"/runs/{run}"
                driver = WebDriver(lang, lambda: "")
                with speaking(lang):
                    outcome = service.runner(driver).start(pinned, pid, {})
                if nonce:
                    service.remember_start(nonce, outcome.run)
            driver_news(outcome.run, driver)
            return outcome

        def driver_news(run: int, driver: WebDriver) -> None:
            _, _, notices = gather(driver.views, lang)
            service.tell(run, notices)

        try:
            done = await run_in_threadpool(work)
        except SopError as exc:
            return _error(request, exc.message, 400)
        if isinstance(done, str):
            return _see(done)
        return _see(f"/runs/{done.run}")

    async def show_run(request: Request) -> Response:
        run = _run_id(request)
        lang = _lang(request)
        if run is None:
            return _error(request, say("not_found", lang), 404)

        def work() -> Response:
            journal = service.journal()
            row = journal.run(run)
            if row is None:
                return _error(request, say("run_not_found", lang, run=run), 404)
            if row.status in (FINISHED, PAUSED) or row.status not in ("active", "waiting"):
                return _page(
                    request,
                    "run",
                    row=row,
                    notices=service.told(run),
                    status_text=say(f"status.{row.status}", lang)
                    if f"status.{row.status}" in WEB
                    else row.status,
                )
            with service.lock(_root(journal, run)):
                driver = WebDriver(lang, lambda: "")
                runner = service.runner(driver)
                driver.where = lambda: _where(runner)
                with speaking(lang):
                    outcome = runner.carry_on(run)
            if outcome.status != "held":
                service.tell(outcome.run, gather(driver.views, lang)[2])
                return _see(f"/runs/{outcome.run}")
            return _step(request, run, driver, service.told(run), lang, settings.clock())

        try:
            return await run_in_threadpool(work)
        except SopError as exc:
            return _error(request, exc.message, 409 if isinstance(exc, JournalConflict) else 400)

    async def answer(request: Request) -> Response:
        run = _run_id(request)
        lang = _lang(request)
        if run is None:
            return _error(request, say("not_found", lang), 404)
        form = await _form(request)
        action = form.get("action", "answer")
        if action not in ACTIONS:
            action = "answer"
        posted = Posted(action, form.get("pos", ""), form.get("key", ""), form)

        def work() -> Response:
            journal = service.journal()
            row = journal.run(run)
            if row is None:
                return _error(request, say("run_not_found", lang, run=run), 404)
            if row.status not in ("active", "waiting"):
                return _see(f"/runs/{run}")
            with service.lock(_root(journal, run)):
                driver = WebDriver(lang, lambda: "", posted=posted)
                runner = service.runner(driver)
                driver.where = lambda: _where(runner)
                with speaking(lang):
                    try:
                        outcome = runner.carry_on(run)
                    except JournalConflict:
                        # Another process wrote to the run between our read and our
                        # write: nothing of ours was recorded; the page is asked again.
                        driver.stale = True
                        outcome = Outcome("held", run)
            news = gather(driver.views, lang)[2]
            if driver.stale:
                news.insert(0, say("stale", lang))
            if driver.error:
                news.append("✗ " + driver.error)
            service.tell(outcome.run, news)
            return _see(f"/runs/{outcome.run}")

        try:
            return await run_in_threadpool(work)
        except SopError as exc:
            return _error(request, exc.message, 400)

    async def resume(request: Request) -> Response:
        run = _run_id(request)
        lang = _lang(request)
        if run is None:
            return _error(request, say("not_found", lang), 404)
        await _form(request)

        def work() -> Response:
            journal = service.journal()
            row = journal.run(run)
            if row is None:
                return _error(request, say("run_not_found", lang, run=run), 404)
            if row.status != PAUSED:  # resumed already (a second tap): nothing to do
                return _see(f"/runs/{run}")
            with service.lock(_root(journal, run)):
                driver = WebDriver(lang, lambda: "")
                runner = service.runner(driver)
                driver.where = lambda: _where(runner)
                with speaking(lang):
                    outcome = runner.carry_on(run)
            service.tell(outcome.run, gather(driver.views, lang)[2])
            return _see(f"/runs/{outcome.run}")

        try:
            return await run_in_threadpool(work)
        except SopError as exc:
            return _error(request, exc.message, 400)

    async def emergency(request: Request) -> Response:
        """The emergency list, exactly as `!` shows it at the run's question."""
        run = _run_id(request)
        lang = _lang(request)
        if run is None:
            return _error(request, say("not_found", lang), 404)

        def work() -> Response:
            journal = service.journal()
            row = journal.run(run)
            if row is None:
                return _error(request, say("run_not_found", lang, run=run), 404)
            if row.status not in ("active", "waiting"):
                return _see(f"/runs/{run}")
            with service.lock(_root(journal, run)):
                # `!` at whatever the run asks now: the list is asked and held.
                driver = WebDriver(lang, lambda: "", Posted("emergency", "", "", {}), check=False)
                runner = service.runner(driver)
                driver.where = lambda: _where(runner)
                with speaking(lang):
                    runner.carry_on(run)
            return _step(request, run, driver, [], lang, settings.clock())

        try:
            return await run_in_threadpool(work)
        except SopError as exc:
            return _error(request, exc.message, 400)

    async def not_found(request: Request, exc: Exception) -> Response:
        return _error(request, say("not_found", _lang(request)), 404)

    return Starlette(
        routes=[
            Route("/", index),
            Route("/start", start, methods=["POST"]),
            Route("/runs/{run}", show_run),
            Route("/runs/{run}", answer, methods=["POST"]),
            Route("/runs/{run}/resume", resume, methods=["POST"]),
            Route("/runs/{run}/emergency", emergency),
        ],
        exception_handlers={404: not_found, 405: not_found},
    )


def _where(runner: Runner) -> str:
    leaf = runner.session[-1].state.run_id
    return position(runner.journal, leaf)


def _root(journal: Journal, run: int) -> int:
    """The run a session is locked by: the bottom of its emergency chain."""
    row = journal.run(run)
    seen = 0
    while row is not None and row.parent is not None and seen < 100:
        parent = journal.run(row.parent)
        if parent is None:
            break
        row, seen = parent, seen + 1
    return row.id if row is not None else run


def _run_id(request: Request) -> int | None:
    raw = str(request.path_params.get("run", ""))
    if raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**63:
        return int(raw)
    return None


def _step(
    request: Request, run: int, driver: WebDriver, told: list[str], lang: str, now: datetime
) -> Response:
    header, body, notices = gather(driver.views, lang)
    q = driver.question
    page = StepPage(
        header=header,
        body=body,
        notices=tuple(told + notices),
        question=q,
        key=question_key(q) if q is not None else "",
        pos=driver.pos,
        error=None,
        reminders=tuple(reminder_lines(driver.reminders, now, lang)),
    )
    kind = type(q).__name__ if q is not None else ""
    return _page(
        request,
        "step",
        run=run,
        page=page,
        kind=kind,
        step_line=step_header(header, lang) if header else "",
    )
