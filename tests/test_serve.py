"""`sop serve`: the runner behind a web page, tested through Starlette's
TestClient — a whole run walked one form at a time, double submits, bad
values, pause and resume, emergencies, and nothing a user posts ends in an
internal error."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")

import warnings

with warnings.catch_warnings():  # Starlette 1.x would rather have httpx2: httpx still works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from engine.journal import Journal
from engine.runtime.events import EventKind
from engine.serve.app import Settings, create_app
from tests.runtime_support import FIXTURE
from tests.web_support import answer_of, ask_form, forms, tool_form

CHOICES = ["客户需要续杯", "客户参观结束"]


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    app = create_app(Settings(journal=str(tmp_path / "j.db"), rulebook=str(FIXTURE)))
    return TestClient(app, raise_server_exceptions=True)


def start(client: TestClient, procedure: str) -> str:
    page = client.get("/").text
    form = next(f for f in forms(page) if f.fields.get("procedure") == procedure)
    r = client.post("/start", data=form.fields, follow_redirects=False)
    assert r.status_code == 303, r.text
    return str(r.headers["location"])


def walk(client: TestClient, url: str, choices: list[str], limit: int = 200) -> str:
    """Answer every question until the run's page has none; the last page."""
    page = client.get(url).text
    for _ in range(limit):
        form = ask_form(page)
        if form is None:
            return page
        r = client.post(form.action, data=answer_of(form, choices))
        assert r.status_code == 200, r.text
        page = r.text
        assert 'class="notice bad"' not in page, page
    raise AssertionError("the run did not end")


def kinds(journal_path: Path, run: int) -> list[str]:
    with Journal(str(journal_path), write=False) as j:
        return [e.kind for e in j.events(run)]


def test_a_whole_run_one_form_at_a_time(client: TestClient, tmp_path: Path) -> None:
    url = start(client, "visit")
    assert url == "/runs/1"
    last = walk(client, url, list(CHOICES))
    assert "已完成" in last
    seen = kinds(tmp_path / "j.db", 1)
    assert seen[0] == EventKind.RUN_STARTED and seen[-1] == EventKind.RUN_FINISHED
    assert seen.count(EventKind.CHOICE_MADE) == 2
    # Reloading the finished run's page records nothing.
    client.get(url)
    assert kinds(tmp_path / "j.db", 1) == seen
    # Its record, as sop show prints it.
    record = client.get(f"{url}/record").text
    assert "迎宾服务" in record and "站在样板房主入口处迎接客户" in record


