"""Golden cases: every file under tests/cases/err has exactly the expected
`sop validate` output (Chinese: NAME.out, English: NAME.en.out); every file
under tests/cases/ok validates clean. Refresh deliberately with
`pytest tests/test_golden_cases.py --update` and review the diff."""

from __future__ import annotations

import pytest

from tests.conftest import CASES, Runner
from tests.runtime_support import sop_split

ERR = CASES / "err"
OK = CASES / "ok"


def _err_cases() -> list[str]:
    names = [
        p.name
        for p in sorted(ERR.iterdir())
        if (p.suffix == ".yaml" and p.name != "rulebook.yaml") or p.is_dir()
    ]
    return names


@pytest.mark.parametrize("name", _err_cases())
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_err_case(name: str, lang: str, update: bool) -> None:
    stem = name.removesuffix(".yaml")
    code, stdout, stderr = sop_split(
        "validate", "--no-cache", "--no-color", "--lang", lang, name, cwd=ERR
    )
    assert code in (0, 1), stderr
    assert "Traceback" not in stderr
    expected = ERR / (f"{stem}.out" if lang == "zh" else f"{stem}.en.out")
    if update:
        expected.write_text(stdout, encoding="utf-8")
    assert stdout == expected.read_text(encoding="utf-8")
    assert stdout.count("[") >= 1, "an err case must report a problem"


def _ok_cases() -> list[str]:
    return [p.name for p in sorted(OK.iterdir()) if p.suffix == ".yaml"]


@pytest.mark.parametrize("name", _ok_cases())
def test_ok_case(name: str) -> None:
    code, stdout, stderr = sop_split(
        "validate", "--no-cache", "--no-color", "--strict", name, cwd=OK
    )
    assert code == 0, stdout + stderr
    assert "没有发现问题" in stdout


def test_ok_folder_is_clean_as_a_whole(sop: Runner) -> None:
    """The whole folder through a real process, as a designer runs it."""
    result = sop("validate", "--no-cache", "--strict", str(OK))
    assert result.returncode == 0, result.stdout


def test_every_rule_has_an_err_case() -> None:
    """Each check and each loader rule is exercised by some golden case."""
    from engine.checks import registry

    outputs = "".join(p.read_text(encoding="utf-8") for p in ERR.glob("*.out"))
    untested = {"file-too-large", "missing-rulebook", "yaml-key"}  # see test_loader
    missing = [r for r in registry() if f"[{r}]" not in outputs and r not in untested]
    assert not missing, f"rules without a golden err case: {missing}"
