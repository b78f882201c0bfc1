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

import asyncio
import contextvars
import functools
import os
import secrets
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from engine.errors import JournalConflict, SopError
from engine.i18n import speaking
from engine.journal import Journal, RunRow
from engine.model import Procedure
from engine.render.evidence import shown as shown_evidence
from engine.render.locale import convert, is_traditional
from engine.render.templating import render
from engine.runtime.pinning import Pinned, pin
from engine.runtime.prompts import CorrectQuestion, Header, InputQuestion, ItemQuestion
from engine.runtime.recorder import Clock
from engine.runtime.run_states import RunCache
from engine.runtime.runner import Outcome, Runner, system_clock
from engine.runtime.state import PAUSED
from engine.runtime.texts import labels, text
from engine.serve.driver import ACTIONS, Posted, WebDriver, question_key
from engine.serve.pages import StepPage, gather, known, reminder_lines, say, step_header
from engine.serve.people import (
    SESSION_SECONDS,
    Limiter,
    Session,
    Sessions,
    User,
    check_password,
    load_users,
    secret_for,
)

RUNNABLE = ("service", "routine", "situation", "journey")
MAX_FIELD = 4000  # characters of one posted field kept (a note, a reason, a value)
MAX_FORM = 64 * 1024  # bytes of a form without files
MAX_PHOTOS = 9  # files one answer may carry (`evidence: {photo: 1–9}`)
# Threads that do requests' work (the runner and the journal are synchronous),
# each keeping its own journal connection for the life of the server. A few
# are plenty — the work holds Python's lock and the journal takes one writer
# at a time — and fewer threads contending for them finish each request
# sooner than Starlette's pool of up to 40, started and dropped as load moves.
WORKERS = 6
T = TypeVar("T")


@dataclass
class Settings:
    journal: str
    rulebook: str
    users: str | None = None  # the users file; None: no sign-in (loopback only, see cli)
    secure_cookies: bool = False  # cookies only over HTTPS (set behind a TLS proxy)
    clock: Clock = system_clock
    evidence: str | None = None  # `--evidence DIR`; else the folder beside the journal


@dataclass
class Service:
    """What every request shares: the pinned rulebook, one journal per
    worker thread, a lock per run, and what each run's last answer said."""

    settings: Settings
    pinned: Pinned
    sessions: Sessions
    restored: dict[str, Pinned] = field(default_factory=dict)
    limiter: Limiter = field(default_factory=Limiter)
    runs: RunCache = field(default_factory=RunCache)  # runs' replayed states, by last number
    _users: dict[str, User] = field(default_factory=dict)
    _users_stamp: tuple[float, int] | None = None
    # Password checks (argon2 takes 64 MiB and tens of milliseconds on purpose)
    # two at a time, on threads of their own: a crowd signing in can neither
    # exhaust memory nor hold up the answers of those signed in.
    _checking: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(2, thread_name_prefix="sop-password")
    )
    _workers: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(WORKERS, thread_name_prefix="sop-work")
    )
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

    async def run(self, work: Callable[[], T]) -> T:
        """`work` done on one of the worker threads (with this request's context)."""
        call = functools.partial(contextvars.copy_context().run, work)
        return await asyncio.get_running_loop().run_in_executor(self._workers, call)

    async def check(self, user: User | None, password: str) -> bool:
        """A password check, on the password threads."""
        call = functools.partial(check_password, user, password)
        return await asyncio.get_running_loop().run_in_executor(self._checking, call)

    def user(self, name: str) -> User | None:
        """A person of the users file, read again when the file changes."""
        path = self.settings.users
        if path is None:
            return None
        try:
            st = os.stat(path)
            stamp: tuple[float, int] | None = (st.st_mtime, st.st_size)
        except OSError:
            stamp = None
        with self._guard:
            if stamp != self._users_stamp:
                self._users = load_users(path) if stamp is not None else {}
                self._users_stamp = stamp
            return self._users.get(name)

    def runner(self, driver: WebDriver, who: Who) -> Runner:
        site = who.user.sites[0] if who.user else self.pinned.rulebook.organisation.site
        return Runner(
            self.journal(),
            driver,
            clock=self.settings.clock,
            operator=who.user.name if who.user else None,
            site=site,
            restored=self.restored,
            evidence=self.settings.evidence,
            batch=True,  # one transaction per answer: the page is sent after it
            cache=self.runs,
        )

    def evidence_folder(self) -> Path | None:
        from engine.journal.evidence import evidence_folder

        return evidence_folder(self.journal().path, self.settings.evidence)


