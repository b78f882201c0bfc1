"""话术卡 (`sop render script`): golden files for every bundled procedure and
for the feature fixture in every format; --set filling; the CLI's errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.i18n import speaking
from engine.render.script import render_script
from engine.render.values import parse_sets
from tests.conftest import Runner
from tests.render_golden import BUNDLED, MINI, bundled_ids, check, rulebook, stale

FORMATS = {"text": "txt", "md": "md", "html": "html"}


@pytest.mark.parametrize("pid", bundled_ids())
def test_bundled_script(pid: str, update: bool) -> None:
    check(f"script/bundled/{pid}.txt", render_script(rulebook(BUNDLED), pid), update)


def test_no_stale_bundled_goldens() -> None:
    wanted = {f"script/bundled/{pid}.txt" for pid in bundled_ids()}
    assert stale("script/bundled", wanted) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_fixture_script_formats(fmt: str, update: bool) -> None:
    out = render_script(rulebook(MINI), "visit", fmt=fmt)  # type: ignore[arg-type]
    check(f"script/mini/visit.{FORMATS[fmt]}", out, update)


FILLED = {
    "returning-wang": ["returning=是", "surname=王", "honorific=先生", "party=2", "weather=雨"],
    "first-visit-group": ["returning=false", "party=6"],
}


@pytest.mark.parametrize("case", FILLED)
def test_fixture_script_filled_for_one_visitor(case: str, update: bool) -> None:
    rb = rulebook(MINI)
    sets = parse_sets(FILLED[case], rb.inputs_for(rb.procedures["visit"]))
    check(f"script/mini/visit-{case}.txt", render_script(rb, "visit", sets=sets), update)


def test_filling_drops_lines_that_do_not_apply() -> None:
    rb = rulebook(MINI)
    inputs = rb.inputs_for(rb.procedures["visit"])
    unfilled = render_script(rb, "visit")
    assert (
        "〔客户姓氏〕" in unfilled and "客户是否二次以上来访? 是 且 客户姓氏 已知 时:" in unfilled
    )
    first = render_script(rb, "visit", sets=parse_sets(["returning=false", "party=6"], inputs))
    assert "欢迎光临翠湖样板房" in first  # the project's default fills {{ project }}
    assert "欢迎再次光临" not in first
    assert "各位请这边走" in first  # {% if party >= 3 %} decided
    wang = render_script(
        rb, "visit", sets=parse_sets(["returning=true", "surname=王", "honorific=先生"], inputs)
    )
    assert "您好,王先生,欢迎再次光临翠湖" in wang
    assert "时:" not in wang.split("第1步")[1].split("第")[0]  # decided lines show no condition


def test_a_step_that_fills_a_form_says_which_and_the_fields_it_asks() -> None:
    rb = rulebook(MINI)
    card = render_script(rb, "visit")
    # No words to say at this step: it stays for its form, with the step's
    # fields (not the form's others) in the order the step gives them.
    step = "第6步 请客户登记 · 样板房客服\n"
    assert step + "  ▤ 填写《客户接待记录表》: 日期；客户姓名；来访人数\n" in card
    assert "客户满意" not in card
    # The lead acts at that step (collects the sheets) but fills no form there.
    assert "客户接待记录表" not in render_script(rb, None, role="lead")
    for fmt in ("md", "html"):
        out = render_script(rb, "visit", fmt=fmt)  # type: ignore[arg-type]
        assert "填写《客户接待记录表》: 日期；客户姓名；来访人数" in out
    with speaking("en"):
        english = render_script(rb, "visit")
    assert "▤ fill in 《客户接待记录表》: 日期; 客户姓名; 来访人数" in english


def test_a_conditional_form_is_under_its_condition_or_gone() -> None:
    rb = rulebook(BUNDLED)
    gift = "第19条 客户要赠送礼品,怎么办?"
    unfilled = render_script(rb, "site-situations").split(gift)[1].split("第21条")[0]
    assert (
        "  ▷ 礼品是否实在推卸不下、只能暂时收下? 是 时:\n"
        "    ▤ 填写《案场服务情况记录》: 发生时间；地点；情况；事情经过；" in unfilled
    )
    inputs = rb.inputs_for(rb.procedures["site-situations"])
    kept = render_script(rb, "site-situations", sets=parse_sets(["accepted=是"], inputs))
    assert "\n  ▤ 填写《案场服务情况记录》: 发生时间" in kept.split(gift)[1].split("第21条")[0]
    # Declined, the entry has neither words to say nor a form: it leaves the card.
    declined = render_script(rb, "site-situations", sets=parse_sets(["accepted=否"], inputs))
    assert gift not in declined and "第21条" in declined


def test_role_card_across_procedures(update: bool) -> None:
    check("script/mini/role-host.txt", render_script(rulebook(MINI), None, role="host"), update)


def test_cli_script(sop: Runner, tmp_path: Path) -> None:
    done = sop(
        "render",
        "script",
        "visit",
        "-R",
        str(MINI),
        "--set",
        "surname=王",
        "--set",
        "returning=true",
        "--set",
        "honorific=女士",
    )
    assert done.returncode == 0, done.stderr
    assert "您好,王女士,欢迎再次光临翠湖" in done.stdout
    out = tmp_path / "card.html"
    done = sop("render", "script", "visit", "-R", str(MINI), "--format", "html", "-o", str(out))
    assert done.returncode == 0 and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_cli_script_of_the_bundled_rulebook_by_default(sop: Runner) -> None:
    pid = bundled_ids()[0]
    done = sop("render", "script", pid)
    assert done.returncode == 0, done.stderr
    assert done.stdout == render_script(rulebook(BUNDLED), pid)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["visti"], 'did you mean "visit"'),
        (["visit", "--set", "surnam=王"], 'did you mean "surname"'),
        (["visit", "--set", "returning=maybe"], "expected true or false"),
        (["visit", "--set", "weather=阴"], "晴 / 雨 / 雪"),
        (["visit", "--set", "party=many"], "whole number"),
        (["visit", "--set", "surname"], "name=value"),
        (["--role", "nobody"], 'no role "nobody"'),
        ([], "give a procedure id, or a role with --role"),
    ],
)
def test_cli_script_usage_errors(sop: Runner, args: list[str], message: str) -> None:
    done = sop("render", "script", "-R", str(MINI), *args, "--lang", "en")
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_cli_role_by_chinese_name(sop: Runner) -> None:
    done = sop("render", "script", "-R", str(MINI), "--role", "样板房客服")
    assert done.returncode == 0, done.stderr
    assert "话术卡 · 样板房客服" in done.stdout


@pytest.mark.parametrize("sets", [(), ("summer=true",), ("carrying=雨伞", "summer=false")])
def test_placeholders_are_filled_or_named_never_xxxx(sop: Runner, sets: tuple[str, ...]) -> None:
    """Whatever else is given, the project name is 〔项目名称〕 until it is given."""
    args = [a for s in sets for a in ("--set", s)]
    out = sop("render", "script", "lobby", *args).stdout
    assert "XXXX" not in out
    assert "「〔项目名称〕欢迎您的光临」" in out
    filled = sop("render", "script", "lobby", *args, "--set", "project=翠湖天地").stdout
    assert "「翠湖天地欢迎您的光临」" in filled


def test_a_placeholder_default_is_not_a_value(tmp_path: Path, sop: Runner) -> None:
    """A site rulebook that copied the source's blank as a default (XXXX) still
    prints the input's name on a filled card."""
    folder = tmp_path / "rb"
    folder.mkdir()
    (folder / "rulebook.yaml").write_text(
        "title: t\norganisation: {name: o}\nroles: {host: {name: 客服}}\n"
        "inputs:\n  project: {type: text, ask: 项目名称, default: XXXX}\n",
        encoding="utf-8",
    )
    (folder / "p.yaml").write_text(
        "id: p\ntitle: 迎宾\nkind: service\nroles: [host]\n"
        "inputs:\n  vip: {type: bool, ask: 是否贵宾?}\nstart: a\nsteps:\n"
        "  a:\n    title: 迎宾\n    role: host\n    say: ['{{ project }}欢迎您的光临']\n"
        "    end: done\n",
        encoding="utf-8",
    )
    out = sop("render", "script", "p", "--rulebook", str(folder), "--set", "vip=true")
    assert out.returncode == 0, out.stderr
    assert "「〔项目名称〕欢迎您的光临」" in out.stdout and "XXXX" not in out.stdout
