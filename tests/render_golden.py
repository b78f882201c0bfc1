"""Golden files for the renderers (tests/golden/render/…).

A golden file is the exact expected output. When output changes on purpose,
refresh them deliberately and review the diff before committing:

    pytest tests/test_render_*.py --update        # or SOP_UPDATE_GOLDEN=1 pytest …

A missing golden file fails the test (it is written, so the next run passes
once it has been reviewed and added to git). Outputs are rendered with a
fixed SOURCE_DATE_EPOCH so the manual's print date is stable.
"""

from __future__ import annotations

import difflib
import os
import shutil
from functools import lru_cache
from pathlib import Path

import pytest

from engine.model import Rulebook
from engine.validate import load_rulebook
from tests.conftest import ROOT

GOLDEN = ROOT / "tests" / "golden" / "render"
# The bundled rulebook; SOP_RENDER_SOPS points elsewhere, e.g. at an export of
# the committed sops/ while colleagues have uncommitted edits in the checkout.
BUNDLED = Path(os.environ.get("SOP_RENDER_SOPS") or ROOT / "sops")
MINI = ROOT / "tests" / "fixtures" / "render_mini"

# Graphviz's `dot` checks our DOT output. Developers without it skip those
# tests; CI installs it (.ci/run) and, with CI set, a missing `dot` fails.
needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None and not os.environ.get("CI"),
    reason="Graphviz not installed (apt-get install graphviz)",
)
EPOCH = "1795046400"  # 2026-11-19: the print date on every golden manual


@pytest.fixture(autouse=False)
def fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    """Render as on a fixed day (the manual prints its date)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


@lru_cache(maxsize=4)
def rulebook(folder: Path) -> Rulebook:
    return load_rulebook(folder)


def bundled_ids() -> list[str]:
    """Every bundled procedure present now (colleagues keep adding them)."""
    return sorted(rulebook(BUNDLED).procedures)


def role_ids() -> list[str]:
    return sorted(rulebook(BUNDLED).roles)


def updating(flag: bool) -> bool:
    return flag or os.environ.get("SOP_UPDATE_GOLDEN", "") not in ("", "0")


def check(name: str, actual: str, update: bool) -> None:
    path = GOLDEN / name
    if updating(update) or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        created = not path.exists()
        path.write_text(actual, encoding="utf-8")
        if created and not updating(update):
            pytest.fail(f"golden file {name} was missing and has been written; review it")
        return
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(
            list(
                difflib.unified_diff(
                    expected.splitlines(keepends=True),
                    actual.splitlines(keepends=True),
                    f"golden/{name}",
                    "actual",
                )
            )[:80]
        )
        pytest.fail(f"{name} differs from its golden file (pytest --update to accept):\n{diff}")


def stale(kind: str, wanted: set[str]) -> list[str]:
    """Golden files of `kind` that no test produces any more (a removed procedure)."""
    folder = GOLDEN / kind
    if not folder.is_dir():
        return []
    return sorted(
        str(p.relative_to(GOLDEN))
        for p in folder.rglob("*")
        if p.is_file() and str(p.relative_to(GOLDEN)) not in wanted
    )
