"""Schedules in the renderers: a day's checklist (`sop render checklist
--date`), the schedule line on cards and in the manual, escaped like every
designer's text (tests/fixtures/schedule)."""

from __future__ import annotations

from datetime import date

import pytest

from engine.render.checklist import render_checklist
from engine.render.manual import render_manual
from engine.render.script import render_script
from tests.conftest import ROOT, Runner
from tests.render_golden import check, rulebook

BOOK = ROOT / "tests" / "fixtures" / "schedule"
FORMATS = {"text": "txt", "md": "md", "html": "html"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_days_checklist(fmt: str, update: bool) -> None:
    out = render_checklist(rulebook(BOOK), None, day=date(2026, 12, 4), fmt=fmt)  # type: ignore[arg-type]
    check(f"checklist/schedule/2026-12-04.{FORMATS[fmt]}", out, update)


def test_the_day_lists_its_duties_by_their_first_time() -> None:
    out = render_checklist(rulebook(BOOK), None, day=date(2026, 12, 4))
    titles = [line.split("】")[0][1:] for line in out.splitlines() if line.startswith("【")]
    # Friday: the cleaning all day first, the hourly patrol and the opening
    # check from 08:30, then the monthly report's window open until the 25th.
    assert titles == ["每周深度保洁", "每小时巡查", "开门前检查", "月度服务报告"]
    assert "当天: 08:30、09:30、10:30" in out and "当天: 全天" in out
    assert "当天: 12-01 起, 12-25 前完成" in out


def test_a_closed_day_and_a_post() -> None:
    book = rulebook(BOOK)
    monday = render_checklist(book, None, day=date(2026, 12, 7))  # the site is closed on Mondays
    assert "每小时巡查" not in monday and "开门前检查" not in monday
    friday = render_checklist(book, None, day=date(2026, 12, 4), role="保洁员")
    assert "每周深度保洁" in friday and "每小时巡查" not in friday


def test_schedule_shows_on_cards_and_in_the_manual() -> None:
    book = rulebook(BOOK)
    assert "时间安排: 每月 25 日前完成；每年 9 月 30 日前完成" in render_checklist(
        book, "monthly-report"
    )
    assert "时间安排: 每天 开门时" in render_script(book, "opening-check")
    assert "时间安排: 每周 周二、周五；国庆节" in render_manual(book, fmt="md").decode()


def test_cli_date_option(sop: Runner) -> None:
    result = sop("render", "checklist", "--date", "2026-12-04", "--rulebook", str(BOOK))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("检查单 · 2026-12-04 (周五) 例行工作")
    bad = sop("render", "checklist", "--date", "2026-13-04", "--rulebook", str(BOOK))
    assert bad.returncode == 2 and "2026-13-04" in bad.stderr


@pytest.mark.parametrize("fmt", ["mermaid", "dot", "svg"])
def test_the_flowchart_starts_with_the_schedule(fmt: str) -> None:
    from engine.render.graph import render_graph

    out = render_graph(rulebook(BOOK), "weekly-clean", fmt)  # type: ignore[arg-type]
    assert "每周 周二、周五" in out and "国庆节" in out
