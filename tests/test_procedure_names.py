"""A procedure named by its id, its YAML file or its title, the same in every
command that takes one (engine/procedure_names.py); what names none is said
in one message, golden in both languages."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from engine.errors import UsageError
from engine.procedure_names import find_procedure
from engine.validate import load_rulebook
from tests.runtime_support import BUNDLED, FIXTURE, VISIT_HAPPY, sop_split, write_scenario


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A folder as a designer has it: the rulebook in sops/, another
    rulebook beside it, and a file that is no rulebook's."""
    shutil.copytree(FIXTURE, tmp_path / "sops")
    shutil.copytree(FIXTURE, tmp_path / "other")
    (tmp_path / "notes.yaml").write_text("a: 1\n", encoding="utf-8")
    return tmp_path


def sop(site: Path, *args: str, cwd: str = "") -> tuple[int, str, str]:
    journal = ("--journal", str(site / "journal.db")) if args[0] in ("run", "runs") else ()
    return sop_split(*args, *journal, cwd=site / cwd)


# ---- every way of naming it, in every command that takes one

NAMES = [
    "visit",
    "sops/visit.yaml",
    "./sops/visit.yaml",
    "sops/../sops/visit.yaml",
    "样板房服务流程",
    "《样板房服务流程》",
    "樣板房服務流程",  # as a zh-TW card prints it
]


@pytest.mark.parametrize("name", NAMES)
def test_render_script_takes_the_id_the_file_or_the_title(site: Path, name: str) -> None:
    code, out, err = sop(site, "render", "script", name)
    assert (code, err) == (0, "")
    assert out.startswith("话术卡 · 样板房服务流程\n")


def test_the_file_by_its_absolute_path_and_from_inside_the_folder(site: Path) -> None:
    code, out, _ = sop(site, "graph", str(site / "sops" / "visit.yaml"))
    assert code == 0 and out.startswith("flowchart")
    code, out, err = sop(site, "render", "checklist", "visit.yaml", "-R", ".", cwd="sops")
    assert code == 0, err
    assert "样板房服务流程" in out.splitlines()[0]


@pytest.mark.parametrize("name", ["sops/visit.yaml", "样板房服务流程"])
def test_graph_takes_the_file_and_the_title(site: Path, name: str) -> None:
    assert sop(site, "graph", name)[1] == sop(site, "graph", "visit")[1]


@pytest.mark.parametrize("name", ["sops/visit.yaml", "样板房服务流程"])
def test_run_takes_the_file_and_the_title_and_records_the_id(site: Path, name: str) -> None:
    scenario = write_scenario(site, "happy", VISIT_HAPPY)  # written for "visit"
    code, out, err = sop(site, "run", name, "--answers", str(scenario))
    assert code == 0, out + err
    code, out, _ = sop(site, "runs", "--procedure", "visit", "--format", "json")
    assert code == 0 and '"procedure": "visit"' in out


def test_simulate_takes_the_file(site: Path) -> None:
    code, out, err = sop(site, "simulate", "sops/visit.yaml", "--format", "json")
    assert code == 0, out + err
    assert '"procedure": "visit"' in out


# ---- what names none: golden, zh and en