def test_an_answer_is_one_transaction(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An answer, its step's way out, the next steps' arrivals (and a run's
    end) are written together, before the redirect: one durable commit per
    answer, and the run as the terminal records it."""
    from engine.journal.sqlite_store import SqliteJournal

    batches: list[list[str]] = []
    write = SqliteJournal.write

    def counted(self: SqliteJournal, writes: Any) -> Any:
        batches.append([d.kind for w in writes for d in w.drafts])
        return write(self, writes)

    monkeypatch.setattr(SqliteJournal, "write", counted)
    url = start(client, "visit")
    page = client.get(url).text
    moves, choices = 0, list(CHOICES)
    while (form := ask_form(page)) is not None:
        batches.clear()
        r = client.post(form.action, data=answer_of(form, choices), follow_redirects=False)
        assert r.status_code == 303
        assert len(batches) == 1, batches  # written before the 303, in one go
        moves += batches[0].count(EventKind.STEP_ENTERED) > 1
        batches.clear()
        page = client.get(r.headers["location"]).text
        assert not batches, batches  # the page after it writes nothing
    assert "已完成" in page and moves >= 3
    seen = kinds(tmp_path / "j.db", 1)
    assert seen[-1] == EventKind.RUN_FINISHED
    with Journal(str(tmp_path / "j.db"), write=False) as j:
        assert j.verify().ok


def _kept(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[TestClient, list[Any]]:
    """A client whose server's run cache the test can see."""
    from engine.runtime.run_states import RunCache

    made: list[RunCache] = []
    init = RunCache.__init__

    def seen(self: RunCache, size: int = 2000) -> None:
        init(self, size)
        made.append(self)

    monkeypatch.setattr(RunCache, "__init__", seen)
    app = create_app(Settings(journal=str(tmp_path / "j.db"), rulebook=str(FIXTURE)))
    return TestClient(app, raise_server_exceptions=True), made


def test_a_kept_run_state_is_the_runs_replay(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Requests take a run up from its kept state when it has not moved, and
    that state is always what replaying the journal gives; each page is sent
    for the run's position as the journal has it."""
    from engine.runtime.pinning import pin
    from engine.runtime.state import replay
    from engine.serve.driver import position

    client, made = _kept(monkeypatch, tmp_path)
    rulebook = pin(str(FIXTURE)).rulebook
    url = start(client, "visit")
    page, choices = client.get(url).text, list(CHOICES)
    while (form := ask_form(page)) is not None:
        with Journal(str(tmp_path / "j.db"), write=False) as j:
            assert form.fields["pos"] == position(j, 1)
            replayed = replay(1, rulebook, j.events(1))
        kept = made[0].get(1, replayed.last_seq)
        assert kept is not None
        assert (kept.lanes, kept.moved, kept.recorded, kept.status) == (
            replayed.lanes, replayed.moved, replayed.recorded, replayed.status
        )  # fmt: skip
        page = client.post(form.action, data=answer_of(form, choices)).text
        assert 'class="notice bad"' not in page
    assert "已完成" in page
    assert made[0].hits > made[0].misses


def test_a_stale_kept_state_never_writes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Were a kept state ever behind the journal (here: handed out whatever
    number the run is at), the answer it leads to is refused by the
    journal's expected number: the page says the run moved on, and nothing
    of the form is written."""
    from engine.journal import Draft, RunUpdate, Write
    from engine.runtime.run_states import RunCache

    client, made = _kept(monkeypatch, tmp_path)
    url = start(client, "visit")
    form = ask_form(client.get(url).text)
    assert form is not None
    cache = made[0]
    stale = cache._states[1].copy()  # the run as the page was sent for it
    with Journal(str(tmp_path / "j.db")) as j:  # someone else moves the run on
        row = j.run(1)
        assert row is not None
        j.write([Write(1, [Draft("note.added", "2026-11-22T10:00:00+08:00",
                                 {"step": row.step, "procedure": "visit", "text": "别处"})],
                       RunUpdate(row.status, row.step, row.step_title), row.last_seq)])  # fmt: skip
    before = kinds(tmp_path / "j.db", 1)
    monkeypatch.setattr(RunCache, "get", lambda self, run, last_seq: stale.copy())
    page = client.post(form.action, data=answer_of(form)).text
    assert kinds(tmp_path / "j.db", 1) == before
    assert "已经记录过了" in page, page  # the stale notice, and the question as it is now
    with Journal(str(tmp_path / "j.db"), write=False) as j:
        assert j.verify().ok


def test_a_form_sent_twice_records_once(client: TestClient, tmp_path: Path) -> None:
    url = start(client, "visit")
    page = client.get(url).text
    form = ask_form(page)
    assert form is not None
    data = answer_of(form)
    client.post(form.action, data=data)
    before = kinds(tmp_path / "j.db", 1)
    again = client.post(form.action, data=data)
    assert kinds(tmp_path / "j.db", 1) == before
    assert "已经记录过了" in again.text
    # And a start form tapped twice starts one run.
    home = client.get("/").text
    start_form = next(f for f in forms(home) if f.fields.get("procedure") == "visit")
    first = client.post("/start", data=start_form.fields, follow_redirects=False)
    second = client.post("/start", data=start_form.fields, follow_redirects=False)
    assert first.headers["location"] == second.headers["location"] == "/runs/2"


def test_a_value_that_does_not_fit_is_refused_and_asked_again(
    client: TestClient, tmp_path: Path
) -> None:
    url = start(client, "visit")
    page = client.get(url).text
    # Answer until a field with a text box is asked, then give it nonsense.
    choices = list(CHOICES)
    for _ in range(60):
        form = ask_form(page)
        assert form is not None
        if form.fields["key"] == "field:visitor_log.party_size":
            break
        page = client.post(form.action, data=answer_of(form, choices)).text
    else:
        raise AssertionError("party_size was never asked")
    before = kinds(tmp_path / "j.db", 1)
    page = client.post(form.action, data={**form.fields, "value": "<b>很多</b>"}).text
    assert kinds(tmp_path / "j.db", 1) == before
    assert 'class="notice bad"' in page and "<b>很多</b>" not in page
    again = ask_form(page)
    assert again is not None and again.fields["key"] == "field:visitor_log.party_size"


def test_pause_and_resume(client: TestClient, tmp_path: Path) -> None:
    url = start(client, "visit")
    page = client.get(url).text
    pause = tool_form(page, "pause")
    page = client.post(pause.action, data=pause.fields).text
    assert "已暂停" in page
    assert kinds(tmp_path / "j.db", 1)[-1] == EventKind.RUN_PAUSED
    # The paused run's page asks nothing and records nothing until resumed.
    client.get(url)
    assert kinds(tmp_path / "j.db", 1)[-1] == EventKind.RUN_PAUSED
    resume = next(f for f in forms(page) if f.action.endswith("/resume"))
    page = client.post(resume.action, data=resume.fields).text
    assert EventKind.RUN_RESUMED in kinds(tmp_path / "j.db", 1)
    assert ask_form(page) is not None
    # A second tap of the resume button resumes nothing more.
    client.post(resume.action, data=resume.fields)
    assert kinds(tmp_path / "j.db", 1).count(EventKind.RUN_RESUMED) == 1
    walk(client, url, list(CHOICES))
    assert kinds(tmp_path / "j.db", 1)[-1] == EventKind.RUN_FINISHED


def test_an_emergency_preempts_and_the_run_goes_on(client: TestClient, tmp_path: Path) -> None:
    url = start(client, "visit")
    page = client.get(url).text
    form = ask_form(page)
    assert form is not None
    page = client.post(form.action, data=answer_of(form)).text
    asked = ask_form(page)
    assert asked is not None
    listing = client.get(f"{url}/emergency").text
    em = ask_form(listing)
    assert em is not None
    fire = next(v for n, v, _ in em.buttons if n == "procedure" and v == "fire")
    assert kinds(tmp_path / "j.db", 1)[-1] != EventKind.RUN_INTERRUPTED
    page = client.post(em.action, data={**em.fields, "procedure": fire}).text
    assert "⚠" in page
    with Journal(str(tmp_path / "j.db"), write=False) as j:
        row = j.run(2)
        assert row is not None and row.procedure == "fire"
    for _ in range(100):  # the emergency to its end
        if kinds(tmp_path / "j.db", 2)[-1] == EventKind.RUN_FINISHED:
            break
        form = ask_form(page)
        assert form is not None
        page = client.post(form.action, data=answer_of(form)).text
    assert EventKind.RUN_CONTINUED in kinds(tmp_path / "j.db", 1)
    # The visit asks again exactly the question it was interrupted at.
    back = ask_form(page)
    assert back is not None and back.fields["key"] == asked.fields["key"]


def test_what_users_post_never_fails(client: TestClient) -> None:
    url = start(client, "visit")
    csrf = tool_form(client.get(url).text, "pause").fields["csrf"]
    hostile: list[dict[str, Any]] = [
        {},
        {"action": "answer", "pos": "x", "key": "y"},
        {"action": "emergency", "procedure": "../../etc/passwd"},
        {"action": "note", "note": "<script>alert(1)</script>"},
        {"action": "bogus", "pos": "1.2", "key": "input:returning", "value": "\x00\u202e"},
        {"pos": "1.2", "key": "input:returning", "value": "x" * 100000},
    ]
    for data in hostile:
        r = client.post(url, data={**data, "csrf": csrf})
        assert r.status_code < 500
        assert "<script>alert" not in r.text
        forged = client.post(url, data=data)  # without the page's token: refused
        assert forged.status_code == 403
    for path in ("/runs/0", "/runs/999", "/runs/abc", "/runs/-1/emergency", "/nope", "/start"):
        r = client.get(path)
        assert r.status_code in (200, 404, 405), path
    r = client.post("/start", data={"procedure": "<img src=x onerror=alert(1)>", "csrf": csrf})
    assert r.status_code == 404 and "<img" not in r.text
    r = client.post("/runs/999", data={"action": "pause", "csrf": csrf})
    assert r.status_code == 404
    r = client.post(
        url, content=b"\xff\xfe--garbage", headers={"content-type": "multipart/form-data"}
    )
    assert r.status_code == 403


def test_a_note_is_journaled_with_the_run(client: TestClient, tmp_path: Path) -> None:
    url = start(client, "visit")
    page = client.get(url).text
    note = tool_form(page, "note")
    page = client.post(note.action, data={**note.fields, "note": "<i>客户</i> 带了宠物"}).text
    assert "备注已记录" in page
    with Journal(str(tmp_path / "j.db"), write=False) as j:
        notes = [e.data["text"] for e in j.events(1) if e.kind == EventKind.NOTE_ADDED]
    assert notes == ["<i>客户</i> 带了宠物"]
    assert re.search(r"<i>客户</i>", page) is None


def test_an_earlier_answer_is_corrected_as_the_terminal_does(
    client: TestClient, tmp_path: Path
) -> None:
    url = start(client, "visit")
    page = client.get(url).text
    for _ in range(2):  # returning: yes; surname: 王
        form = ask_form(page)
        assert form is not None
        page = client.post(form.action, data=answer_of(form)).text
    now = ask_form(page)
    assert now is not None
    listing = client.get(f"{url}/correct").text
    which = ask_form(listing)
    assert which is not None
    labels = [label for n, _, label in which.buttons if n == "option"]
    index = next(i for i, label in enumerate(labels) if label.startswith("客户姓氏 = 王"))
    asked = client.get(f"{url}/correct", params={"option": index}).text
    value_form = ask_form(asked)
    assert value_form is not None and value_form.action == f"{url}/correct"
    assert "value" in value_form.inputs
    data = {**value_form.fields, "value": "李"}
    page = client.post(value_form.action, data=data).text
    assert "已更正" in page
    back = ask_form(page)
    assert back is not None and back.fields["key"] == now.fields["key"]
    with Journal(str(tmp_path / "j.db"), write=False) as j:
        fixes = [e.data for e in j.events(1) if e.kind == EventKind.ANSWER_CORRECTED]
    assert [(f["name"], f["value"], f["before"]) for f in fixes] == [("surname", "李", "王")]
    # Sent again, the correction records nothing more.
    again = client.post(value_form.action, data=data).text
    assert "已经记录过了" in again
    assert kinds(tmp_path / "j.db", 1).count(EventKind.ANSWER_CORRECTED) == 1
    # A bad pick is said, not recorded.
    r = client.get(f"{url}/correct", params={"option": "99"})
    assert r.status_code == 200 and 'class="notice bad"' in r.text


def test_the_pages_speak_english_when_asked(client: TestClient) -> None:
    url = start(client, "visit")
    page = client.get(url, params={"lang": "en"}).text
    assert "Emergency" in page and "Pause" in page
    assert "Emergency" in client.get(url).text  # kept in a cookie


def test_traditional_characters_for_a_taiwan_site(tmp_path: Path) -> None:
    import shutil

    book = tmp_path / "book"
    shutil.copytree(FIXTURE, book)
    rb = book / "rulebook.yaml"
    text = rb.read_text(encoding="utf-8")
    text = text.replace(
        "satisfied: {label: 是否满意, type: bool}",
        "satisfied: {label: 满意程度, type: choice, options: [很满意, 一般]}",
    )
    rb.write_text(text, encoding="utf-8")
    client = TestClient(create_app(Settings(journal=str(tmp_path / "j.db"), rulebook=str(book))))
    url = start(client, "visit")
    page = client.get(url, params={"lang": "zh-TW"}).text
    assert "暫停" in page and "暂停" not in page
    choices = list(CHOICES)
    for _ in range(60):
        form = ask_form(page)
        assert form is not None
        if form.fields["key"] == "field:visitor_log.satisfied":
            break
        page = client.post(form.action, data=answer_of(form, choices)).text
    else:
        raise AssertionError("satisfied was never asked")
    shown = [label for n, _, label in form.buttons if n == "choice"]
    assert shown == ["很滿意", "一般"]  # in traditional characters, posted by number
    client.post(form.action, data={**form.fields, "choice": "0"})
    with Journal(str(tmp_path / "j.db"), write=False) as j:
        values = [e.data["value"] for e in j.events(1) if e.data.get("field") == "satisfied"]
    assert values == ["很满意"]  # the rulebook's own words in the journal
    assert "暂停" in client.get(url, params={"lang": "zh"}).text


def test_a_journeys_milestone_is_given_from_the_page(client: TestClient, tmp_path: Path) -> None:
    url = start(client, "journey")
    page = client.get(url).text
    mark = tool_form(page, "milestone")
    page = client.post(
        mark.action, data={**mark.fields, "milestone": "signed", "date": "soon"}
    ).text
    assert 'class="notice bad"' in page  # not a date: said, nothing recorded
    with Journal(str(tmp_path / "j.db"), write=False) as j:
        assert not [e for e in j.events(1) if e.kind == EventKind.MILESTONE_REACHED]
    mark = tool_form(page, "milestone")
    data = {**mark.fields, "milestone": "signed", "date": "2027-01-15"}
    page = client.post(mark.action, data=data).text
    assert "签约日" in page and "2027-01-15" in page
    with Journal(str(tmp_path / "j.db"), write=False) as j:
        given = [e.data for e in j.events(1) if e.kind == EventKind.MILESTONE_REACHED]
    assert [(g["name"], g["date"]) for g in given] == [("signed", "2027-01-15")]
    assert client.post(mark.action, data=data).text.count("已经记录过了") == 1


def test_the_bundled_show_flat_and_fire_end_to_end(tmp_path: Path) -> None:
    from tests.runtime_support import BUNDLED

    app = create_app(Settings(journal=str(tmp_path / "j.db"), rulebook=str(BUNDLED)))
    client = TestClient(app)
    walks = {
        "show-flat": ["由客服人员为客户讲解样板房", "客户想拍照"] + ["客户参观结束"] * 5,
        "fire": [],
    }
    for run, (procedure, choices) in enumerate(walks.items(), 1):
        url = start(client, procedure)
        assert url == f"/runs/{run}"
        walk(client, url, list(choices), limit=150)
        assert kinds(tmp_path / "j.db", run)[-1] == EventKind.RUN_FINISHED, procedure


def test_a_tick_of_the_step_is_corrected_through_its_item_question(
    client: TestClient, tmp_path: Path
) -> None:
    url = start(client, "visit")
    page = client.get(url).text
    while True:  # to the first item of the shoe covers: not done, by mistake
        form = ask_form(page)
        assert form is not None
        if form.fields["key"] == "item:0" and "鞋套箱" in page:
            break
        page = client.post(form.action, data=answer_of(form)).text
    page = client.post(form.action, data={**form.fields, "status": "not_done"}).text
    listing = client.get(f"{url}/correct").text
    which = ask_form(listing)
    assert which is not None
    labels = [label for n, _, label in which.buttons if n == "option"]
    index = next(i for i, label in enumerate(labels) if "鞋套箱" in label)
    assert "= 未完成" in labels[index]
    asked = client.get(f"{url}/correct", params={"option": index}).text
    tick = ask_form(asked)
    assert tick is not None and tick.action == f"{url}/correct"
    page = client.post(tick.action, data={**tick.fields, "status": "done"}).text
    assert "已更正" in page and "未完成 → 完成" in page
    with Journal(str(tmp_path / "j.db"), write=False) as j:
        fixes = [e.data for e in j.events(1) if e.kind == EventKind.ANSWER_CORRECTED]
        assert j.verify().ok
    assert [(f["kind"], f["before"], f["value"]) for f in fixes] == [("item", "not_done", "done")]
