"""click's own words (usage errors, help headings) in the process's language.

click says everything through gettext (`_()` and `ngettext()`, looked up by
the English text), the hook it offers for translations. We give it ours from
the one catalogue: each of click's messages a person can meet is an entry
here whose English is click's own text and whose Chinese is ours, so
`Error: Missing argument 'RUN'.` reads `错误: 缺少参数 'RUN'。` unless
--lang en. A message click adds later and we do not know stays English.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from engine.i18n import Message, message

_CLICK_MODULES = (
    "click.core",
    "click.decorators",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.types",
    "click.termui",
)

# click's text (its msgid) → ours. Keys are click's English exactly.
_TABLE: dict[str, tuple[str, str]] = {
    "Usage:": ("click.usage", "用法:"),
    "Options": ("click.options", "选项"),
    "Commands": ("click.commands", "命令"),
    "Positional arguments": ("click.positional", "参数"),
    "Error: {message}": ("click.error", "错误: {message}"),
    "Try '{command} {option}' for help.": (
        "click.try-help",
        "用 '{command} {option}' 查看帮助。",
    ),
    "Missing argument": ("click.missing-argument", "缺少参数"),
    "Missing option": ("click.missing-option", "缺少选项"),
    "Missing parameter": ("click.missing-parameter", "缺少参数"),
    "Missing {param_type}": ("click.missing-type", "缺少 {param_type}"),
    "Missing parameter: {param_name}": ("click.missing-name", "缺少参数: {param_name}"),
    "Missing command.": ("click.missing-command", "缺少命令。"),
    "No such command {name!r}.": ("click.no-command", "没有命令 {name!r}。"),
    "No such option {name!r}.": ("click.no-option", "没有选项 {name!r}。"),
    "No such option: {name}": ("click.no-option-plain", "没有选项: {name}"),
    "Did you mean {possibility}?": ("click.did-you-mean", "是不是 {possibility}?"),
    "(Did you mean one of: {possibilities}?)": (
        "click.did-you-mean-many",
        "(是不是其中之一: {possibilities}?)",
    ),
    "Option {name!r} requires an argument.": ("click.needs-value", "选项 {name!r} 需要一个值。"),
    "Option {name!r} requires {nargs} arguments.": (
        "click.needs-values",
        "选项 {name!r} 需要 {nargs} 个值。",
    ),
    "Option {name!r} does not take a value.": ("click.takes-no-value", "选项 {name!r} 不带值。"),
    "Got unexpected extra argument ({args})": ("click.extra-argument", "多余的参数 ({args})"),
    "Got unexpected extra arguments ({args})": ("click.extra-arguments", "多余的参数 ({args})"),
    "Invalid value for {param_hint}: {message}": (
        "click.invalid-for",
        "{param_hint} 的值不对: {message}",
    ),
    "Invalid value: {message}": ("click.invalid", "值不对: {message}"),
    "{value!r} is not {choice}.": ("click.not-choice", "{value!r} 不是可选的值, 应为 {choice}。"),
    "{value!r} is not one of {choices}.": (
        "click.not-choices",
        "{value!r} 不是可选的值, 可选: {choices}。",
    ),
    "{value!r} is not a valid {number_type}.": (
        "click.not-number",
        "{value!r} 不是有效的 {number_type}。",
    ),
    "{value} is not in the range {range}.": ("click.out-of-range", "{value} 不在 {range} 范围内。"),
    "{value!r} does not match the format {format}.": (
        "click.not-format",
        "{value!r} 不符合格式 {format}。",
    ),
    "{value!r} does not match the formats {formats}.": (
        "click.not-formats",
        "{value!r} 不符合格式 {formats}。",
    ),
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "click.not-bool",
        "{value!r} 不是是非值。可用: {states}",
    ),
    "{name} {filename!r} does not exist.": ("click.path-missing", "{name} {filename!r} 不存在。"),
    "{name} {filename!r} is a file.": ("click.path-is-file", "{name} {filename!r} 是文件。"),
    "{name} {filename!r} is a directory.": (
        "click.path-is-folder",
        "{name} {filename!r} 是文件夹, 这里要的是文件。",
    ),
    "{name} {filename!r} is not readable.": (
        "click.path-unreadable",
        "{name} {filename!r} 不可读。",
    ),
    "{name} {filename!r} is not writable.": (
        "click.path-unwritable",
        "{name} {filename!r} 不可写。",
    ),
    "Could not open file {filename!r}: {message}": (
        "click.cannot-open",
        "无法打开文件 {filename!r}: {message}",
    ),
    "file": ("click.file", "文件"),
    "directory": ("click.directory", "文件夹"),
    "path": ("click.path", "路径"),
    "integer": ("click.integer", "整数"),
    "float": ("click.float", "数"),
    "Aborted!": ("click.aborted", "已中断。"),
    "Show this message and exit.": ("click.help", "显示本帮助并退出。"),
    "Show the version and exit.": ("click.version", "显示版本并退出。"),
    "default: {default}": ("click.default", "默认: {default}"),
    "env var: {var}": ("click.env-var", "环境变量: {var}"),
    "Choose from:\n\t{choices}": ("click.choose-from", "可选:\n\t{choices}"),
}

NO_COMMAND = message(
    "cli.no-command",
    '没有命令 "{name}"。是不是 "{near}"? 用 sop --help 查看所有命令',
    'no command "{name}". did you mean "{near}"? see every command with: sop --help',
)

CLICK: dict[str, Message] = {en: message(mid, zh, en) for en, (mid, zh) in _TABLE.items()}


def _said(msgid: str) -> str:
    """click's text in this process's language, still a template for it to fill."""
    msg = CLICK.get(msgid)
    return msgid if msg is None else msg.template()


def _gettext(msgid: str) -> str:
    return _said(msgid)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _said(singular if n == 1 else plural)


def install() -> None:
    """Give click our words (idempotent; follows `i18n.use` from then on)."""
    for name in _CLICK_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        hooks: dict[str, Callable[..., str]] = {"_": _gettext, "ngettext": _ngettext}
        for attr, hook in hooks.items():
            if attr in vars(module):
                setattr(module, attr, hook)