WRONG = [
    (
        ["render", "script", "visti"],
        '规则手册中没有流程 "visti"。是不是 "visit"?\n可写编号、标题或流程的 YAML 文件, '
        "如: visit, night, shuttle, fire, journey … (共 6 个); 全部流程: sop list sops\n",
        'the rulebook has no procedure "visti". did you mean "visit"?\nname one by its id, '
        "title or YAML file, such as: visit, night, shuttle, fire, journey … (6 in all); "
        "every one: sop list sops\n",
    ),
    (
        ["graph", "样板房服务"],
        '规则手册中没有流程 "样板房服务"。是不是 "样板房服务流程"?\n可写编号、标题或流程的 YAML '
        "文件, 如: visit, shuttle, fire, journey, night … (共 6 个); 全部流程: sop list sops\n",
        'the rulebook has no procedure "样板房服务". did you mean "样板房服务流程"?\nname one by '
        "its id, title or YAML file, such as: visit, shuttle, fire, journey, night … (6 in all); "
        "every one: sop list sops\n",
    ),
    (
        ["render", "script", "sops/rulebook.yaml"],
        '"sops/rulebook.yaml" 不是这本规则手册的流程文件: 它是规则手册本身的设置 (rulebook.yaml), '
        "不含流程。\n规则手册读自 sops, 其中的流程: sop list sops\n",
        '"sops/rulebook.yaml" is not a procedure file of this rulebook: it is the rulebook\'s '
        "own settings (rulebook.yaml), which hold no procedure.\nthe rulebook was read from sops; "
        "its procedures: sop list sops\n",
    ),
    (
        ["run", "sops/vist.yaml"],
        '"sops/vist.yaml" 不是这本规则手册的流程文件: 没有这个文件。是不是 "sops/visit.yaml"?\n'
        "规则手册读自 sops, 其中的流程: sop list sops\n",
        '"sops/vist.yaml" is not a procedure file of this rulebook: there is no such file. '
        'did you mean "sops/visit.yaml"?\nthe rulebook was read from sops; its procedures: '
        "sop list sops\n",
    ),
    (
        ["graph", "visit.yaml"],  # the file, but typed from the folder above it
        '"visit.yaml" 不是这本规则手册的流程文件: 没有这个文件。是不是 "sops/visit.yaml"?\n'
        "规则手册读自 sops, 其中的流程: sop list sops\n",
        '"visit.yaml" is not a procedure file of this rulebook: there is no such file. '
        'did you mean "sops/visit.yaml"?\nthe rulebook was read from sops; its procedures: '
        "sop list sops\n",
    ),
    (
        ["simulate", "other/visit.yaml"],
        '"other/visit.yaml" 不是这本规则手册的流程文件: 它属于另一本规则手册 (other), '
        "用 -R other 读那一本。\n规则手册读自 sops, 其中的流程: sop list sops\n",
        '"other/visit.yaml" is not a procedure file of this rulebook: it belongs to another '
        "rulebook (other); read that one with -R other.\nthe rulebook was read from sops; "
        "its procedures: sop list sops\n",
    ),
    (
        ["render", "checklist", "notes.yaml"],
        '"notes.yaml" 不是这本规则手册的流程文件: 它不在规则手册的文件夹中。\n规则手册读自 sops, '
        "其中的流程: sop list sops\n",
        '"notes.yaml" is not a procedure file of this rulebook: it is not in the rulebook\'s '
        "folder.\nthe rulebook was read from sops; its procedures: sop list sops\n",
    ),
]


@pytest.mark.parametrize(("argv", "zh", "en"), WRONG)
def test_what_names_no_procedure_says_why_in_both_languages(
    site: Path, argv: list[str], zh: str, en: str
) -> None:
    assert sop(site, *argv, "-R", "sops") == (2, "", zh)
    assert sop(site, *argv, "-R", "sops", "--lang", "en") == (2, "", en)


def test_a_title_two_procedures_share_lists_them_by_file(site: Path) -> None:
    text = (site / "sops" / "visit.yaml").read_text(encoding="utf-8")
    copy = text.replace("id: visit\n", "id: visit-copy\n", 1)
    (site / "sops" / "visit-copy.yaml").write_text(copy, encoding="utf-8")
    zh = (
        '"样板房服务流程" 是 2 个流程的标题: visit (sops/visit.yaml), '
        "visit-copy (sops/visit-copy.yaml)。请写编号或文件\n"
    )
    en = (
        '"样板房服务流程" is the title of 2 procedures: visit (sops/visit.yaml), '
        "visit-copy (sops/visit-copy.yaml). name one by its id or file\n"
    )
    assert sop(site, "render", "script", "样板房服务流程") == (2, "", zh)
    assert sop(site, "render", "script", "样板房服务流程", "--lang", "en") == (2, "", en)
    assert sop(site, "render", "script", "sops/visit-copy.yaml")[0] == 0


def test_every_offered_command_works(site: Path) -> None:
    code, out, _ = sop(site, "list", "sops")
    assert code == 0 and "visit" in out
    code, out, _ = sop(site, "graph", "visit", "-R", "other")
    assert code == 0


# ---- the resolver itself


def test_the_list_of_ids_is_short_nearest_first() -> None:
    bundled = load_rulebook(str(BUNDLED))
    with pytest.raises(UsageError) as caught:
        find_procedure(bundled, "sales-recepton")
    said = caught.value.message
    assert 'did you mean "sales-reception"' in said or '是不是 "sales-reception"' in said
    known = said.splitlines()[1].split(": ")[1].split(" … ")[0].split(", ")
    assert known[0] == "sales-reception" and len(known) == 5
    assert f"({len(bundled.procedures)}" in said or f"共 {len(bundled.procedures)} 个" in said


def test_an_id_always_wins_over_a_title() -> None:
    rulebook = load_rulebook(str(FIXTURE))
    visit = rulebook.procedures["visit"]
    titled = replace(rulebook.procedures["fire"], title="visit")
    rulebook = replace(rulebook, procedures={**rulebook.procedures, "fire": titled})
    assert find_procedure(rulebook, "visit") is visit
    assert find_procedure(rulebook, " 意外停电 ") is rulebook.procedures["power"]
