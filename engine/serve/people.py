"""Who may use `sop serve`: people, their sites and roles, their passwords
(argon2id hashes), signed session cookies, CSRF tokens and the sign-in
rate limit.

The users file is JSON, written by `sop serve users add` (never by hand:
it holds hashes). A person works at one site (staff, site manager) or
several (area manager); staff see the procedures of their roles (all, when
they have none). Beside it a secret (`<users>.secret`, created once, mode
0600) signs the session cookies, so sessions outlive a restart of the
server; a cookie names the person, when it was issued and a random nonce,
and the CSRF token of its forms is derived from that nonce.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import msgspec

from engine.errors import UsageError
from engine.i18n import message

Level = Literal["staff", "site_manager", "area_manager"]
SESSION_SECONDS = 12 * 3600
FAILURES = 5  # failed sign-ins allowed per window, per person and per address
WINDOW = 300.0  # seconds

BAD_USERS = message(
    "serve.bad-users",
    "用户文件 {path} 无法读取: {why}。用 sop serve users add 重新建立",
    "the users file {path} cannot be read: {why}. make it again with sop serve users add",
)
BAD_LEVEL = message(
    "serve.bad-level",
    "{level} 只能有一个案场 (收到 {count} 个); 管理多个案场的是 area_manager",
    "{level} works at one site (not {count}); an area_manager looks after several",
)
NO_SITE = message(
    "serve.no-site",
    "请用 --site 写明 {name} 所在的案场",
    "name the site {name} works at with --site",
)


class User(msgspec.Struct, frozen=True):
    name: str
    password: str  # argon2id hash
    sites: tuple[str, ...]
    roles: tuple[str, ...] = ()
    level: Level = "staff"

    def sees_site(self, site: str | None) -> bool:
        return site is not None and site in self.sites

    @property
    def manager(self) -> bool:
        return self.level != "staff"


class UsersFile(msgspec.Struct):
    users: list[User] = msgspec.field(default_factory=list)


def load_users(path: str) -> dict[str, User]:
    try:
        data = Path(path).read_bytes()
        users = msgspec.json.decode(data, type=UsersFile).users
    except FileNotFoundError:
        return {}
    except (OSError, msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise UsageError(BAD_USERS, path=path, why=str(exc)) from None
    return {u.name: u for u in users}


def add_user(
    path: str,
    name: str,
    password: str,
    sites: tuple[str, ...],
    roles: tuple[str, ...],
    level: Level,
) -> User:
    """Add a person (or replace one of the same name), the password hashed."""
    from argon2 import PasswordHasher

    if not sites:
        raise UsageError(NO_SITE, name=name)
    if level != "area_manager" and len(sites) > 1:
        raise UsageError(BAD_LEVEL, level=level, count=len(sites))
    users = load_users(path)
    user = User(name, PasswordHasher().hash(password), sites, roles, level)
    users[name] = user
    text = msgspec.json.format(msgspec.json.encode(UsersFile(list(users.values()))), indent=2)
    tmp = f"{path}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(text)
    os.replace(tmp, path)
    return user


def secret_for(users_path: str) -> bytes:
    """The key that signs session cookies, made once beside the users file."""
    path = f"{users_path}.secret"
    try:
        with open(path, "rb") as f:
            key = f.read()
        if len(key) >= 32:
            return key
    except FileNotFoundError:
        pass
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key)
    return key


@dataclass(frozen=True)
class Session:
    name: str
    issued: float
    nonce: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Sessions:
    """Signed session cookies, the CSRF tokens derived from them, and the
    sessions ended by signing out (kept until they would expire anyway)."""

    def __init__(self, key: bytes) -> None:
        self.key = key
        self._ended: dict[str, float] = {}
        self._lock = threading.Lock()

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self.key, payload.encode(), hashlib.sha256).digest())

    def issue(self, name: str) -> tuple[str, Session]:
        """A new session (a new nonce at every sign-in: a cookie planted
        before it is worth nothing after it)."""
        session = Session(name, time.time(), secrets.token_urlsafe(16))
        payload = _b64(
            json.dumps([session.name, session.issued, session.nonce], ensure_ascii=False).encode()
        )
        return f"{payload}.{self._sign(payload)}", session

    def read(self, cookie: str | None) -> Session | None:
        if not cookie or cookie.count(".") != 1 or len(cookie) > 4096:
            return None
        payload, sig = cookie.split(".")
        if not hmac.compare_digest(sig, self._sign(payload)):
            return None
        try:
            name, issued, nonce = json.loads(_unb64(payload))
        except (ValueError, TypeError):
            return None
        if not isinstance(name, str) or not isinstance(nonce, str):
            return None
        if not isinstance(issued, int | float) or time.time() - issued > SESSION_SECONDS:
            return None
        with self._lock:
            if nonce in self._ended:
                return None
        return Session(name, float(issued), nonce)

    def end(self, session: Session) -> None:
        now = time.time()
        with self._lock:
            self._ended[session.nonce] = session.issued
            for nonce, issued in list(self._ended.items()):
                if now - issued > SESSION_SECONDS:
                    del self._ended[nonce]

    def csrf(self, nonce: str) -> str:
        return self._sign(f"csrf:{nonce}")

    def csrf_ok(self, nonce: str, token: str) -> bool:
        return bool(token) and hmac.compare_digest(token, self.csrf(nonce))


class Limiter:
    """Failed sign-ins per key (a person's name, an address) in a sliding window."""

    def __init__(self, failures: int = FAILURES, window: float = WINDOW) -> None:
        self.failures = failures
        self.window = window
        self._seen: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def blocked(self, *keys: str) -> bool:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                seen = self._seen.get(key)
                if seen is None:
                    continue
                while seen and now - seen[0] > self.window:
                    seen.popleft()
                if len(seen) >= self.failures:
                    return True
        return False

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._seen[key].append(now)
            if len(self._seen) > 100000:
                self._seen.clear()


_DUMMY: list[str] = []


def check_password(user: User | None, password: str) -> bool:
    """Whether `password` is the person's; as slow for an unknown name."""
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher = PasswordHasher()
    if not _DUMMY:
        _DUMMY.append(hasher.hash(secrets.token_hex(8)))
    try:
        hasher.verify(user.password if user else _DUMMY[0], password[:1000])
    except (VerificationError, InvalidHashError):
        return False
    return user is not None
