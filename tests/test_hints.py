"""What staff read and what designers read are kept apart: `hint` is shown at
the post, on cards and in the manual's steps; `notes` (and the first
edition's `note`) only in the manual's 编制说明. Every bundled procedure is
walked in each staff-facing output and must carry no editorial reasoning."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from engine.checks.editorial_text import find
from engine.render.checklist import render_checklist
from engine.render.manual import render_manual
from engine.render.script import render_script
from engine.resources import default_rulebook
from engine.validate import load_rulebook
from tests.conftest import ROOT, Runner, sop_command

pexpect = pytest.importorskip("pexpect")

RB = load_rulebook(default_rulebook())
# What staff must never read: sources, section marks, web addresses, the research
# inventory, step ids. (The same marks the editorial-text check looks for.)
EDITORIAL = re.compile(r"原文|§|https?://|调研清单|inventory|360docs|\bpiece\b|\b00\d (?:篇|§)")


def _procedure_ids() -> list[str]:
    return sorted(RB.procedures)


# -- the language --------------------------------------------------------------------------
def test_first_edition_note_is_read_as_a_designers_note(tmp_path: Path) -> None:
    (tmp_path / "rulebook.yaml").write_text(
        "title: t\norganisation: {name: o}\nroles: {host: {name: 客服}}\n", encoding="utf-8"
    )
    (tmp_path / "p.yaml").write_text(
        """id: p
title: 流程
kind: service
roles: [host]
start: a
steps:
  a:
    title: 迎宾
    role: host
    note: 原文未写站位
    do:
      - text: 站好
        note: 旧备注
        hint: 站在门口
        notes: [新说明]
    end: done
""",
        encoding="utf-8",
    )
    rb = load_rulebook(str(tmp_path))
    step = rb.procedures["p"].steps["a"]
    assert step.hint is None
    assert step.notes == ("原文未写站位",)
    assert step.do[0].hint == "站在门口"
    assert step.do[0].notes == ("旧备注", "新说明")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("火警电话 119", None),
        ("欢迎光临{{ project }}", None),
        ("{% if surname_known %}您好{% endif %}", None),
        ("见 https://example.org/a", ("url", "https://example.org/a")),
        ("按调研清单第 17 条", ("inventory", "调研清单")),
        ("迎宾 (000 §3.5.1.2A)", ("section", "§3.5.1.2A")),
        ("原文未写号码", ("source", "原文")),
        ("只见于 360docs 的细则", ("source", "360docs")),
        ("见 004 piece 6", ("source", "004 piece")),
        ("在 day1_call 之后", ("id", "day1_call")),
        ("回到 greet 一步", ("id", "greet")),
        ("Wi-Fi 密码在前台", None),
    ],
)
def test_editorial_marks(text: str, expected: tuple[str, str] | None) -> None:
    assert find(text, frozenset({"greet"})) == expected


def test_bundled_rulebook_has_no_editorial_text(sop: Runner) -> None:
    result = sop("validate", "--no-cache", "--strict", str(ROOT / "sops"))
    assert "editorial-text" not in result.stdout, result.stdout
    assert result.returncode == 0, result.stdout


# -- every staff-facing output of every bundled procedure ----------------------------------
@pytest.mark.parametrize("pid", _procedure_ids())
def test_scripts_and_checklists_carry_no_editorial_reasoning(pid: str) -> None:
    for fmt in ("text", "md", "html"):
        for out in (render_script(RB, pid, fmt=fmt), render_checklist(RB, pid, fmt=fmt)):
            hit = EDITORIAL.search(out)
            assert hit is None, f"{pid} ({fmt}): {out[max(0, hit.start() - 60) : hit.end() + 20]}"


def test_hints_are_shown_on_cards_and_notes_are_not() -> None:
    card = render_checklist(RB, "fire")
    assert "提示: 火警电话 119" in card
    assert "提示: 由发现火情的人立即执行" in card
    assert "对现在进行清理工作" not in card  # a typo fix: the designers' business
    script = render_script(RB, "shuttle")
    assert "提示: 两句问目的地的话按客户情况选说" in script


def test_manual_prints_hints_in_steps_and_notes_in_its_editorial_section() -> None:
    html = render_manual(RB, "md").decode("utf-8")
    fire = html[html.index('<a id="proc-fire">') :]
    steps, rest = fire.split("### 7 判断条件", 1)
    design = rest[rest.index("### 9 编制说明") : rest.index("### 10 修订记录")]
    assert "提示: 由发现火情的人立即执行" in steps
    assert "对现在进行清理工作" not in steps
    assert "**第1步 报警并自救**" in design
    assert "对现在进行清理工作" in design  # the item's note, under its step


# -- at the post -----------------------------------------------------------------------------
def _spawn(tmp: Path, *args: str) -> Any:
    cmd = sop_command()
    env = {
        **os.environ,
        "LANG": "C.UTF-8",
        "SOP_CACHE_DIR": str(tmp / "cache"),
        "SOP_JOURNAL": str(tmp / "j.db"),
        "TERM": "xterm",
    }
    return pexpect.spawn(
        cmd[0],
        [*cmd[1:], *args, "--no-color"],
        env=env,
        encoding="utf-8",
        timeout=20,
        dimensions=(40, 100),
    )


def test_a_fire_opens_with_the_staff_hint_not_the_editors_reasoning(tmp_path: Path) -> None:
    t = _spawn(tmp_path, "run", "fire", "--operator", "李四")
    t.expect("报警并自救")
    t.expect("完成")
    screen = t.before or ""
    t.sendline("y")
    t.expect("拨打火警电话")
    t.expect("完成")
    screen += t.before or ""
    t.sendintr()
    t.expect(pexpect.EOF)
    assert "提示: 由发现火情的人立即执行" in screen
    assert "提示: 火警电话 119" in screen
    assert EDITORIAL.search(screen) is None, screen
    assert "备注:" not in screen
