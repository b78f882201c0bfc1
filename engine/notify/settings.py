"""The notify settings: the channels, and who a role is at each site.

    channels:
      sales_group: {type: wecom, url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"}
      sms: {type: sms, url: "https://sms.example.com/send", token_env: SOP_SMS_TOKEN}
      mail: {type: smtp, host: smtp.example.com, port: 587, starttls: true,
             sender: sop@example.com, user: sop, password_env: SOP_SMTP_PASSWORD}
      box: {type: outbox, path: /var/lib/sop/outbox.jsonl}
    people:
      "*":                      # every site
        call_centre: [{channel: mail, to: kefu@example.com}]
      一号案场:
        consultant: [{channel: sales_group}]
        sales_manager: [{channel: sms, to: "13800000000"}, {channel: mail, to: wang@example.com}]

Secrets are never written in the file: `token_env` and `password_env` name
the environment variables that hold them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from engine.errors import UsageError
from engine.i18n import messages
from engine.messages import DID_YOU_MEAN, suggest

ChannelType = Literal["wecom", "sms", "smtp", "outbox"]
TYPES: tuple[ChannelType, ...] = ("wecom", "sms", "smtp", "outbox")
EVERY_SITE = "*"

SAID = messages(
    "notify.settings",
    {
        "missing": (
            "找不到通知设置文件 {path}。请用 --settings 指定, 或设置环境变量 SOP_NOTIFY",
            "no notify settings at {path}. give one with --settings or SOP_NOTIFY",
        ),
        "none": (
            "没有通知设置。请用 --settings 文件 指定 (或设置环境变量 SOP_NOTIFY), "
            "写法见 docs/notify.md",
            "no notify settings: give a file with --settings (or SOP_NOTIFY); see docs/notify.md",
        ),
        "yaml": (
            "通知设置 {path} 不是有效的 YAML: {error}",
            "the notify settings {path} are not valid YAML: {error}",
        ),
        "shape": (
            "通知设置 {path}: {where} 应当是{expected}。写法见 docs/notify.md",
            "notify settings {path}: {where} should be {expected}. see docs/notify.md",
        ),
        "type": (
            '通知设置 {path}: 渠道 "{name}" 的 type "{type}" 不可用。{hint}可用: {known}',
            'notify settings {path}: channel "{name}" has type "{type}", which is not one '
            "of {known}. {hint}",
        ),
        "key": (
            '通知设置 {path}: {where} 不认识 "{key}"。{hint}可写: {known}',
            'notify settings {path}: {where} has "{key}", which is not known. {hint}known: {known}',
        ),
        "needs": (
            '通知设置 {path}: {where} 缺少 "{key}"',
            'notify settings {path}: {where} lacks "{key}"',
        ),
        "channel": (
            '通知设置 {path}: {where} 用了未定义的渠道 "{name}"。{hint}已定义: {known}',
            'notify settings {path}: {where} uses channel "{name}", which is not defined. '
            "{hint}defined: {known}",
        ),
        "to": (
            '通知设置 {path}: {where} 经渠道 "{name}" ({type}) 发送, 需要写 to (收件人)',
            'notify settings {path}: {where} sends through "{name}" ({type}), which needs to: '
            "(whom to send to)",
        ),
        "env": (
            "环境变量 {env} 没有设置 (通知设置中渠道 {name} 的 {key} 从它读取)",
            "the environment variable {env} is not set (channel {name} reads its {key} from it)",
        ),
    },
)

_NEEDS: dict[ChannelType, tuple[str, ...]] = {
    "wecom": ("url",),
    "sms": ("url",),
    "smtp": ("host", "sender"),
    "outbox": ("path",),
}
_MAY: dict[ChannelType, tuple[str, ...]] = {
    "wecom": ("url", "timeout"),
    "sms": ("url", "token_env", "timeout"),
    "smtp": ("host", "port", "ssl", "starttls", "sender", "user", "password_env", "timeout"),
    "outbox": ("path",),
}


@dataclass(frozen=True, slots=True)
class Channel:
    name: str
    type: ChannelType
    options: Mapping[str, Any]

    def secret(self, key: str) -> str | None:
        """A secret read from the environment variable the settings name."""
        env = self.options.get(f"{key}_env")
        if env is None:
            return None
        value = os.environ.get(str(env))
        if value is None:
            raise UsageError(SAID["env"], env=env, name=self.name, key=key)
        return value


@dataclass(frozen=True, slots=True)
class Address:
    """Where one message to a role goes: a channel and, where it needs one,
    the recipient (a phone number, an e-mail address; a WeCom group webhook
    needs none, a phone number there is @-mentioned)."""

    channel: Channel
    to: str | None = None

    @property
    def said(self) -> str:
        return f"{self.channel.name}:{self.to}" if self.to else self.channel.name


@dataclass(frozen=True)
class Settings:
    path: str
    channels: Mapping[str, Channel]
    people: Mapping[str, Mapping[str, tuple[Address, ...]]] = field(default_factory=dict)

    def addresses(self, site: str | None, role: str) -> tuple[Address, ...]:
        """How to reach `role` at `site`: the site's own entry, else every site's."""
        here = self.people.get(site or "", {})
        if role in here:
            return here[role]
        return self.people.get(EVERY_SITE, {}).get(role, ())


def did_you_mean_text(name: str, known: tuple[str, ...]) -> str:
    found = suggest(name, known)
    return DID_YOU_MEAN.say(s=found).strip() + " " if found else ""


def settings_path(given: str | None) -> str:
    path = given or os.environ.get("SOP_NOTIFY")
    if not path:
        raise UsageError(SAID["none"])
    return path


def load_settings(given: str | None) -> Settings:
    path = settings_path(given)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        raise UsageError(SAID["missing"], path=path) from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise UsageError(SAID["yaml"], path=path, error=str(exc).splitlines()[0]) from None
    return parse_settings(raw, path)


def _shape(path: str, where: str, expected: str) -> UsageError:
    return UsageError(SAID["shape"], path=path, where=where, expected=expected)


def _unknown(path: str, where: str, key: str, known: tuple[str, ...]) -> UsageError:
    return UsageError(
        SAID["key"], path=path, where=where, key=key, hint=did_you_mean_text(key, known),
        known=", ".join(known),
    )  # fmt: skip


def parse_settings(raw: Any, path: str) -> Settings:
    if not isinstance(raw, dict):
        raise _shape(path, "the file", "a mapping {channels, people}")
    for key in raw:
        if key not in ("channels", "people"):
            raise _unknown(path, "the file", str(key), ("channels", "people"))
    channels: dict[str, Channel] = {}
    given = raw.get("channels") or {}
    if not isinstance(given, dict):
        raise _shape(path, "channels", "a mapping name → {type, …}")
    for name, spec in given.items():
        where = f"channels.{name}"
        if not isinstance(spec, dict):
            raise _shape(path, where, "a mapping {type, …}")
        kind = spec.get("type")
        if kind not in TYPES:
            raise UsageError(
                SAID["type"], path=path, name=name, type=kind, known=", ".join(TYPES),
                hint=did_you_mean_text(str(kind), TYPES),
            )  # fmt: skip
        for key in spec:
            if key != "type" and key not in _MAY[kind]:
                raise _unknown(path, where, str(key), _MAY[kind])
        for key in _NEEDS[kind]:
            if key not in spec:
                raise UsageError(SAID["needs"], path=path, where=where, key=key)
        channels[str(name)] = Channel(str(name), kind, {k: v for k, v in spec.items()})
    people: dict[str, dict[str, tuple[Address, ...]]] = {}
    sites = raw.get("people") or {}
    if not isinstance(sites, dict):
        raise _shape(path, "people", "a mapping site → {role: [{channel, to}]}")
    for site, roles in sites.items():
        if not isinstance(roles, dict):
            raise _shape(path, f"people.{site}", "a mapping role → [{channel, to}]")
        people[str(site)] = {}
        for role, ways in roles.items():
            where = f"people.{site}.{role}"
            if isinstance(ways, dict):
                ways = [ways]
            if not isinstance(ways, list):
                raise _shape(path, where, "a list of {channel, to}")
            out = []
            for i, way in enumerate(ways):
                here = f"{where}[{i}]"
                if not isinstance(way, dict):
                    raise _shape(path, here, "a mapping {channel, to}")
                for key in way:
                    if key not in ("channel", "to"):
                        raise _unknown(path, here, str(key), ("channel", "to"))
                name = str(way.get("channel", ""))
                if name not in channels:
                    raise UsageError(
                        SAID["channel"], path=path, where=here, name=name,
                        known=", ".join(channels), hint=did_you_mean_text(name, tuple(channels)),
                    )  # fmt: skip
                channel = channels[name]
                to = way.get("to")
                if to is None and channel.type in ("sms", "smtp"):
                    raise UsageError(
                        SAID["to"], path=path, where=here, name=name, type=channel.type
                    )
                out.append(Address(channel, None if to is None else str(to)))
            people[str(site)][str(role)] = tuple(out)
    return Settings(path, channels, people)
