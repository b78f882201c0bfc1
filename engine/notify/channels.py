"""Sending one message through one channel.

Each channel either delivers (returns) or raises `SendFailed` with a reason
a person can read. Whether a channel can be asked again about a message it
may already have received (after a crash between sending and journaling the
outcome) is `idempotent`: an outbox file can be searched, an SMS gateway is
given the message's id to drop repeats; a WeCom group or a mail server
would show the message twice, so sop does not ask them again.
"""

from __future__ import annotations

import contextlib
import json
import os
import smtplib
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from engine.notify.settings import Address, Channel

TIMEOUT = 10.0  # seconds a channel may take; well inside the lease (notify.LEASE)


class SendFailed(Exception):
    """The channel did not take the message; the reason is shown and journaled."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to one address. `id` is stable for the message (the same
    across retries), so a receiver that knows ids can drop a repeat."""

    id: str
    subject: str  # a short first line: an e-mail's subject
    text: str
    address: Address


def idempotent(channel: Channel) -> bool:
    return channel.type in ("outbox", "sms")


def send(message: Outgoing) -> None:
    channel = message.address.channel
    match channel.type:
        case "wecom":
            _wecom(channel, message)
        case "sms":
            _sms(channel, message)
        case "smtp":
            _smtp(channel, message)
        case "outbox":
            _outbox(channel, message)


def delivered(message: Outgoing) -> bool | None:
    """Whether a message is known to have arrived (only an outbox can say)."""
    channel = message.address.channel
    if channel.type != "outbox":
        return None
    try:
        with open(str(channel.options["path"]), encoding="utf-8") as f:
            return any(json.loads(line).get("id") == message.id for line in f if line.strip())
    except FileNotFoundError:
        return False
    except (OSError, ValueError) as exc:
        raise SendFailed(f"outbox {channel.options['path']}: {exc}") from exc


def _timeout(channel: Channel) -> float:
    return float(channel.options.get("timeout", TIMEOUT))


def _post(channel: Channel, body: dict[str, Any], headers: dict[str, str]) -> bytes:
    request = urllib.request.Request(
        str(channel.options["url"]),
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8", **headers},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=_timeout(channel)) as response:
            return bytes(response.read(65536))
    except urllib.error.HTTPError as exc:
        raise SendFailed(f"HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SendFailed(str(reason)) from exc


def _wecom(channel: Channel, message: Outgoing) -> None:
    """An enterprise WeChat group robot: {"errcode": 0} when it took the text."""
    text: dict[str, Any] = {"content": message.text}
    if message.address.to:
        text["mentioned_mobile_list"] = [message.address.to]
    reply = _post(channel, {"msgtype": "text", "text": text}, {})
    try:
        answer = json.loads(reply)
    except ValueError:
        raise SendFailed(f"WeCom answered {reply[:80]!r}") from None
    if not isinstance(answer, dict) or answer.get("errcode") != 0:
        said = answer.get("errmsg") if isinstance(answer, dict) else answer
        code = answer.get("errcode") if isinstance(answer, dict) else "?"
        raise SendFailed(f"WeCom errcode {code}: {said}")


def _sms(channel: Channel, message: Outgoing) -> None:
    """An SMS gateway over HTTP: POST {id, to, text}; any 2xx is taken."""
    token = channel.secret("token")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = {"id": message.id, "to": message.address.to, "text": message.text}
    _post(channel, body, headers)


def _smtp(channel: Channel, message: Outgoing) -> None:
    o = channel.options
    mail = EmailMessage()
    mail["From"] = str(o["sender"])
    mail["To"] = str(message.address.to)
    mail["Subject"] = message.subject
    mail["Message-ID"] = make_msgid(idstring=message.id[:16], domain="sop.invalid")
    mail.set_content(message.text)
    host, port = str(o["host"]), int(o.get("port", 465 if o.get("ssl") else 25))
    try:
        if o.get("ssl"):
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=_timeout(channel), context=ssl.create_default_context()
            )
        else:
            server = smtplib.SMTP(host, port, timeout=_timeout(channel))
        with server:
            if o.get("starttls"):
                server.starttls(context=ssl.create_default_context())
            password = channel.secret("password")
            if o.get("user"):
                server.login(str(o["user"]), password or "")
            server.send_message(mail)
    except (smtplib.SMTPException, OSError) as exc:
        raise SendFailed(f"SMTP {host}:{port}: {exc}") from exc


def _outbox(channel: Channel, message: Outgoing) -> None:
    """One JSON line appended to a file, under a lock, and made durable."""
    path = str(channel.options["path"])
    line = json.dumps(
        {"id": message.id, "to": message.address.to, "subject": message.subject,
         "text": message.text},
        ensure_ascii=False,
    )  # fmt: skip
    try:
        import fcntl  # two notify runs appending at once (POSIX; O_APPEND elsewhere)
    except ImportError:  # pragma: no cover - Windows
        fcntl = None  # type: ignore[assignment]
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, (line + "\n").encode("utf-8"))
            os.fsync(fd)
        finally:
            if fcntl is not None:
                with contextlib.suppress(OSError):
                    fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
    except OSError as exc:
        raise SendFailed(f"outbox {path}: {exc.strerror or exc}") from exc
