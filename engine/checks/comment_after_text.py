"""Text cut by " #": a lint over each loaded file."""

from __future__ import annotations

import re

from engine.checks.rule import WARNING, Rule
from engine.problems import Pos, Problem
from engine.source import Document

RULE = Rule(
    id="comment-after-text",
    level=WARNING,
    description=('" #" 把文字截断', 'text cut by " #"'),
    messages={
        "": (
            '" #" 之后的 {comment} 被当作注释忽略了, 不属于这段文字。如果它是文字的一部分, 请给整段文字加引号',
            '{comment} after " #" is read as a comment and dropped from the text. if it belongs to the text, quote the whole text',
        ),
    },
    stage="load",
)


_COMMENT_AFTER = re.compile(r"[ \t]+#")


def check_document(doc: Document) -> list[Problem]:
    """Plain text followed by ` #` on its line: YAML drops the rest as a
    comment, a trap when the text meant "#4 号楼" or "§5.4 #4"."""
    lines: list[str] | None = None
    found: list[Problem] = []
    if " #" not in doc.text and "\t#" not in doc.text:
        return found
    for mark in doc.marks.values():
        if mark[4] != "" or mark[0] != mark[2]:
            continue
        if lines is None:
            lines = doc.text.split("\n")
        rest = lines[mark[2] - 1][mark[3] - 1 :]
        m = _COMMENT_AFTER.match(rest)
        if m:
            comment = rest[m.end() - 1 :].strip()
            col = mark[3] + m.end() - 1
            shown = comment if len(comment) <= 16 else comment[:15] + "…"
            found.append(
                Problem(
                    "comment-after-text",
                    Pos(doc.path, mark[2], col, mark[2], col + len(comment)),
                    {"comment": f'"{shown}"'},
                )
            )
    return found
