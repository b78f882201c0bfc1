"""Where the bundled schemas and rulebook live, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    installed = _PACKAGE / "data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name  # a source checkout or an editable install


def schema_path(name: str) -> Path:
    return _data_dir("schemas") / f"{name}.schema.json"


def bundled_rulebook() -> Path:
    return _data_dir("sops")


def default_rulebook(cwd: Path | None = None) -> Path:
    """`./sops` when the current folder has a rulebook there, else the bundled one."""
    local = (cwd or Path.cwd()) / "sops"
    if (local / "rulebook.yaml").is_file():
        return local
    return bundled_rulebook()
