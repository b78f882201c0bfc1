"""docs/checks.md is generated from the rules (engine/checks/, each rule's
declaration) and the golden cases, so every example in it is the exact output
of `sop validate`. Refresh with `pytest tests/test_docs.py --update`."""

from __future__ import annotations

from pathlib import Path

from engine.checks import registry
from engine.checks._retired import RETIRED
from engine.checks.rule import WARNING
from tests.conftest import CASES, ROOT

DOC = ROOT / "docs" / "checks.md"
ERR = CASES / "err"


def _examples(rule: str) -> list[Path]:
    return sorted(
        p
        for p in ERR.glob("*.out")
        if not p.name.endswith(".en.out") and f"[{rule}]" in p.read_text(encoding="utf-8")
    )


def render() -> str:
    out = [
        "# 检查项 (checks)\n\n",
        "`sop validate` 报告的每一类问题。示例均为 `tests/cases/err/` 中用例的**实际输出**"
        " (由 `tests/test_docs.py` 保证与程序一致)。\n\n",
        "严重程度由引擎决定: 人因提醒类 (warning) 可在流程中用 `lint: {disable: [编号]}` 关闭,"
        " 默认不影响退出码 (`--strict` 时算失败); 其余均为 error。\n\n",
        "## 语义检查 (semantic checks)\n\n",
    ]
    rules = sorted(registry().values(), key=lambda r: r.id)
    checks = [r for r in rules if r.stage == "check"]
    loading = [r for r in rules if r.stage != "check"]
    for rule in [*checks, None, *loading]:
        if rule is None:
            out.append("## 读取与结构检查 (loading and schema)\n\n")
            continue
        zh, en = rule.description
        level = " (warning)" if rule.level is WARNING else ""
        out.append(f"### `{rule.id}`\n\n{zh} / {en}{level}\n\n")
        examples = _examples(rule.id)
        if not examples:
            out.append("示例见 `tests/test_loader.py`。\n\n")
            continue
        example = examples[0]
        case = example.with_suffix(".yaml")
        source = (
            f"tests/cases/err/{case.name}" if case.exists() else f"tests/cases/err/{example.stem}/"
        )
        text = example.read_text(encoding="utf-8")
        command = f"$ sop validate {source.split('err/')[1]}"
        out.append(f"用例 [`{source}`](../{source}):\n\n```text\n{command}\n{text}```\n\n")
    out.append(
        "## 已取消的检查 (retired checks)\n\n"
        "这些检查已经取消。旧流程中 `lint: {disable: [编号]}` 写了它们仍然通过检查, 不起作用。\n\n"
    )
    for rid, (zh, en) in sorted(RETIRED.items()):
        out.append(f"### `{rid}`\n\n{zh}。\n\n{en}.\n\n")
    return "".join(out)


def test_checks_doc_is_current(update: bool) -> None:
    text = render()
    if update:
        DOC.write_text(text, encoding="utf-8")
    assert DOC.read_text(encoding="utf-8") == text


def test_doc_covers_every_rule() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert all(f"### `{rid}`" in text for rid in registry())


def test_retired_rules_are_gone() -> None:
    """A retired id is no rule any more, and no golden case still expects it."""
    for rid in RETIRED:
        assert rid not in registry()
        assert not _examples(rid)
