"""Where the bundled schemas and rulebook live, installed or in a checkout."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

# os.path, not pathlib, on the way to a path: `sop validate` answered from its
# cache imports this module and should not pay for pathlib.
_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def data_dir(name: str) -> str:
    installed = os.path.join(_PACKAGE, "data", name)
    if os.path.isdir(installed):
        return installed
    return os.path.join(os.path.dirname(_PACKAGE), name)  # a checkout or an editable install


def schema_path(name: str) -> Path:
    from pathlib import Path

    return Path(data_dir("schemas"), f"{name}.schema.json")


def bundled_rulebook() -> Path:
    from pathlib import Path

    return Path(data_dir("sops"))


def default_rulebook_dir(cwd: str | None = None) -> str:
    """`./sops` when the current folder has a rulebook there, else the bundled one."""
    local = os.path.join(cwd or os.getcwd(), "sops")
    if os.path.isfile(os.path.join(local, "rulebook.yaml")):
        return local
    return data_dir("sops")


def default_rulebook(cwd: Path | None = None) -> Path:
    from pathlib import Path

    return Path(default_rulebook_dir(str(cwd) if cwd else None))
