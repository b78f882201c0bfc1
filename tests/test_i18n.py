"""The one message catalogue: ids unique, zh and en naming the same
placeholders, and every call site giving exactly the placeholders its message
names (checked statically, so a misspelt placeholder fails here rather than
printing nothing the day the message is shown)."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import engine
from engine import i18n
from engine.errors import RUN_NOT_FOUND, RunError

ENGINE = Path(engine.__file__).resolve().parent


def _import_all() -> None:
    for info in pkgutil.walk_packages([str(ENGINE)], "engine."):
        if info.name != "engine.__main__":
            importlib.import_module(info.name)


Said = i18n.Message | i18n.Counted


def _message_names(module: object) -> dict[str, Said]:
    return {k: v for k, v in vars(module).items() if isinstance(v, Said)}


def test_declared_messages_name_the_same_placeholders_in_both_languages() -> None:
    _import_all()
    assert i18n.catalogue(), "no message declared"
    for msg in i18n.catalogue().values():
        assert i18n.placeholders(msg.zh) == i18n.placeholders(msg.en), msg.id
        assert msg.zh.strip() and msg.en.strip(), msg.id


def test_a_misspelt_placeholder_is_refused() -> None:
    with pytest.raises(ValueError, match="zh names"):
        i18n.Message("test.mismatch", "运行 {run}", "run {rnu}")
    with pytest.raises(KeyError, match="missing"):
        RUN_NOT_FOUND.say(rum=3)
    with pytest.raises(KeyError):
        RunError(RUN_NOT_FOUND)


def test_an_id_is_declared_once() -> None:
    i18n.message("test.once", "一", "one")
    i18n.message("test.once", "一", "one")  # the same declaration again (a re-import) is fine
    with pytest.raises(ValueError, match="twice"):
        i18n.message("test.once", "一", "two")


def test_errors_follow_the_chosen_language() -> None:
    try:
        i18n.use("en")
        assert str(RunError(RUN_NOT_FOUND, run=9)).startswith("there is no run 9")
        i18n.use("zh")
        assert str(RunError(RUN_NOT_FOUND, run=9)).startswith("日志中没有运行 9")
    finally:
        i18n.use(i18n.default_lang())


def test_a_request_speaks_its_own_language_without_changing_the_process() -> None:
    import threading

    try:
        i18n.use("zh")
        seen: dict[str, str] = {}

        def request(lang: str) -> None:
            with i18n.speaking(lang):
                seen[lang] = str(RunError(RUN_NOT_FOUND, run=9))

        threads = [threading.Thread(target=request, args=(lang,)) for lang in ("en", "zh")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert seen["en"].startswith("there is no run 9")
        assert seen["zh"].startswith("日志中没有运行 9")
        with i18n.speaking("en"):
            assert i18n.current() == "en"
        assert i18n.current() == "zh"  # the process's language, as it was
    finally:
        i18n.use(i18n.default_lang())


def _call_sites() -> list[tuple[str, int, str, set[str]]]:
    """(file, line, message id, keywords) of every call that passes a
    declared message by name, as `X(MSG, k=…)` or `MSG.say(…, k=…)` (a
    counted one's `{n}` is the count, given first: `DAYS.say(n, k=…)`); a name
    is looked up in the module that uses it (its globals), and in the
    modules a function imports it from."""
    _import_all()
    import sys

    sites: list[tuple[str, int, str, set[str]]] = []
    for path in sorted(ENGINE.rglob("*.py")):
        rel = path.relative_to(ENGINE.parent)
        modname = ".".join(rel.with_suffix("").parts).removesuffix(".__init__")
        module = sys.modules.get(modname)
        if module is None:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        known = dict(_message_names(module))
        for node in ast.walk(tree):  # names imported inside functions
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                source = sys.modules.get(node.module)
                if source is None:
                    continue
                for alias in node.names:
                    value = getattr(source, alias.name, None)
                    if isinstance(value, Said):
                        known[alias.asname or alias.name] = value
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            if any(k.arg is None for k in node.keywords):
                continue  # **params: checked when said
            keywords = {k.arg for k in node.keywords if k.arg is not None}
            func = node.func
            name: str | None = None
            msg: Said | None = None
            if isinstance(func, ast.Attribute) and func.attr == "say":
                target = func.value
                name = target.id if isinstance(target, ast.Name) else None
                msg = _entry(module, target)
            elif node.args and isinstance(node.args[0], ast.Name):
                name = node.args[0].id
            elif node.args:
                msg = _entry(module, node.args[0])
            if name in known:
                msg = known[name]
            if isinstance(msg, i18n.Counted):
                for one_or_other in (msg.one, msg.other):
                    sites.append((str(rel), node.lineno, one_or_other.id, keywords | {"n"}))
            elif msg is not None:
                sites.append((str(rel), node.lineno, msg.id, keywords))
    return sites


def _entry(module: object, node: ast.expr) -> Said | None:
    """A message picked from a table by a literal key: `WHY["type"].say(…)`."""
    if not (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and isinstance(node.slice, ast.Constant)
    ):
        return None
    table = getattr(module, node.value.id, None)
    msg = table.get(node.slice.value) if isinstance(table, dict) else None
    return msg if isinstance(msg, Said) else None


def test_every_call_site_gives_exactly_the_placeholders_of_its_message() -> None:
    sites = _call_sites()
    assert any(mid == RUN_NOT_FOUND.id for _, _, mid, _ in sites)
    assert any(mid == "notify.late.days.one" for _, _, mid, _ in sites)  # counted
    wrong = [
        f"{file}:{line}: {mid} wants {sorted(i18n.catalogue()[mid].fields)}, given {sorted(kw)}"
        for file, line, mid, kw in sites
        if kw != set(i18n.catalogue()[mid].fields)
    ]
    assert not wrong, "\n".join(wrong)


def test_the_cli_says_errors_in_english_when_asked(sop) -> None:  # type: ignore[no-untyped-def]
    zh = sop("show", "999", "--journal", "j.sqlite3")
    assert zh.returncode != 0
    en = sop("show", "999", "--journal", "j.sqlite3", "--lang", "en")
    assert en.returncode == zh.returncode
    assert "日志" not in en.stderr and en.stderr.strip(), en.stderr


_ERRORS = {
    "SopError",
    "UsageError",
    "RulebookError",
    "JournalError",
    "JournalConflict",
    "RunError",
    "ScenarioError",
}


def test_no_error_is_raised_with_raw_text() -> None:
    """Every error the engine raises on purpose is a catalogue entry, so it
    can be said in either language: never SopError("…") or f"…"."""
    raw = []
    for path in sorted(ENGINE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in _ERRORS
                and node.args
                and not isinstance(node.args[0], ast.Name | ast.Attribute | ast.Subscript)
            ):
                raw.append(f"{path.relative_to(ENGINE.parent)}:{node.lineno}")
    assert not raw, "raised with raw text: " + ", ".join(raw)


_QUOTED = re.compile(r'"[^"\n]*"|「[^」\n]*」|《[^》\n]*》|\'[^\'\n]*\'')
_LISTED = re.compile(r"\b(roles|known|inputs|milestones|options): .*")
_CJK = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")


@pytest.mark.parametrize(
    "argv",
    [
        ["show", "999"],
        ["resume", "999"],
        ["milestone", "999", "signed", "2026-01-01"],
        ["run", "nope", "--rulebook", "FIXTURE"],
        ["run", "visit", "--rulebook", "FIXTURE", "--set", "=x"],
        ["run", "visit", "--rulebook", "FIXTURE", "--set", "nope=1"],
        ["runs", "--since", "2026-13-01"],
        ["due", "--at", "x"],
        ["due", "--role", "nobody"],
        ["report"],
        ["simulate"],
        ["render", "script"],
        ["show"],
        ["nosuchcommand"],
    ],
)
def test_each_commands_errors_in_english(tmp_path: Path, argv: list[str]) -> None:
    """Under --lang en, an error says nothing in Chinese but the data it
    quotes (a title, a name)."""
    from tests.runtime_support import FIXTURE, sop_in_process

    journal = str(tmp_path / "j.db")
    sop_in_process("run", "visit", "--rulebook", str(FIXTURE), "--journal", journal)
    args = [str(FIXTURE) if a == "FIXTURE" else a for a in argv]
    if args[0] not in ("simulate", "render", "nosuchcommand"):
        args += ["--journal", journal]
    code, out = sop_in_process(*args, "--lang", "en")
    assert code in (1, 2), out
    said = _QUOTED.sub("", out)
    said = _LISTED.sub("", said)  # a list of the rulebook's names is its data
    assert not _CJK.search(said), out


def test_why_a_file_cannot_be_read_is_said_in_the_messages_language(tmp_path: Path) -> None:
    from engine.i18n import os_reason

    def failure(path: Path) -> OSError:
        try:
            path.read_bytes()
        except OSError as exc:
            return exc
        raise AssertionError(f"{path} was read")

    missing, folder = failure(tmp_path / "nothere.png"), failure(tmp_path)
    assert os_reason(missing, "zh") == "文件不存在" and os_reason(missing, "en") == "no such file"
    assert os_reason(folder, "zh") == "这是一个文件夹, 不是文件"
    denied = PermissionError(13, "Permission denied")
    assert os_reason(denied, "zh") == "没有权限读取这个文件"
    assert os_reason(denied, "en") == "permission denied"
    other = OSError(5, "Input/output error")
    assert os_reason(other, "zh") == "Input/output error"  # uncommon: as the OS says it


def test_validate_says_why_a_file_cannot_be_read_in_its_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file the OS refuses (permission): the reason in the message's language."""
    import builtins

    from engine.problems import Said
    from engine.source import read_bytes

    path = tmp_path / "locked.yaml"
    path.write_text("id: x\n", encoding="utf-8")
    real_open = builtins.open

    def refuse(file: object, *args: object, **kw: object) -> object:
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(file, *args, **kw)  # type: ignore[call-overload]

    monkeypatch.setattr(builtins, "open", refuse)
    problem = read_bytes(str(path))
    assert not isinstance(problem, bytes)
    assert problem.variant == "unreadable"
    assert problem.args["detail"] == Said("没有权限读取这个文件", "permission denied")
    from engine.messages import render

    said = render(problem, "zh")
    assert "没有权限读取这个文件" in said and "Permission denied" not in said
    assert "permission denied" in render(problem, "en")
