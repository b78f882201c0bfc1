"""The command line as a designer uses it, through the installed entry point."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import engine
from tests.conftest import CASES, ROOT, Runner


def test_version(sop: Runner) -> None:
    result = sop("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"sop {engine.__version__}"


def test_tests_run_against_the_installed_package() -> None:
    if os.environ.get("SOP_TEST_INSTALLED"):
        assert ROOT not in Path(engine.__file__).resolve().parents, engine.__file__


def test_validate_without_path_checks_the_bundled_rulebook(sop: Runner, tmp_path: Path) -> None:
    result = sop("validate", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "没有发现问题" in result.stdout or "个警告" in result.stdout


def test_validate_prefers_a_local_sops_folder(sop: Runner, tmp_path: Path) -> None:
    shutil.copytree(CASES / "ok", tmp_path / "sops")
    result = sop("validate", "--format", "json", cwd=tmp_path)
    assert json.loads(result.stdout)["files"] == len(list((CASES / "ok").glob("*.yaml")))


def test_exit_codes(sop: Runner) -> None:
    assert sop("validate", "ok", cwd=CASES).returncode == 0
    assert sop("validate", "err/unknown-step.yaml", cwd=CASES).returncode == 1
    assert sop("validate", "--no-such-option", cwd=CASES).returncode == 2
    warn = sop("validate", "err/unused-input.yaml", cwd=CASES)
    assert warn.returncode == 0 and "warning:" in warn.stdout
    assert sop("validate", "--strict", "err/unused-input.yaml", cwd=CASES).returncode == 1


def test_all_problems_sorted_by_file_and_position(sop: Runner) -> None:
    result = sop(
        "validate",
        "--format",
        "json",
        "err/unknown-step.yaml",
        "err/dead-end.yaml",
        "err/duplicate-key.yaml",
        cwd=CASES,
    )
    items = json.loads(result.stdout)["problems"]
    keys = [(p["file"], p["line"], p["column"]) for p in items]
    assert keys == sorted(keys) and len({p["file"] for p in items}) == 3


def test_json_and_github_formats(sop: Runner) -> None:
    doc = json.loads(sop("validate", "--format", "json", "err/unknown-step.yaml", cwd=CASES).stdout)
    (problem,) = doc["problems"]
    assert problem == {
        "file": "err/unknown-step.yaml",
        "line": 18,
        "column": 11,
        "end_line": 18,
        "end_column": 18,
        "severity": "error",
        "rule": "unknown-step",
        "message": problem["message"],
        "fix": {"line": 18, "column": 11, "end_line": 18, "end_column": 18, "text": "farewell"},
    }
    assert "farewell" in problem["message"]
    gh = sop("validate", "--format", "github", "err/unknown-step.yaml", cwd=CASES).stdout
    assert gh.startswith("::error file=err/unknown-step.yaml,line=18,col=11,title=unknown-step::")


def test_english_by_flag_and_by_lang(sop: Runner) -> None:
    by_flag = sop("validate", "--lang", "en", "err/unknown-step.yaml", cwd=CASES).stdout
    by_env = sop("validate", "err/unknown-step.yaml", cwd=CASES, env={"LANG": "en_US.UTF-8"}).stdout
    assert "does not exist" in by_flag and by_flag == by_env


def test_cache_answers_unchanged_files_and_notices_changes(sop: Runner, tmp_path: Path) -> None:
    shutil.copytree(CASES / "ok", tmp_path / "rb")
    first = sop("validate", "rb", cwd=tmp_path)
    assert sop("validate", "rb", cwd=tmp_path).stdout == first.stdout
    target = tmp_path / "rb" / "helper.yaml"
    target.write_text(
        target.read_text(encoding="utf-8").replace("end: delivered", "end: x y"), encoding="utf-8"
    )
    changed = sop("validate", "rb", cwd=tmp_path)
    assert changed.returncode == 1 and "helper.yaml" in changed.stdout


def test_list(sop: Runner) -> None:
    result = sop("list", str(CASES / "ok"))
    assert result.returncode == 0
    assert "emergency" in result.stdout and "火情处理" in result.stdout
    rows = json.loads(sop("list", "--format", "json", str(CASES / "ok")).stdout)
    assert {r["id"] for r in rows} >= {"features", "helper", "journey"}


def test_list_refuses_a_broken_rulebook_with_its_problems(sop: Runner) -> None:
    result = sop("list", str(CASES / "err" / "duplicate-id"))
    assert result.returncode == 1 and "[duplicate-id]" in result.stderr


def test_python_dash_m(tmp_path: Path) -> None:
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "engine", "--version"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.startswith("sop ")


def test_hostile_bytes_through_the_cli_never_exit_3(sop: Runner, tmp_path: Path) -> None:
    import random

    rng = random.Random(7)
    (tmp_path / "rulebook.yaml").write_text(
        (CASES / "err" / "rulebook.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    for i in range(15):
        blob = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
        (tmp_path / f"x{i}.yaml").write_bytes(blob)
    result = sop("validate", str(tmp_path))
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr
