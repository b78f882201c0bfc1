"""Every example's transcript, script and checklist is exactly what its
scenario and the bundled rulebook produce now. Refresh deliberately with
`python examples/build.py` and review the diff."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"


def _builder(path: str = "build.py"):  # type: ignore[no-untyped-def]
    name = "examples_" + path.replace("/", "_").removesuffix(".py").replace("-", "_")
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BUILD = _builder()


def test_every_bundled_procedure_has_an_example() -> None:
    folders = sorted(
        p.name
        for p in EXAMPLES.iterdir()
        if p.is_dir() and p.name != "call-list" and not p.name.startswith(("_", "."))
    )
    assert folders == BUILD.procedures()


@pytest.mark.parametrize("pid", BUILD.procedures())
def test_example_outputs_are_current(pid: str) -> None:
    folder = EXAMPLES / pid
    fresh = BUILD.outputs(pid, folder / "scenario.yaml")
    for name, text in fresh.items():
        assert (folder / name).read_text(encoding="utf-8") == text, f"{pid}/{name} is stale"
    assert "已完成" in fresh["transcript.txt"], "the scenario must walk the procedure to an end"


def test_the_call_list_example_is_current(tmp_path: Path, store: str) -> None:
    """A fresh journal of paused journeys gives, byte for byte, the committed
    list for --at 2026-11-23 (whatever today is), from either store."""
    builder = _builder("call-list/build.py")
    builder.build(tmp_path, store if "://" in store else None)
    for name in ("call-list.txt", "call-list.csv", "call-centre.txt"):
        made = (tmp_path / name).read_bytes()
        assert made == (EXAMPLES / "call-list" / name).read_bytes(), (
            f"examples/call-list/{name} is stale: run python examples/call-list/build.py"
        )
    journeys = {pid for _, _, pid, _, _ in builder.CUSTOMERS}
    assert journeys == {p for p in BUILD.procedures() if "kind: journey" in _rulebook(p)}
    listed = (tmp_path / "call-list.txt").read_text(encoding="utf-8")
    for state in ("已超时", "今天", "将到期"):
        assert f"\n{state}\n" in listed


def _rulebook(pid: str) -> str:
    return (ROOT / "sops" / f"{pid}.yaml").read_text(encoding="utf-8")
