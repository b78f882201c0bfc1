"""Checklists (`sop render checklist`): golden files per bundled procedure and
per post (the daily card), the feature fixture in every format, and the CLI."""

from __future__ import annotations

import pytest

from engine.render.checklist import render_checklist
from tests.conftest import Runner
from tests.render_golden import BUNDLED, MINI, bundled_ids, check, role_ids, rulebook, stale

FORMATS = {"text": "txt", "md": "md", "html": "html"}


@pytest.mark.parametrize("pid", bundled_ids())
def test_bundled_checklist(pid: str, update: bool) -> None:
    check(f"checklist/bundled/{pid}.txt", render_checklist(rulebook(BUNDLED), pid), update)


@pytest.mark.parametrize("rid", role_ids())
def test_bundled_daily_card_per_post(rid: str, update: bool) -> None:
    out = render_checklist(rulebook(BUNDLED), None, role=rid)
    check(f"checklist/bundled/role-{rid}.txt", out, update)


def test_no_stale_bundled_goldens() -> None:
    wanted = {f"checklist/bundled/{pid}.txt" for pid in bundled_ids()}
    wanted |= {f"checklist/bundled/role-{rid}.txt" for rid in role_ids()}
    assert stale("checklist/bundled", wanted) == []


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("pid", ["visit", "patrol", "alarm", "care"])
def test_fixture_checklists(pid: str, fmt: str, update: bool) -> None:
    out = render_checklist(rulebook(MINI), pid, fmt=fmt)  # type: ignore[arg-type]
    check(f"checklist/mini/{pid}.{FORMATS[fmt]}", out, update)


def test_checklist_shows_what_an_auditor_looks_for() -> None:
    out = render_checklist(rulebook(MINI), "visit")
    first = out.split("第1步")[1].split("第2步")[0]
    # The critical item is written last in the YAML: it stays last, marked.
    assert first.index("站在样板房主入口处") < first.index("★ 确认地面无水渍")
    assert "提示: 防止客户滑倒" in first
    assert "递上雨伞套 (仅当 天气为雨/雪)" in first
    assert "重复: 每隔8~10分钟" in out
    assert "时限: 进入本步起30分钟内完成" in out
    assert "▤ 填写《客户接待记录表》: 日期；客户姓名；来访人数" in out
    assert "收取当日记录表 (由接待领班)" in out
    assert "回访客户问候 (若 客户是否二次以上来访? 是)" in out
    assert "(内容待核实)" in out
    journey = render_checklist(rulebook(MINI), "care")
    assert "到期: 签约日后1天" in journey and "到期: 交付日前2周" in journey


def test_daily_card_orders_timed_routines_first_and_emergencies_last() -> None:
    out = render_checklist(rulebook(MINI), None, role="guard")
    assert "岗位职责 (护卫员)" in out and "维护现场秩序" in out
    assert out.index("【夜间巡查】") < out.index("【样板房接待】") < out.index("【火情处理】")
    assert "时刻: 19:00" in out and "时刻: 22:30" in out
    # A post's card holds only its own items.
    assert "通知护卫员协助" in out and "请客户在记录表上登记" not in out


def test_cli_checklist_role_card(sop: Runner) -> None:
    done = sop("render", "checklist", "-R", str(MINI), "--role", "guard", "--format", "md")
    assert done.returncode == 0, done.stderr
    assert done.stdout == render_checklist(rulebook(MINI), None, role="guard", fmt="md")
