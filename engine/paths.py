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


_YAML_SUFFIXES = (".yaml", ".yml")


def unsafe_name(name: object) -> str | None:
    """Why `name` is not a plain file name of a rulebook folder as the
    validator reads it (None when it is): relative, "/"-separated, no "..",
    no hidden or empty parts, no backslash, drive letter or control
    character, ending in .yaml or .yml."""
    if not isinstance(name, str) or not name:
        return "empty"
    if len(name) > 1024:
        return "too-long"
    if "\\" in name:
        return "backslash"
    if name.startswith("/"):
        return "absolute"
    if ":" in name:
        return "drive"
    parts = name.split("/")
    if ".." in parts:
        return "parent"
    if not name.isprintable():
        return "control"
    if any(part in ("", ".") for part in parts):
        return "empty-part"
    if any(part.startswith(".") for part in parts):
        return "hidden"
    if not name.endswith(_YAML_SUFFIXES):
        return "not-yaml"
    return None


def in_layout(names: Iterable[str]) -> list[str]:
    """The names (plain, see `unsafe_name`) a rulebook folder holding them
    would give the validator, in `iter_yaml_files` order: files of a
    subfolder that holds its own rulebook.yaml belong to another rulebook."""
    names = list(names)
    nested = {n[: -len(RULEBOOK_FILE)] for n in names if n.endswith("/" + RULEBOOK_FILE)}

    def walk_order(name: str) -> list[tuple[int, str]]:
        *folders, file = name.split("/")
        return [(1, d) for d in folders] + [(0, file)]

    kept = [n for n in names if not any(n.startswith(prefix) for prefix in nested)]
    return sorted(kept, key=walk_order)
