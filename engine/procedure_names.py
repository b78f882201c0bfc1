"""A procedure named the way a person names it, the same in every command.

`sop run`, `sop render script|checklist`, `sop graph`, `sop simulate` (and,
for the journal's filters, `sop runs` and `sop report --procedure`: `procedure_id`)
take a procedure by its id (`sales-reception`), by the YAML file that holds
it (`sops/sales-reception.yaml`, `./sops/…`, `sales-reception.yaml` inside
sops/, or absolute: the file's real path is compared with the files the
rulebook was read from), or by its title as staff see it on the card
(`样板房服务流程`; for a zh-TW/zh-HK rulebook also as printed, in
traditional characters). What names none says why, in one message: the
value quoted, the nearest id or title, and a few of the known ids.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterable

from engine.errors import UsageError
from engine.i18n import message, messages
from engine.model import Procedure, Rulebook

UNKNOWN = message(
    "procedure.unknown",
    '规则手册中没有流程 "{given}"。{hint}\n'
    "可写编号、标题或 YAML 文件, 如 {known}; 全部 {count} 个: sop list {folder}",
    'the rulebook has no procedure "{given}".{hint}\n'
    "give an id, title or YAML file, e.g. {known}; all {count}: sop list {folder}",
)
NOT_A_PROCEDURE_FILE = message(
    "procedure.not-a-file",
    '"{given}" 不是这本规则手册的流程文件: {why}。{hint}\n'
    "规则手册读自 {folder}, 其中的流程: sop list {folder}",
    '"{given}" is not a procedure file of this rulebook: {why}.{hint}\n'
    "the rulebook was read from {folder}; its procedures: sop list {folder}",
)
WHY_NOT = messages(
    "procedure.not-a-file",
    {
        "missing": ("没有这个文件", "there is no such file"),
        "folder": (
            "它是文件夹, 请写其中一个流程的文件",
            "it is a folder; name one procedure's file in it",
        ),
        "rulebook": (
            "它是规则手册本身的设置 (rulebook.yaml), 不含流程",
            "it is the rulebook's own settings (rulebook.yaml), which hold no procedure",
        ),
        "inside": ("这个文件中没有流程", "it holds no procedure"),
        "elsewhere": ("它不在规则手册的文件夹中", "it is not in the rulebook's folder"),
        "other-rulebook": (
            "它属于另一本规则手册 ({root}), 用 -R {root} 读那一本",
            "it belongs to another rulebook ({root}); read that one with -R {root}",
        ),
    },
)
AMBIGUOUS = message(
    "procedure.ambiguous",
    '"{given}" 是 {count} 个流程的标题: {candidates}。请写编号或文件',
    '"{given}" is the title of {count} procedures: {candidates}. name one by its id or file',
)
DID_YOU_MEAN = message("procedure.did-you-mean", '是不是 "{near}"?', ' did you mean "{near}"?')

# Ids shown when a name names none: the nearest few, not all fifty; as many
# as fit this many characters (the line stays within 120 columns), 1 to 5.
_SHOWN = 5
_SHOWN_WIDTH = 56
_BRACKETS = "《》「」『』\"'“”"


_ID = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")  # schemas/sop.schema.json's id pattern


def procedure_id(given: str, rulebook: str | None) -> str:
    """The id a journal filter (`sop runs --procedure`, `sop report
    --procedure`) looks for: an id as written (the journal keeps runs of
    procedures since renamed or removed, and no rulebook is read for it),
    else the id of the procedure the rulebook folder's (`-R`, else the
    default) file or title names."""
    if _ID.fullmatch(given):
        return given
    from engine import resources
    from engine.validate import load_rulebook

    return find_procedure(load_rulebook(rulebook or resources.default_rulebook()), given).id


def find_procedure(rulebook: Rulebook, given: str) -> Procedure:
    """The procedure `given` names (id, YAML file or title), or a UsageError
    that says why it names none."""
    procs = rulebook.procedures
    found = procs.get(given)
    if found is not None:
        return found
    name = given.strip()
    titled = _by_title(rulebook, name.strip(_BRACKETS))
    if titled is not None:
        return titled
    if _looks_like_file(name):
        return _by_file(rulebook, given, name)
    raise UsageError(
        UNKNOWN,
        given=given,
        hint=_hint(name, [*procs, *(p.title for p in procs.values())]),
        known=_known(rulebook, name),
        count=len(procs),
        folder=_folder(rulebook),
    )


def _by_title(rulebook: Rulebook, title: str) -> Procedure | None:
    procs = list(rulebook.procedures.values())
    same = [p for p in procs if p.title == title]
    if not same and title and not title.isascii():
        same = _by_printed_title(procs, title)
    if len(same) > 1:
        candidates = ", ".join(
            f"{p.id} ({_shown(p.path)})" for p in sorted(same, key=lambda p: p.id)
        )
        raise UsageError(AMBIGUOUS, given=title, count=len(same), candidates=candidates)
    return same[0] if same else None


def _by_printed_title(procs: list[Procedure], title: str) -> list[Procedure]:
    """The procedures whose title, printed in traditional characters (a
    zh-TW/zh-HK rulebook's cards, or --locale), is `title`."""
    from engine.chinese import convert

    try:
        return [p for p in procs if title in {convert(p.title, "zh-TW"), convert(p.title, "zh-HK")}]
    except UsageError:  # no converter installed (render.no-opencc): it names none
        return []


def _looks_like_file(name: str) -> bool:
    """A YAML file's name, or any file or folder there is (neither an id nor
    a title matched it)."""
    return name.endswith((".yaml", ".yml")) or os.path.exists(name)


def _by_file(rulebook: Rulebook, given: str, name: str) -> Procedure:
    real = os.path.realpath(name)
    for proc in rulebook.procedures.values():
        if os.path.realpath(proc.path) == real:
            return proc
    folder = os.path.realpath(os.path.dirname(rulebook.path) or ".")
    hint = ""
    if os.path.isdir(name):
        why = WHY_NOT["folder"].say()
    elif not os.path.isfile(name):
        why = WHY_NOT["missing"].say()
        files = {_shown(p.path): p for p in rulebook.procedures.values()}
        hint = _hint(name, files)
    elif real == os.path.realpath(rulebook.path):
        why = WHY_NOT["rulebook"].say()
    elif os.path.commonpath([folder, real]) == folder:
        why = WHY_NOT["inside"].say()
    else:
        from engine.paths import find_root

        root = find_root(real)
        why = (
            WHY_NOT["other-rulebook"].say(root=shlex.quote(_shown(root)))
            if root is not None and root != folder
            else WHY_NOT["elsewhere"].say()
        )
    raise UsageError(
        NOT_A_PROCEDURE_FILE, given=given, why=why, hint=hint, folder=_folder(rulebook)
    )


def _hint(name: str, candidates: Iterable[str]) -> str:
    import difflib

    near = difflib.get_close_matches(name, list(candidates), n=1)
    return DID_YOU_MEAN.say(near=near[0]) if near else ""


def _known(rulebook: Rulebook, name: str) -> str:
    """A few ids, the nearest to what was typed first."""
    import difflib

    ids = sorted(rulebook.procedures)

    def distance(pid: str) -> float:
        title = rulebook.procedures[pid].title
        return -max(
            difflib.SequenceMatcher(None, name, pid).ratio(),
            difflib.SequenceMatcher(None, name, title).ratio(),
        )

    ranked = sorted(ids, key=distance) if name and len(ids) > _SHOWN else ids
    shown = ranked[:1]
    for pid in ranked[1:_SHOWN]:
        if len(", ".join([*shown, pid])) > _SHOWN_WIDTH:
            break
        shown.append(pid)
    return ", ".join(shown) + (", …" if len(shown) < len(ids) else "")


def _folder(rulebook: Rulebook) -> str:
    """The rulebook's folder as a person would type it here."""
    return shlex.quote(_shown(os.path.dirname(rulebook.path) or "."))


def _shown(path: str) -> str:
    """`path` as typed from the current folder: relative when that is the
    shorter (inside it, or just beside it), else absolute."""
    if not os.path.isabs(path):
        return os.path.normpath(path)
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive
        return path
    return relative if len(relative) <= len(path) else path
