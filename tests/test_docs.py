"""docs/checks.md is generated from the check registry and the golden cases,
so every example in it is the exact output of `sop validate`. Refresh with
`pytest tests/test_docs.py --update`."""

from __future__ import annotations

from pathlib import Path

from engine.checks import REGISTRY
from engine.messages import CATALOGUE
from tests.conftest import CASES, ROOT

DOC = ROOT / "docs" / "checks.md"
ERR = CASES / "err"

LOADER_RULES = {
    "not-a-file": "不是可读的普通文件 / not a readable regular file",
    "file-too-large": "文件超过 1 MiB / file over 1 MiB",
    "binary-file": "二进制文件 / binary file",
    "encoding": "不是 UTF-8 (如 GBK) / not UTF-8 (e.g. GBK)",
    "empty-file": "空文件 / empty file",
    "stray-character": "看不见的字符或控制字符 / invisible or control characters",
    "indentation": "缩进中的 Tab 或全角空格 / tab or full-width space in indentation",
    "fullwidth-colon": "键后的全角冒号 / full-width colon after a key",
    "colon-space": "冒号后缺少空格 / no space after a key's colon",
    "yaml-syntax": "YAML 写法错误 / YAML syntax error",
    "yaml-key": "空的或非文字的键 / empty or complex key",
    "comma-in-list": "[ ] 列表中的逗号把一句话分开 (warning) / a comma splits a sentence (warning)",
    "comment-after-text": '" #" 把文字截断 (warning) / text cut by " #" (warning)',
    "duplicate-key": "重复的键 / duplicate key",
    "yaml-alias": "别名 / alias",
    "yaml-anchor": "锚点 / anchor",
    "yaml-tag": "标签 / tag",
    "multi-document": "多个文档 / several documents",
    "too-deep": "嵌套过深 / nesting too deep",
    "scalar-too-long": "文字过长 / text too long",
    "missing-rulebook": "找不到 rulebook.yaml / no rulebook.yaml",
    "unknown-key": "未知的键 / unknown key",
    "required-key": "缺少必填的键 / missing required key",
    "wrong-type": "类型不对 / wrong type",
    "invalid-value": "值无效 / invalid value",
}


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
    sections = [(m.ID, m.DESCRIPTION) for m in REGISTRY]
    sections += [("", ""), *sorted(LOADER_RULES.items())]
    for rule, description in sections:
        if not rule:
            out.append("## 读取与结构检查 (loading and schema)\n\n")
            continue
        out.append(f"### `{rule}`\n\n{description}\n\n")
        examples = _examples(rule)
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
    return "".join(out)


def test_checks_doc_is_current(update: bool) -> None:
    text = render()
    if update:
        DOC.write_text(text, encoding="utf-8")
    assert DOC.read_text(encoding="utf-8") == text


def test_doc_covers_every_rule() -> None:
    documented = {m.ID for m in REGISTRY} | set(LOADER_RULES)
    assert set(CATALOGUE) <= documented