@dataclass(frozen=True)
class Who:
    """The person behind a request (None without sign-in) and their session."""

    user: User | None
    session: Session
    cookie: str | None = None  # a new session cookie to set (an anonymous one)

    def may_see(self, row: RunRow) -> bool:
        return self.user is None or self.user.sees_site(row.site)

    def may_start(self, proc: Procedure) -> bool:
        if self.user is None or self.user.manager or not self.user.roles:
            return True
        posts = {r.name for r in proc.roles}
        for step in proc.steps.values():
            posts.update(r.name for r in step.roles)
        return bool(posts & set(self.user.roles)) or not posts


LANGS = ("zh", "en", "zh-CN", "zh-TW", "zh-HK")


def _written(request: Request, default: str) -> str:
    """The characters a page is written in: asked (?lang=zh-TW), else the rulebook's locale."""
    asked = request.query_params.get("lang") or request.cookies.get("lang") or ""
    if asked in LANGS and asked not in ("en", "zh"):
        return asked
    return default  # "zh": the site's own Chinese


def _lang(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get("lang") or "zh"
    return "en" if asked == "en" else "zh"


class Refusal(Exception):
    """A request refused before any work (not signed in, a forged form, another site's run)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def create_app(settings: Settings) -> Starlette:
    """The application for one journal and one rulebook."""
    pinned = pin(settings.rulebook)
    key = secret_for(settings.users) if settings.users else secrets.token_bytes(32)
    service = Service(settings, pinned, Sessions(key), restored={pinned.sha: pinned})
    signing_in = settings.users is not None

    def cookie(response: Response, value: str) -> None:
        response.set_cookie(
            COOKIE,
            value,
            max_age=SESSION_SECONDS,
            httponly=True,
            samesite="lax",
            secure=settings.secure_cookies,
            path="/",
        )

    def page(request: Request, who: Who, name: str, status: int = 200, **ctx: Any) -> Response:
        lang = _lang(request)
        with speaking(lang):
            html = render(
                f"web/{name}.html.j2",
                lang=lang,
                w=lambda k, **a: say(k, lang, **a),
                t=lambda k, **a: text(k, lang, **a),
                L=labels(lang),
                csrf=service.sessions.csrf(who.session.nonce),
                user=who.user,
                **ctx,
            )
        written = _written(request, pinned.rulebook.locale)
        if lang == "zh" and is_traditional(written):
            html = convert(html, written)  # markup and values are ASCII: only the text changes
        response = HTMLResponse(html, status_code=status)
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        if who.cookie is not None:
            cookie(response, who.cookie)
        asked = request.query_params.get("lang")
        if asked in LANGS:
            response.set_cookie("lang", asked, max_age=365 * 86400, httponly=True, samesite="lax")
        return response

    def error(request: Request, who: Who, message: str, status: int) -> Response:
        return page(request, who, "error", status=status, message=message)

    def anonymous() -> Who:
        value, session = service.sessions.issue("")
        return Who(None, session, value)

    def who_of(request: Request) -> Who:
        """The person signed in; without sign-in, an anonymous session (for its CSRF token)."""
        session = service.sessions.read(request.cookies.get(COOKIE))
        if session is None:
            who = anonymous()
        else:
            user = service.user(session.name) if session.name else None
            who = Who(user, session) if user is not None or not session.name else anonymous()
        if signing_in and who.user is None:
            raise Refusal(_see("/signin"))
        return who

    def checked(request: Request, who: Who, form: Mapping[str, str]) -> None:
        """A POST must come from our own page: its Origin (when the browser
        sends one) is this server, and its CSRF token is the session's."""
        origin = request.headers.get("origin")
        if origin is not None and origin != _origin(request):
            raise Refusal(error(request, who, say("forged", _lang(request)), 403))
        if not service.sessions.csrf_ok(who.session.nonce, form.get("csrf", "")):
            raise Refusal(error(request, who, say("forged", _lang(request)), 403))

    def row_of(request: Request, who: Who, run: int | None) -> RunRow:
        lang = _lang(request)
        row = service.journal().run(run) if run is not None else None
        if row is None or not who.may_see(row):  # another site's run is no run at all
            raise Refusal(error(request, who, say("run_not_found", lang, run=run or 0), 404))
        return row

    def guarded(
        handler: Callable[[Request], Awaitable[Response]],
    ) -> Callable[[Request], Awaitable[Response]]:
        async def wrapped(request: Request) -> Response:
            try:
                return await handler(request)
            except Refusal as refusal:
                return refusal.response
            except SopError as exc:
                who = Who(None, service.sessions.issue("")[1])
                status = 409 if isinstance(exc, JournalConflict) else 400
                return error(request, who, exc.message, status)

        return wrapped

    def news(driver: WebDriver, lang: str) -> list[str]:
        return gather(driver.views, lang)[2]

    def carry(who: Who, run: int, driver: WebDriver, lang: str, conflicts: bool = False) -> Outcome:
        """Take the run up where it stands under its emergency chain's lock,
        `driver` answering (or holding). With `conflicts`, another process's
        write in between records nothing of ours and holds (the page is asked
        again, saying it was stale); else it is refused as any journal error."""
        with service.lock(_root(service.journal(), run)):
            runner = service.runner(driver, who)
            driver.where = lambda: _where(runner)
            with speaking(lang):
                try:
                    return runner.carry_on(run)
                except JournalConflict:
                    if not conflicts:
                        raise
                    driver.stale = True
                    return Outcome("held", run)

    def answered(driver: WebDriver, run: int, lang: str) -> Response:
        """After a form: what the runner said (and that the form was stale,
        or refused) kept for the next page, which the browser is sent to
        (post/redirect/get)."""
        said = news(driver, lang)
        if driver.stale:
            said.insert(0, say("stale", lang))
        if driver.error:
            said.append("✗ " + driver.error)
        service.tell(run, said)
        return _see(f"/runs/{run}")

    @guarded
    async def index(request: Request) -> Response:
        who = who_of(request)

        def work() -> list[RunRow]:
            from engine.journal import RunFilter

            open_ = ("active", "paused", "waiting")
            sites: list[str | None] = list(who.user.sites) if who.user else [None]
            rows: list[RunRow] = []
            for site in sites:
                found = service.journal().runs(RunFilter(statuses=open_, site=site, limit=50))
                rows += [r for r in found if isinstance(r, RunRow)]
            return sorted(rows, key=lambda r: -r.id)[:50]

        runs = await service.run(work)
        runnable, emergencies = _procedures(pinned)
        return page(
            request,
            who,
            "index",
            procedures=[p for p in runnable if who.may_start(p)],
            emergencies=emergencies,
            runs=runs,
            nonce=secrets.token_urlsafe(16),
        )

    @guarded
    async def signin_page(request: Request) -> Response:
        session = service.sessions.read(request.cookies.get(COOKIE))
        who = Who(None, session) if session is not None else anonymous()
        return page(request, who, "signin", failed=False)

    @guarded
    async def signin(request: Request) -> Response:
        form = await _form(request)
        session = service.sessions.read(request.cookies.get(COOKIE))
        who = Who(None, session) if session is not None else anonymous()
        checked(request, who, form)
        lang = _lang(request)
        name = form.get("name", "").strip()[:100]
        keys = (f"name:{name}", f"ip:{request.client.host if request.client else ''}")
        if service.limiter.blocked(*keys):
            return page(request, who, "signin", status=429, failed=say("slow_down", lang))
        user = service.user(name)
        ok = await service.check(user, form.get("password", ""))
        if not ok or user is None:
            service.limiter.failed(*keys)
            return page(request, who, "signin", status=401, failed=say("bad_password", lang))
        if session is not None:
            service.sessions.end(session)
        value, _ = service.sessions.issue(user.name)  # a new session, never the one before
        response = _see("/")
        cookie(response, value)
        return response

    @guarded
    async def signout(request: Request) -> Response:
        form = await _form(request)
        session = service.sessions.read(request.cookies.get(COOKIE))
        if session is None:
            return _see("/signin" if signing_in else "/")
        checked(request, Who(None, session), form)
        service.sessions.end(session)
        response = _see("/signin" if signing_in else "/")
        response.delete_cookie(COOKIE, path="/")
        return response

    @guarded
    async def start(request: Request) -> Response:
        who = who_of(request)
        form = await _form(request)
        checked(request, who, form)
        pid = form.get("procedure", "")
        nonce = form.get("nonce", "")[:64]
        lang = _lang(request)
        proc = pinned.rulebook.procedures.get(pid)
        if proc is None or not proc.steps or not (proc.kind == "emergency" or who.may_start(proc)):
            return error(request, who, say("not_found", lang), 404)

        def work() -> int:
            with service.lock(0):  # a start's nonce is checked and kept under one lock
                if nonce and (run := service.started(f"{who.session.nonce}:{nonce}")) is not None:
                    return run
                driver = WebDriver(lang, lambda: "")
                with speaking(lang):
                    outcome = service.runner(driver, who).start(pinned, pid, {})
                if nonce:
                    service.remember_start(f"{who.session.nonce}:{nonce}", outcome.run)
            service.tell(outcome.run, news(driver, lang))
            return outcome.run

        return _see(f"/runs/{await service.run(work)}")

    @guarded
    async def show_run(request: Request) -> Response:
        who = who_of(request)
        run = _run_id(request)
        lang = _lang(request)

        def work() -> Response:
            row = row_of(request, who, run)
            if row.status not in ("active", "waiting"):
                from engine.runtime.record import read_record

                found = read_record(service.journal(), row.id)
                proofs = found.evidence if found is not None else ()
                return page(
                    request,
                    who,
                    "run",
                    row=row,
                    evidence=shown_evidence(proofs, service.evidence_folder()),
                    outcome_title=_outcome_title(pinned, row),
                    notices=service.told(row.id),
                    status_text=say(f"status.{row.status}", lang)
                    if known(f"status.{row.status}")
                    else row.status,
                )
            driver = WebDriver(lang, lambda: "")
            outcome = carry(who, row.id, driver, lang)
            if outcome.status != "held":
                return answered(driver, outcome.run, lang)
            return step_page(request, who, row.id, driver, service.told(row.id))

        return await service.run(work)

    @guarded
    async def answer(request: Request) -> Response:
        who = who_of(request)
        run = _run_id(request)
        lang = _lang(request)
        form, files = await _upload(request)
        checked(request, who, form)
        action = form.get("action", "answer")
        if action not in ACTIONS:
            action = "answer"
        posted = Posted(
            action,
            form.get("pos", ""),
            form.get("key", ""),
            form,
            files.photos,
            files.signature,
            files.signature_photo,
        )

        def work() -> Response:
            row = row_of(request, who, run)
            if row.status not in ("active", "waiting"):
                return _see(f"/runs/{row.id}")
            driver = WebDriver(lang, lambda: "", posted=posted)
            outcome = carry(who, row.id, driver, lang, conflicts=True)
            return answered(driver, outcome.run, lang)

        return await service.run(work)

    @guarded
    async def resume(request: Request) -> Response:
        who = who_of(request)
        run = _run_id(request)
        lang = _lang(request)
        form = await _form(request)
        checked(request, who, form)

        def work() -> Response:
            row = row_of(request, who, run)
            if row.status != PAUSED:  # resumed already (a second tap): nothing to do
                return _see(f"/runs/{row.id}")
            driver = WebDriver(lang, lambda: "")
            outcome = carry(who, row.id, driver, lang)
            return answered(driver, outcome.run, lang)

        return await service.run(work)

    @guarded
    async def emergency(request: Request) -> Response:
        """The emergency list, exactly as `!` shows it at the run's question."""
        who = who_of(request)
        run = _run_id(request)
        lang = _lang(request)

        def work() -> Response:
            row = row_of(request, who, run)
            if row.status not in ("active", "waiting"):
                return _see(f"/runs/{row.id}")
            # `!` at whatever the run asks now: the list is asked and held.
            driver = WebDriver(lang, lambda: "", Posted("emergency", "", "", {}), check=False)
            carry(who, row.id, driver, lang)
            return step_page(request, who, row.id, driver, [])

        return await service.run(work)

    def managed(request: Request) -> tuple[Who, dict[str, str], list[str | None]]:
        """The manager asking, the filters that are filters, and the sites they cover."""
        who = who_of(request)
        if who.user is not None and not who.user.manager:
            raise Refusal(error(request, who, say("not_found", _lang(request)), 404))
        q = request.query_params
        sites: list[str | None] = list(who.user.sites) if who.user else [None]
        site = q.get("site") or ""
        if who.user is not None and site not in who.user.sites:
            site = ""
        chosen = {
            "site": site,
            "status": q.get("status", "") if q.get("status") in STATUSES else "",
            "procedure": q.get("procedure", "")
            if q.get("procedure") in pinned.rulebook.procedures
            else "",
            "since": _day(q.get("since")) or "",
            "until": _day(q.get("until")) or "",
        }
        return who, chosen, ([site] if site else sites)

    def gathered(
        chosen: dict[str, str], sites: list[str | None], limit: int
    ) -> tuple[list[RunRow], list[Any]]:
        from engine.journal import RunFilter
        from engine.runtime.calls import call_list

        journal = service.journal()
        rows: list[RunRow] = []
        items: list[Any] = []
        for one in sites:
            flt = RunFilter(
                statuses=(chosen["status"],) if chosen["status"] else (),
                procedure=chosen["procedure"] or None,
                site=one,
                since=chosen["since"] or None,
                until=chosen["until"] or None,
                limit=limit,
            )
            rows += [r for r in journal.runs(flt) if isinstance(r, RunRow)]
            listed = call_list(journal, ahead=1, site=one, book=pinned.rulebook)
            items += [i for i in listed.items if i.state in ("overdue", "today")]
        return sorted(rows, key=lambda r: -r.id)[:limit], items

    @guarded
    async def manage(request: Request) -> Response:
        """The manager's view: runs by site, status, procedure and date, the
        call list (`sop due`'s) of those sites, and rates per site and post."""
        who, chosen, sites = managed(request)
        rows, items = await service.run(lambda: gathered(chosen, sites, 200))
        return page(
            request,
            who,
            "manage",
            rows=rows,
            items=items,
            by_site=_by_site(rows, items),
            by_post=_by_post(items),
            sites=[x for x in (who.user.sites if who.user else ()) if x],
            procedures=sorted(pinned.rulebook.procedures.values(), key=lambda p: p.id),
            statuses=STATUSES,
            chosen=chosen,
            query=urlencode({k: v for k, v in chosen.items() if v}),
        )

    @guarded
    async def manage_csv(request: Request) -> Response:
        """The same runs as a spreadsheet, every cell formula-safe."""
        from engine.render.escape import csv_text

        _, chosen, sites = managed(request)
        lang = _lang(request)
        rows, _ = await service.run(lambda: gathered(chosen, sites, 100000))
        head = [say(f"csv.{k}", lang) for k in CSV_COLUMNS]
        body = [
            [r.id, r.procedure, r.title, say(f"status.{r.status}", lang) if r.status in
             STATUSES else r.status, r.site or "", r.operator or "", r.subject or "",
             r.started_at, r.updated_at, r.step_title or "", _outcome_title(pinned, r)]
            for r in rows
        ]  # fmt: skip
        data = "\ufeff" + csv_text([head, *body])  # Excel on Windows reads UTF-8 by its BOM
        return Response(
            data.encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": 'attachment; filename="sop-runs.csv"',
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    @guarded
    async def record(request: Request) -> Response:
        """A run's record, as `sop show` prints it (a journey with its stages)."""
        who = who_of(request)
        run = _run_id(request)
        lang = _lang(request)

        def work() -> Response:
            from engine.render.runs import render_show
            from engine.runtime.record import read_record
            from engine.runtime.recorder import load_run
            from engine.runtime.timeline import journey_timeline

            row = row_of(request, who, run)
            journal = service.journal()
            found = read_record(journal, row.id)
            if found is None:
                return error(request, who, say("run_not_found", lang, run=row.id), 404)
            timeline = None
            if found.run.kind == "journey" and not found.damaged:
                active = load_run(journal, row.id)
                if active is not None:
                    timeline = journey_timeline(
                        active.pinned.rulebook,
                        active.state,
                        journal.events(row.id),
                        settings.clock(),
                    )
            with speaking(lang):
                shown = render_show(found, lang, timeline, timeline is None)
            proofs = shown_evidence(found.evidence, service.evidence_folder())
            return page(request, who, "record", row=row, text=shown, evidence=proofs)

        return await service.run(work)

    @guarded
    async def correct_page(request: Request) -> Response:
        """`更正`: the run's answers to pick one of, then the picked answer's
        question, both asked by the runner as the terminal's `更正` is."""
        who = who_of(request)
        run = _run_id(request)
        lang = _lang(request)
        option = request.query_params.get("option", "")

        def work() -> Response:
            row = row_of(request, who, run)
            if row.status not in ("active", "waiting"):
                return _see(f"/runs/{row.id}")
            follow = [Posted("answer", "", "", {"option": option})] if option else []
            driver = WebDriver(
                lang, lambda: "", Posted("correct", "", "", {}), check=False, follow=follow
            )
            carry(who, row.id, driver, lang)
            q = driver.question
            asked = (
                isinstance(q, InputQuestion | ItemQuestion) and not driver.follow
                if option
                else (isinstance(q, CorrectQuestion))
            )
            if driver.error or not asked:
                said = ["✗ " + driver.error] if driver.error else news(driver, lang)
                service.tell(row.id, said)
                return _see(f"/runs/{row.id}")
            return step_page(request, who, row.id, driver, [], correcting=option)

        return await service.run(work)

    @guarded
    async def correct(request: Request) -> Response:
        who = who_of(request)
        run = _run_id(request)
        lang = _lang(request)
        form = await _form(request)
        checked(request, who, form)
        posted = Posted("correct", form.get("pos", ""), "", form)
        follow = [Posted("answer", "", "", {"option": form.get("option", "")}), posted]

        def work() -> Response:
            row = row_of(request, who, run)
            if row.status not in ("active", "waiting"):
                return _see(f"/runs/{row.id}")
            driver = WebDriver(lang, lambda: "", posted, follow=follow)
            carry(who, row.id, driver, lang)
            return answered(driver, row.id, lang)

        return await service.run(work)

    def step_page(
        request: Request,
        who: Who,
        run: int,
        driver: WebDriver,
        told: list[str],
        correcting: str = "",
    ) -> Response:
        lang = _lang(request)
        header, body, notices = gather(driver.views, lang)
        q = driver.question
        shown = StepPage(
            header=header,
            body=body,
            notices=tuple(told + notices),
            question=q,
            key=question_key(q) if q is not None else "",
            pos=driver.pos,
            error=None,
            reminders=tuple(reminder_lines(driver.reminders, settings.clock(), lang)),
        )
        return page(
            request,
            who,
            "step",
            run=run,
            page=shown,
            kind=type(q).__name__ if q is not None else "",
            step_line=step_header(header, lang) if header else "",
            correcting=correcting,
            milestones=_milestones(pinned, header),
        )

    @guarded
    async def evidence_file(request: Request) -> Response:
        """A photo or signature of a run the person may see: a thumbnail, or
        the file itself (`?size=full`). Only a sha256 the run's journal names
        is served, from the evidence folder under that name: no file name a
        request carries ever reaches the file system."""
        from engine.render.evidence import file_bytes, is_sha256, thumbnail

        who = who_of(request)
        run = _run_id(request)
        sha = request.path_params.get("sha", "")
        lang = _lang(request)
        full = request.query_params.get("size") == "full"

        def work() -> Response:
            from engine.runtime.record import read_record

            row = row_of(request, who, run)
            found = read_record(service.journal(), row.id) if is_sha256(sha) else None
            proof = next((p for p in found.evidence if p.sha256 == sha), None) if found else None
            data = file_bytes(service.evidence_folder(), sha) if proof is not None else None
            if proof is None or data is None:
                return error(request, who, say("not_found", lang), 404)
            kind = proof.media_type or "application/octet-stream"
            if not full:
                small = thumbnail(data)
                if small is None:
                    return error(request, who, say("not_found", lang), 404)
                data, kind = small, "image/jpeg"
            return Response(data, media_type=kind, headers=FILE_HEADERS)

        return await service.run(work)

    async def static(request: Request) -> Response:
        name = request.path_params.get("name", "")
        if name not in STATIC:
            return await not_found(request, KeyError(name))
        body = (Path(__file__).parent / "static" / name).read_bytes()
        return Response(body, media_type=STATIC[name], headers=STATIC_HEADERS)

    async def not_found(request: Request, exc: Exception) -> Response:
        return HTMLResponse(say("not_found", _lang(request)), status_code=404)

    return Starlette(
        routes=[
            Route("/", index),
            Route("/signin", signin_page),
            Route("/signin", signin, methods=["POST"]),
            Route("/signout", signout, methods=["POST"]),
            Route("/start", start, methods=["POST"]),
            Route("/runs/{run}", show_run),
            Route("/runs/{run}", answer, methods=["POST"]),
            Route("/runs/{run}/resume", resume, methods=["POST"]),
            Route("/runs/{run}/emergency", emergency),
            Route("/runs/{run}/record", record),
            Route("/runs/{run}/evidence/{sha}", evidence_file),
            Route("/static/{name}", static),
            Route("/runs/{run}/correct", correct_page),
            Route("/runs/{run}/correct", correct, methods=["POST"]),
            Route("/manage", manage),
            Route("/manage.csv", manage_csv),
        ],
        exception_handlers={404: not_found, 405: not_found},
    )


STATUSES = ("active", "paused", "waiting", "finished")
CSV_COLUMNS = (
    "run", "procedure", "title", "status", "site", "operator", "subject", "started", "updated",
    "step", "outcome",
)  # fmt: skip
COOKIE = "sop_session"
# The files of engine/serve/static/ served, by name (nothing else is looked up).
STATIC = {"signature.js": "text/javascript; charset=utf-8"}
STATIC_HEADERS = {"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"}
# An evidence file: the person's own (private), never run as a page or a script.
FILE_HEADERS = {
    "Cache-Control": "private, max-age=3600",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Content-Disposition": "inline",
}
# Our pages load nothing from elsewhere; the signature pad's script is ours.
CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def _origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def _form(request: Request) -> dict[str, str]:
    """The posted fields (text only, each cut to MAX_FIELD characters)."""
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_FORM):
        return {}
    try:
        form = await request.form(max_files=0, max_fields=50)
    except Exception:  # a malformed body is an empty form (Starlette raises its own kinds)
        return {}
    out: dict[str, str] = {}
    for k, v in form.multi_items():
        if isinstance(v, str):
            out[k[:100]] = v[:MAX_FIELD]
    return out


async def _upload(request: Request) -> tuple[dict[str, str], Files]:
    """An answer's fields, and the files it carries (multipart): at most
    MAX_PHOTOS photos (`photo`), each read to one byte past 10 MB (refused
    later), a drawn signature (`signature`, read to one byte past its limit)
    and a photo of a paper signature (`signature_photo`). A file's name is
    never read: a file is known by its content alone."""
    from engine.journal.evidence import MAX_BYTES, MAX_SIGNATURE

    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return await _form(request), Files()
    length = request.headers.get("content-length")
    most = MAX_FORM + (MAX_PHOTOS + 1) * (MAX_BYTES + 4096) + MAX_SIGNATURE + 4096
    if length is not None and (not length.isdigit() or int(length) > most):
        return {}, Files()
    try:
        form = await request.form(max_files=MAX_PHOTOS + 2, max_fields=50)
    except Exception:  # a malformed body is an empty form (Starlette raises its own kinds)
        return {}, Files()
    out: dict[str, str] = {}
    photos: list[bytes] = []
    signature = paper = b""
    for k, v in form.multi_items():
        if isinstance(v, str):
            out[k[:100]] = v[:MAX_FIELD]
        elif k == "photo":
            photos.append(await v.read(MAX_BYTES + 1))
        elif k == "signature" and not signature:
            signature = await v.read(MAX_SIGNATURE + 1)
        elif k == "signature_photo" and not paper:
            paper = await v.read(MAX_BYTES + 1)
    await form.close()
    return out, Files(tuple(photos), signature, paper)


@dataclass(frozen=True)
class Files:
    """The files an answer carried (each cut one byte past its limit)."""

    photos: tuple[bytes, ...] = ()
    signature: bytes = b""
    signature_photo: bytes = b""


def _procedures(pinned: Pinned) -> tuple[list[Procedure], list[Procedure]]:
    procs = [p for p in pinned.rulebook.procedures.values() if p.steps]
    runnable = sorted((p for p in procs if p.kind in RUNNABLE), key=lambda p: (p.kind, p.id))
    emergencies = sorted(
        (p for p in procs if p.kind == "emergency"), key=lambda p: (p.priority or 9, p.id)
    )
    return runnable, emergencies


@dataclass(frozen=True)
class Rate:
    """Runs and deadlines of one site or post: how many, finished, overdue."""

    name: str
    runs: int = 0
    finished: int = 0
    overdue: int = 0
    due: int = 0

    @property
    def finished_pct(self) -> int:
        return round(100 * self.finished / self.runs) if self.runs else 0

    @property
    def overdue_pct(self) -> int:
        return round(100 * self.overdue / self.due) if self.due else 0


def _by_site(rows: list[RunRow], items: list[Any]) -> list[Rate]:
    names = sorted({r.site or "" for r in rows} | {i.site or "" for i in items})
    return [
        Rate(
            name,
            runs=sum(1 for r in rows if (r.site or "") == name),
            finished=sum(1 for r in rows if (r.site or "") == name and r.status == "finished"),
            overdue=sum(1 for i in items if (i.site or "") == name and i.state == "overdue"),
            due=sum(1 for i in items if (i.site or "") == name),
        )
        for name in names
    ]


def _by_post(items: list[Any]) -> list[Rate]:
    names = sorted({i.role_title or i.role or "" for i in items})
    return [
        Rate(
            name,
            overdue=sum(
                1 for i in items if (i.role_title or i.role or "") == name and i.state == "overdue"
            ),
            due=sum(1 for i in items if (i.role_title or i.role or "") == name),
        )
        for name in names
    ]


def _milestones(pinned: Pinned, header: Header | None) -> list[tuple[str, str]]:
    """A journey's milestones (name, title), whose dates staff may give at any step."""
    if header is None or header.emergency:
        return []
    proc = pinned.rulebook.procedures.get(header.procedure)
    if proc is None or proc.kind != "journey":
        return []
    return [(m.name, m.title) for m in proc.milestones.values()]


def _outcome_title(pinned: Pinned, row: RunRow) -> str:
    """How the run ended, in the words staff saw (its id if the rulebook changed)."""
    proc = pinned.rulebook.procedures.get(row.procedure)
    if proc is None or row.outcome is None:
        return row.outcome or ""
    return proc.outcomes().get(row.outcome, row.outcome)


def _where(runner: Runner) -> str:
    """Where the runner's leaf run stands (`position`), from its state: it
    holds what is on disk when a question is asked."""
    leaf = runner.session[-1].state
    return f"{leaf.run_id}.{leaf.moved}"


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


def _day(raw: str | None) -> str | None:
    """A date from a query (YYYY-MM-DD), or None."""
    from datetime import date

    try:
        return date.fromisoformat((raw or "").strip()).isoformat() if raw else None
    except ValueError:
        return None


def _run_id(request: Request) -> int | None:
    raw = str(request.path_params.get("run", ""))
    if raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**63:
        return int(raw)
    return None
