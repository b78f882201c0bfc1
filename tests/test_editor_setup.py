"""What a designer's repository uses from an installed sop: the pre-commit
hook (run as pre-commit runs it: its entry with the committed files) and
the schemas' place (`sop schema path`)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import yaml

from tests.conftest import ROOT, Runner

HOOKS = ROOT / ".pre-commit-hooks.yaml"


def hook() -> dict[str, object]:
    hooks = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert isinstance(hooks, list) and len(hooks) == 1
    got: dict[str, object] = hooks[0]
    return got


def test_the_hook_validates_the_committed_files(tmp_path: Path, sop: Runner) -> None:
    spec = hook()
    assert spec["id"] == "sop-validate" and spec["language"] == "python"
    entry = shlex.split(str(spec["entry"]))
    assert entry[:2] == ["sop", "validate"]
    book = tmp_path / "sops"
    book.mkdir()
    for name in ("rulebook.yaml", "show-flat.yaml", "shuttle.yaml"):
        (book / name).write_text((ROOT / "sops" / name).read_text(encoding="utf-8"), "utf-8")
    ok = sop(*entry[1:], "sops/show-flat.yaml", cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout
    show_flat = book / "show-flat.yaml"
    show_flat.write_text(
        show_flat.read_text(encoding="utf-8").replace("next: shoe_covers", "next: shoe_cover"),
        "utf-8",
    )
    bad = sop(*entry[1:], "sops/show-flat.yaml", cwd=tmp_path)
    assert bad.returncode == 1
    assert "sops/show-flat.yaml:" in bad.stdout and "[unknown-step]" in bad.stdout
    assert "\x1b[" not in bad.stdout


def test_the_hook_leaves_hidden_files_alone() -> None:
    spec = hook()
    exclude = re.compile(str(spec["exclude"]))
    for hidden in (".pre-commit-config.yaml", ".github/workflows/ci.yml", "sops/.draft.yaml"):
        assert exclude.search(hidden), hidden
    for shown in ("sops/rulebook.yaml", "sops/night/patrol.yaml", "rulebook.yaml"):
        assert not exclude.search(shown), shown


def test_schema_path_names_the_installed_schemas(sop: Runner) -> None:
    folder = sop("schema", "path")
    assert folder.returncode == 0, folder.stderr
    where = Path(folder.stdout.strip())
    assert where.is_absolute() and (where / "sop.schema.json").is_file()
    for name in ("sop", "rulebook"):
        one = sop("schema", "path", name)
        path = Path(one.stdout.strip())
        assert path == where / f"{name}.schema.json"
        shipped = json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text("utf-8"))
        assert json.loads(path.read_text(encoding="utf-8")) == shipped
    unknown = sop("schema", "path", "nope")
    assert unknown.returncode == 2
