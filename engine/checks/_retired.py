"""Rules that were removed, and why.

A first-edition procedure may still silence one (`lint: {disable: [id]}`):
the schema accepts a retired id (marked deprecated, so an editor strikes it
through) and silencing it does nothing. docs/checks.md lists them with the
reason, so a designer who remembers the warning learns why it is gone."""

from __future__ import annotations

from collections.abc import Mapping

# id → (why it was removed: zh, en)
RETIRED: Mapping[str, tuple[str, str]] = {
    "critical-order": (
        "已取消。关键项 (critical: true) 按原文的顺序写, 在原处标记 ★ 关键, 不再要求排在最前: "
        "原文的顺序往往就是动作的顺序 (入口: 跑步上前 → 敬礼 → 拉开车门 → 问候), 提前会让员工"
        "按错误的顺序去做。运行时、检查单、手册和话术卡都按书写顺序列出各项",
        "removed. critical items (critical: true) stay in the source's order and are marked "
        "★ where they stand instead of having to come first: the source's order is often the "
        "order of the actions (the entrance: run up, salute, open the door, greet), and moving "
        "an item ahead would have staff do it out of order. The runner, checklists, manuals "
        "and cards list items in the order written",
    ),
}
