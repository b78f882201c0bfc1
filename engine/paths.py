"""Which files a validation reads. Only `os`: a cached `sop validate`
answers from here without importing the model, YAML or even pathlib."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

RULEBOOK_FILE = "rulebook.yaml"


def iter_yaml_files(root: str, own_only: bool = False) -> Iterator[str]:
    """Every *.yaml / *.yml under a folder, sorted, not following symlinked
    folders. With `own_only`, subfolders that hold a rulebook.yaml of their
    own (another rulebook) are left out."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith(".")
            and not (own_only and os.path.isfile(os.path.join(dirpath, d, RULEBOOK_FILE)))
        )
        for name in sorted(filenames):
            if name.endswith((".yaml", ".yml")) and not name.startswith("."):
                yield os.path.join(dirpath, name)


def find_root(path: str) -> str | None:
    """The nearest folder at or above `path` that holds a rulebook.yaml."""
    here = os.path.realpath(path)
    folder = here if os.path.isdir(here) else os.path.dirname(here)
    while True:
        if os.path.isfile(os.path.join(folder, RULEBOOK_FILE)):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def expand(paths: Iterable[str]) -> tuple[list[str], list[str]]:
    """(files, missing): files named and YAML files under folders named, in
    order, once each; and the names that exist as neither."""
    files: list[str] = []
    missing: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            files.extend(os.path.normpath(f) for f in iter_yaml_files(path))
        elif os.path.lexists(path) or path.endswith((".yaml", ".yml")):
            files.append(path)
        else:
            missing.append(path)
    return list(dict.fromkeys(files)), missing
