"""How `sop validate` says a problem, in Chinese and English.

Messages follow actionlint's shape: what is wrong, the offending value quoted,
then what was expected or "did you mean". Each rule declares its messages in
its own module (engine/checks/); they are entries of the program's one
catalogue (engine/i18n.py), `check.<rule>[.<variant>]`. A problem names its
rule and variant and gives the placeholders; the template is chosen here, so
checks never build sentences.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from engine.i18n import Lang as I18nLang
from engine.i18n import message
from engine.problems import Problem, Said
from engine.source import visible

Lang = str  # "zh" | "en"

SUMMARY = message(
    "validate.summary",
    "{files} 个文件: {errors} 个错误, {warnings} 个警告",
    "{files}: {errors}, {warnings}",
)
CLEAN = message("validate.clean", "{files} 个文件, 没有发现问题 ✓", "{files}, no problems found ✓")
DID_YOU_MEAN = message("validate.did-you-mean", ' 是否想写 "{s}"?', ' did you mean "{s}"?')


def catalogue() -> dict[str, dict[str, tuple[str, str]]]:
    """Every rule's messages: rule -> variant -> (zh, en), from the rule modules."""
    from engine.checks import registry

    return {rid: dict(r.messages) for rid, r in registry().items()}


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


def listing(names: Iterable[str], limit: int = 8) -> str:
    items = sorted(set(names))
    if not items:
        return "(无 / none)"
    shown = ", ".join(items[:limit])
    return shown + (f", … (+{len(items) - limit})" if len(items) > limit else "")


def _said(value: object, lang: Lang) -> object:
    if isinstance(value, Said):
        value = value.en if lang == "en" else value.zh
    # Values quoted from a file show their invisible characters by name.
    return visible(value) if isinstance(value, str) else value


def render(problem: Problem, lang: Lang = "zh") -> str:
    from engine.checks import rule_of
    from engine.checks.rule import check_args

    said: I18nLang = "en" if lang == "en" else "zh"
    declared = rule_of(problem.rule)
    check_args(declared, problem)
    template = declared.entry(problem.variant).template(said)
    args = {k: _said(v, said) for k, v in problem.args.items()}
    args.setdefault("file", problem.pos.file)
    suggestion = problem.args.get("suggestion")
    hint = DID_YOU_MEAN.say(said, s=suggestion).strip() + " " if suggestion else ""
    if "{hint}" in template:
        return template.replace("{hint}", hint).format_map(args).rstrip()
    text = template.format_map(args)
    return text + (" " + hint.strip() if hint else "")
