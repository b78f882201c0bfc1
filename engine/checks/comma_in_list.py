"""A comma splits a sentence: a lint over each loaded file."""

from __future__ import annotations

from engine.checks.rule import WARNING, Rule
from engine.problems import Pos, Problem
from engine.source import Document

RULE = Rule(
    id="comma-in-list",
    level=WARNING,
    description=("[ ] 列表中的逗号把一句话分开", "a comma splits a sentence"),
    messages={
        "": (
            '方括号列表中的半角逗号把 "{left},{right}" 分成了两项。如果这是一句话, 请给它加引号: ["{left},{right}"], 或写成 "- …" 列表',
            'the ASCII comma in this [ ] list splits "{left},{right}" into two items. if it is one sentence, quote it: ["{left},{right}"], or write a "- …" list',
        ),
    },
    stage="load",
)


def check_document(doc: Document) -> list[Problem]:
    """`[谢谢您的光临,请慢走]` is two items to YAML: a flow list splits at the
    ASCII comma that Chinese text also uses. Warn where two text items of a
    flow list are joined by a bare "," (no space), as one sentence would be."""
    found: list[Problem] = []
    if "[" not in doc.text:
        return found
    lines: list[str] | None = None
    for path, mark in doc.marks.items():
        if mark[4] != "[":
            continue
        items = doc.data
        for part in path:
            items = items[part]
        if not isinstance(items, list) or len(items) < 2:
            continue
        if lines is None:
            lines = doc.text.split("\n")
        for i in range(len(items) - 1):
            a, b = doc.marks.get((*path, i)), doc.marks.get((*path, i + 1))
            if not a or not b or a[4] != "" or b[4] != "" or a[2] != b[0]:
                continue
            between = lines[a[2] - 1][a[3] - 1 : b[1] - 1]
            left, right = items[i], items[i + 1]
            if (
                between == ","
                and isinstance(left, str)
                and isinstance(right, str)
                and not (left.isascii() and right.isascii())
            ):
                col = a[3]
                found.append(
                    Problem(
                        "comma-in-list",
                        Pos(doc.path, a[2], col, a[2], col + 1),
                        {"left": left, "right": right},
                    )
                )
    return found
