"""`sop notify`: reminders and escalations reach people once, through the
channels the settings name, journaled on their runs — on both stores, with
local fake servers (never a real endpoint), across crashes and concurrent
runs."""

from __future__ import annotations

import json
import multiprocessing
import socketserver
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from engine.errors import UsageError
from engine.journal import Journal
from engine.notify import channels
from engine.notify.send import LEASE, notify
from engine.notify.settings import load_settings, parse_settings
from engine.runtime.events import NOTICE_KINDS, EventKind, NoteAdded
from tests.runtime_support import sop_in_process

BOOK = Path(__file__).parent / "fixtures" / "notify_book"


def _start(store: str, site: str = "一号案场", customer: str = "张三") -> tuple[int, datetime]:
    """A callback run paused at its step (due within 30 minutes): its id and deadline."""
    code, out = sop_in_process(
        "run", "--rulebook", str(BOOK), "callback", "--set", f"customer={customer}",
        "--site", site, "--journal", store, stdin="p\n",
    )  # fmt: skip
    assert code == 0, out
    with Journal(store, write=False) as journal:
        run = max(r.id for r in journal.runs() if not isinstance(r, Exception))  # type: ignore[union-attr]
        row = journal.run(run)
        assert row is not None
        return run, datetime.fromisoformat(row.dues[0]["due"])


def _settings(tmp_path: Path, channels_: dict[str, Any], people: dict[str, Any]) -> Path:
    path = tmp_path / "notify.yaml"
    path.write_text(json.dumps({"channels": channels_, "people": people}), encoding="utf-8")
    return path


def _outbox(tmp_path: Path) -> list[dict[str, Any]]:
    box = tmp_path / "outbox.jsonl"
    if not box.exists():
        return []
    return [json.loads(line) for line in box.read_text(encoding="utf-8").splitlines()]


def _box_settings(tmp_path: Path) -> Path:
    return _settings(
        tmp_path,
        {"box": {"type": "outbox", "path": str(tmp_path / "outbox.jsonl")}},
        {"*": {"host": [{"channel": "box", "to": "小王"}],
               "supervisor": [{"channel": "box", "to": "李主管"}],
               "call_centre": [{"channel": "box", "to": "客服中心"}]}},
    )  # fmt: skip


def test_each_is_told_once_in_turn_and_it_is_journaled(store: str, tmp_path: Path) -> None:
    run, due = _start(store)
    settings = load_settings(str(_box_settings(tmp_path)))
    moments = [
        due - timedelta(minutes=5),  # not due yet: nobody
        due + timedelta(minutes=1),  # the step's role, reminded
        due + timedelta(minutes=2),  # nothing new
        due + timedelta(hours=1, minutes=1),  # the supervisor
        due + timedelta(days=1, minutes=1),  # the call centre
        due + timedelta(days=2),  # nothing new
    ]
    told = []
    for moment in moments:
        with Journal(store) as journal:
            report = notify(journal, settings, moment)
        told.append(
            sorted(d.planned.role for d in report.done if d.outcome == "sent" and d.planned)
        )
    assert told == [[], ["host"], [], ["supervisor"], ["call_centre"], []]
    sent = _outbox(tmp_path)
    assert [m["to"] for m in sent] == ["小王", "李主管", "客服中心"]
    assert "【超时提醒】一号案场 · 客户来电回复: 张三 「回电答复客户」" in sent[0]["text"]
    assert "【超时升级】" in sent[1]["text"] and "负责岗位案场客服尚未完成" in sent[1]["text"]
    assert len({m["id"] for m in sent}) == 3
    with Journal(store, write=False) as journal:
        kinds = [e.kind for e in journal.events(run)]
        assert kinds.count(EventKind.NOTICE_SENDING) == kinds.count(EventKind.NOTICE_SENT) == 3
        assert journal.verify().ok
    code, out = sop_in_process("show", str(run), "--journal", store)
    assert "✉ 已通知 案场主管 (box:李主管)" in out and "✉ 已通知 客服中心 (box:客服中心)" in out
    # The run goes on after them: a resumed session writes after the notices.
    code, out = sop_in_process("resume", str(run), "--journal", store, stdin="y\n")
    assert code == 0 and "已完成" in out, out
    assert "中断" not in sop_in_process("show", str(run), "--journal", store)[1]


