"""Every rule has one home: a module of engine/checks named after its id that
declares its level, description, messages and the keys it depends on.
Registration is discovery; the messages are entries of the program's one
catalogue; a misspelt placeholder fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import engine.checks
from engine import i18n
from engine.checks import checks, registry, rulebook_checks
from engine.checks.rule import AUTOMATIC, ERROR, Rule, check_args
from engine.messages import render
from engine.problems import Pos, Problem

CHECKS = Path(engine.checks.__file__).resolve().parent
ENGINE = CHECKS.parent


def test_every_rule_module_is_named_after_its_rule() -> None:
    modules = {p.stem for p in CHECKS.glob("*.py") if not p.stem.startswith("_")}
    helpers = {"context", "rule"}
    assert {r.replace("-", "_") for r in registry()} == modules - helpers


def test_each_rule_declares_what_it_is() -> None:
    for rule in registry().values():
        zh, en = rule.description
        assert zh.strip() and en.strip(), rule.id
        assert rule.messages, rule.id
        assert rule.stage in ("read", "load", "schema", "check")
    checked = {r.id for r, _ in (*checks(), *rulebook_checks())}
    assert checked == {r.id for r in registry().values() if r.stage == "check"}


def test_messages_are_entries_of_the_one_catalogue() -> None:
    for rule in registry().values():
        for variant, (zh, en) in rule.messages.items():
            entry = i18n.catalogue()[f"check.{rule.id}" + (f".{variant}" if variant else "")]
            assert (entry.zh, entry.en) == (zh, en)


def test_a_misspelt_placeholder_fails() -> None:
    with pytest.raises(ValueError, match="zh names"):
        Rule("test-misspelt", ERROR, ("测试", "test"), {"": ("步骤 {name}", "step {nmae}")})
    unknown_step = registry()["unknown-step"]
    problem = Problem("unknown-step", Pos("f", 1, 1), {"nmae": "x", "where": "", "known": ""})
    with pytest.raises(KeyError, match="name"):
        check_args(unknown_step, problem)
    with pytest.raises(KeyError):
        render(problem)


def test_keys_say_what_pruning_a_file_takes_from_a_rule() -> None:
    flow = registry()["one-way-out"]
    assert flow.untrusted_by(())
    assert flow.untrusted_by(("steps",)) and flow.untrusted_by(("steps", "greet"))
    assert flow.untrusted_by(("steps", "greet", "next", 0, "when"))
    assert not flow.untrusted_by(("steps", "greet", "title"))
    assert not flow.untrusted_by(("steps", "next", "title"))  # a step called "next"
    assert not registry()["too-many-items"].untrusted_by(("steps", "greet", "next"))


def _ids() -> dict[str, str]:
    """Each rule module's `ID` constant."""
    ids: dict[str, str] = {}
    for path in CHECKS.glob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if (
                isinstance(node, ast.Assign)
                and [t.id for t in node.targets if isinstance(t, ast.Name)] == ["ID"]
                and isinstance(node.value, ast.Constant)
            ):
                ids[path.name] = str(node.value.value)
    return ids


def _sites() -> list[tuple[str, int, str, str, set[str]]]:
    """(file, line, rule, variant, keys) of every Problem(rule, pos, {…}, variant)
    in the engine whose rule, argument keys and variant are written out."""
    ids = _ids()
    sites = []
    for path in sorted(ENGINE.rglob("*.py")):
        if path.parent.name in ("runtime", "render", "cli", "journal"):
            continue  # not validation: a Problem there only places a caret (report.snippet)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "Problem"
                and len(node.args) >= 2
            ):
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                rule = first.value
            elif isinstance(first, ast.Name) and first.id == "ID" and path.name in ids:
                rule = ids[path.name]
            else:
                continue
            args = node.args[2] if len(node.args) > 2 else None
            if args is None:
                keys: set[str] = set()
            elif isinstance(args, ast.Dict) and None not in args.keys:
                keys = {k.value for k in args.keys if isinstance(k, ast.Constant)}
            else:
                continue  # built elsewhere: checked when the problem is reported
            variant_node = node.args[3] if len(node.args) > 3 else ast.Constant("")
            if not isinstance(variant_node, ast.Constant):
                continue
            rel = str(path.relative_to(ENGINE.parent))
            sites.append((rel, node.lineno, rule, str(variant_node.value), keys))
    return sites


def test_every_written_problem_gives_the_placeholders_of_its_message() -> None:
    sites = _sites()
    assert len(sites) > 30
    rules = registry()
    wrong = []
    for file, line, rule, variant, keys in sites:
        if rule not in rules:
            wrong.append(f"{file}:{line}: no rule {rule!r}")
        elif variant not in rules[rule].messages:
            wrong.append(f"{file}:{line}: rule {rule!r} has no variant {variant!r}")
        else:
            missing = rules[rule].fields(variant) - keys
            if missing:
                wrong.append(f"{file}:{line}: {rule}/{variant or '-'} lacks {sorted(missing)}")
    assert not wrong, "\n".join(wrong)


def test_automatic_placeholders_are_only_file_and_hint() -> None:
    assert frozenset({"file", "hint"}) == AUTOMATIC
