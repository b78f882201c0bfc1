"""No rulebook.yaml: found by engine.validate (grouping files by rulebook)."""

from __future__ import annotations

from engine.checks.rule import ERROR, Rule

RULE = Rule(
    id="missing-rulebook",
    level=ERROR,
    description=("找不到 rulebook.yaml", "no rulebook.yaml"),
    messages={
        "": (
            "找不到 rulebook.yaml (岗位、表单等共用内容)。请在流程文件所在的文件夹中创建它",
            "no rulebook.yaml found (roles, forms and shared inputs). create one in the procedures' folder",
        ),
    },
    stage="load",
)