def test_a_session_writing_to_the_run_is_not_stopped_by_a_notice(
    store: str, tmp_path: Path
) -> None:
    """Staff at the terminal and `sop notify` write to one run: the notices
    change nothing of it, so the session's next commit goes on after them."""
    from engine.runtime.recorder import Recorder, load_run

    run, due = _start(store)
    settings = load_settings(str(_box_settings(tmp_path)))
    with Journal(store) as journal:
        active = load_run(journal, run)
        assert active is not None
        with Journal(store) as other:
            notify(other, settings, due + timedelta(hours=2))
        rec = Recorder(journal, lambda: due + timedelta(hours=2))
        rec.record(active, NoteAdded(step="reply", procedure="callback", text="已回电"))
        notes = [e.data.get("text") for e in journal.events(run) if e.kind == EventKind.NOTE_ADDED]
        assert notes == ["已回电"]
        assert active.state.last_seq == journal.run(run).last_seq  # type: ignore[union-attr]


def _notifier(store: str, settings: str, at: str, start: Any) -> None:
    start.wait()
    with Journal(store) as journal:
        notify(journal, load_settings(settings), datetime.fromisoformat(at))


def test_concurrent_notify_runs_send_each_message_once(store: str, tmp_path: Path) -> None:
    runs = [_start(store, site=f"{n % 3 + 1}号案场", customer=f"客户{n}") for n in range(6)]
    settings = str(_box_settings(tmp_path))
    at = (max(d for _, d in runs) + timedelta(days=1, minutes=1)).isoformat()
    ctx = multiprocessing.get_context("fork")
    start = ctx.Barrier(4)
    procs = [ctx.Process(target=_notifier, args=(store, settings, at, start)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * 4
    sent = _outbox(tmp_path)
    assert len(sent) == 6 * 3  # each run: the host, the supervisor, the call centre
    assert len({m["id"] for m in sent}) == len(sent)
    with Journal(store, write=False) as journal:
        assert journal.verify().ok


# ---- channels, against servers on 127.0.0.1


class _Http:
    """A local HTTP endpoint: records each request; answers from `replies`."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], Any]] = []
        self.replies: list[tuple[int, bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append((dict(self.headers), json.loads(body)))
                status, reply = outer.replies.pop(0) if outer.replies else (200, b'{"errcode":0}')
                self.send_response(status)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def http() -> Iterator[_Http]:
    server = _Http()
    yield server
    server.close()


class _Smtp(socketserver.StreamRequestHandler):
    """Just enough SMTP to take a message (the standard library has a client only)."""

    mails: ClassVar[list[str]] = []

    def handle(self) -> None:
        self.wfile.write(b"220 localhost ESMTP\r\n")
        while line := self.rfile.readline():
            verb = line.decode().strip().split(" ")[0].upper()
            if verb in ("EHLO", "HELO"):
                self.wfile.write(b"250 localhost\r\n")
            elif verb == "DATA":
                self.wfile.write(b"354 go on\r\n")
                lines = []
                while (got := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(got.decode("utf-8"))
                _Smtp.mails.append("".join(lines))
                self.wfile.write(b"250 queued\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp() -> Iterator[int]:
    _Smtp.mails = []
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Smtp)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


def test_wecom_sms_and_smtp_each_get_the_message(
    tmp_path: Path, http: _Http, smtp: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMS_TOKEN", "s3cret")
    store = str(tmp_path / "j.db")
    run, due = _start(store)
    path = _settings(
        tmp_path,
        {"group": {"type": "wecom", "url": http.url},
         "sms": {"type": "sms", "url": http.url, "token_env": "SMS_TOKEN"},
         "mail": {"type": "smtp", "host": "127.0.0.1", "port": smtp, "sender": "sop@example.com"}},
        {"*": {"host": [{"channel": "group"}],
               "supervisor": [{"channel": "sms", "to": "13800000000"},
                              {"channel": "mail", "to": "li@example.com"}]}},
    )  # fmt: skip
    with Journal(store) as journal:
        report = notify(journal, load_settings(str(path)), due + timedelta(hours=2))
    assert sorted(d.outcome for d in report.done) == ["sent"] * 3
    (_, wecom), (sms_headers, sms) = http.requests
    assert wecom["msgtype"] == "text" and "【超时提醒】" in wecom["text"]["content"]
    assert sms_headers["Authorization"] == "Bearer s3cret"
    assert sms["to"] == "13800000000" and sms["id"].startswith(f"{run}-")
    assert "【超时升级】" in sms["text"]
    (mail,) = _Smtp.mails
    assert "To: li@example.com" in mail and "Subject:" in mail


def test_a_failure_is_retried_with_backoff_and_shown(tmp_path: Path, http: _Http) -> None:
    store = str(tmp_path / "j.db")
    run, due = _start(store)
    path = _settings(
        tmp_path,
        {"group": {"type": "wecom", "url": http.url}},
        {"*": {"host": [{"channel": "group"}]}},
    )
    settings = load_settings(str(path))
    http.replies = [(200, b'{"errcode":93000,"errmsg":"invalid webhook url"}'), (503, b"busy")]
    t = due + timedelta(minutes=1)
    with Journal(store) as journal:
        (first,) = notify(journal, settings, t).done
        assert first.outcome == "failed" and "93000" in first.error
        assert first.retry_at == (t + timedelta(minutes=1)).isoformat(timespec="seconds")
        (early,) = notify(journal, settings, t + timedelta(seconds=30)).done
        assert early.outcome == "later" and len(http.requests) == 1  # not before its time
        (second,) = notify(journal, settings, t + timedelta(minutes=1)).done
        assert second.outcome == "failed" and "503" in second.error and second.attempt == 2
        (third,) = notify(journal, settings, t + timedelta(minutes=4)).done
        assert third.outcome == "sent" and third.attempt == 3
    assert len(http.requests) == 3
    out = sop_in_process("show", str(run), "--journal", store)[1]
    flat = " ".join(out.split())
    assert "✉ 通知失败, 将重试: 案场客服 (group — WeCom errcode 93000: invalid webhook url)" in flat
    assert "✉ 通知失败, 将重试: 案场客服 (group — HTTP 503 Service Unavailable)" in flat
    assert "✉ 已通知 案场客服 (group)" in flat
    assert "执行人: —" in out  # sop notify tells; it is not who did the run


def test_after_enough_failures_it_gives_up(tmp_path: Path) -> None:
    store = str(tmp_path / "j.db")
    _, due = _start(store)
    settings = load_settings(str(_box_settings(tmp_path)))

    def down(message: channels.Outgoing) -> None:
        raise channels.SendFailed("gateway down")

    t = due + timedelta(minutes=1)
    outcomes = []
    with Journal(store) as journal:
        for _ in range(10):
            done = notify(journal, settings, t, sender=down).done
            outcomes.append(next(d.outcome for d in done if d.planned and d.planned.role == "host"))
            t += timedelta(minutes=61)
    assert outcomes == ["failed"] * 7 + ["gave-up", "earlier", "earlier"]


@pytest.mark.parametrize("kind", ["wecom", "sms", "outbox-written", "outbox-not-written"])
def test_a_notify_killed_while_sending_never_sends_twice(
    tmp_path: Path, http: _Http, kind: str
) -> None:
    """Killed between journaling a message and its outcome: an outbox is
    searched, an SMS gateway is asked again with the same id (it drops
    repeats), a WeCom group is not asked again and the message is shown as
    possibly not delivered."""
    store = str(tmp_path / "j.db")
    run, due = _start(store)
    channel = {"type": "wecom", "url": http.url} if kind == "wecom" else (
        {"type": "sms", "url": http.url} if kind == "sms"
        else {"type": "outbox", "path": str(tmp_path / "outbox.jsonl")})  # fmt: skip
    settings = load_settings(
        str(_settings(tmp_path, {"c": channel}, {"*": {"host": [{"channel": "c", "to": "1"}]}}))
    )

    class Killed(BaseException):
        pass

    def dies(message: channels.Outgoing) -> None:
        if kind != "outbox-not-written":
            channels.send(message)  # it left, then the process died
        raise Killed

    t = due + timedelta(minutes=1)
    with Journal(store) as journal, pytest.raises(Killed):
        notify(journal, settings, t, sender=dies)
    with Journal(store) as journal:
        (soon,) = notify(journal, settings, t + LEASE / 2).done
        assert soon.outcome == "later"  # it may still be being sent
        (after,) = notify(journal, settings, t + LEASE * 2).done
    requests = len(http.requests)
    if kind == "wecom":
        assert (after.outcome, requests) == ("in-doubt", 1)
        out = sop_in_process("show", str(run), "--journal", store)[1]
        assert "通知可能未送达" in out
    elif kind == "sms":
        assert (after.outcome, requests) == ("sent", 2)
        assert http.requests[0][1]["id"] == http.requests[1][1]["id"]
    else:
        assert after.outcome == "sent" and len(_outbox(tmp_path)) == 1


def test_no_one_to_tell_is_said_and_nothing_is_journaled(tmp_path: Path) -> None:
    store = str(tmp_path / "j.db")
    run, due = _start(store)
    path = _settings(tmp_path, {"box": {"type": "outbox", "path": str(tmp_path / "o")}}, {})
    code, out = sop_in_process(
        "notify", "--settings", str(path), "--journal", store,
        "--at", (due + timedelta(days=2)).isoformat(),
    )  # fmt: skip
    assert code == 0
    assert '#1 一号案场: 通知设置中没有岗位 "案场客服" 的联系方式, 无法通知' in out
    assert out.endswith("通知: 无人可通知 3\n")  # the host, the supervisor, the call centre
    with Journal(store, write=False) as journal:
        assert not [e for e in journal.events(run) if e.kind in NOTICE_KINDS]


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        ({"channels": {"g": {"type": "wecon", "url": "x"}}}, 'type "wecon"'),
        ({"channels": {"g": {"type": "wecom"}}}, '缺少 "url"'),
        ({"channels": {"g": {"type": "wecom", "url": "x", "token": "t"}}}, '不认识 "token"'),
        ({"channels": {"s": {"type": "sms", "url": "x"}},
          "people": {"*": {"host": {"channel": "s"}}}}, "需要写 to"),
        ({"channels": {}, "people": {"*": {"host": [{"channel": "mail"}]}}}, '未定义的渠道 "mail"'),
        ({"chanels": {}}, '是否想写 "channels"'),
    ],
)  # fmt: skip
def test_settings_mistakes_are_said(raw: dict[str, Any], said: str) -> None:
    with pytest.raises(UsageError, match=said):
        parse_settings(raw, "notify.yaml")


def test_the_chain_is_printed_beside_the_deadline() -> None:
    """Cards and the manual say who is told when the step is overdue."""
    said = "超时升级: 超时1小时告诉案场主管, 超时1天告诉客服中心"
    code, out = sop_in_process("render", "checklist", "callback", "--rulebook", str(BOOK))
    assert code == 0 and said in out, out
    code, out = sop_in_process("render", "manual", str(BOOK), "--format", "html")
    assert code == 0 and said in out


def test_a_dry_run_says_what_it_would_send_and_sends_and_journals_nothing(tmp_path: Path) -> None:
    store = str(tmp_path / "j.db")
    run, due = _start(store)
    at = (due + timedelta(hours=2)).isoformat()
    args = ["notify", "--settings", str(_box_settings(tmp_path)), "--journal", store, "--at", at]
    code, out = sop_in_process(*args, "--dry-run")
    assert code == 0
    assert out.splitlines() == [
        "将发送 #1 回电答复客户 → 案场客服 (box:小王)",
        "将发送 #1 回电答复客户 → 案场主管 (box:李主管)",
        "通知: 将发送 2",
    ]
    assert _outbox(tmp_path) == []
    with Journal(store, write=False) as journal:
        assert not [e for e in journal.events(run) if e.kind in NOTICE_KINDS]
    code, out = sop_in_process(*args, "--lang", "en")
    assert out.splitlines()[-1] == "notify: 2 sent" and len(_outbox(tmp_path)) == 2
