"""A content-hash cache of `sop validate` output.

The key covers the engine version, the output options and the bytes of every
file the validation would read (each requested folder's whole rulebook), so an
unchanged rulebook is answered without importing YAML, Jinja2 or jsonschema.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from engine import __version__


def _dir() -> Path:
    base = os.environ.get("SOP_CACHE_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return Path(xdg) / "sop" if xdg else Path.home() / ".cache" / "sop"


def key_for(targets: list[str], options: str) -> str | None:
    from engine.source import iter_yaml_files
    from engine.validate import RULEBOOK_FILE, expand, find_root

    files, missing = expand(targets)
    if missing:
        return None
    roots = {find_root(f) for f in files}
    every = set(files)
    for root in roots:
        if root is not None:
            every.update(iter_yaml_files(root, own_only=True))
            every.add(os.path.join(root, RULEBOOK_FILE))
    h = hashlib.sha256(f"{__version__}\0{options}\0{'|'.join(targets)}\0".encode())
    for f in sorted(every):
        try:
            with open(f, "rb") as fh:
                data = fh.read(2 * 1024 * 1024)
        except OSError:
            return None  # let the validator explain
        h.update(f.encode("utf-8", "surrogateescape") + b"\0")
        h.update(hashlib.sha256(data).digest())
    return h.hexdigest()


def get(key: str | None) -> tuple[str, int] | None:
    if key is None:
        return None
    try:
        with open(_dir() / "validate" / f"{key}.json", encoding="utf-8") as fh:
            data = json.load(fh)
        return str(data["out"]), int(data["code"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def put(key: str | None, out: str, code: int) -> None:
    if key is None:
        return
    folder = _dir() / "validate"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{key}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps({"out": out, "code": code}, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, folder / f"{key}.json")
    except OSError:
        pass  # a read-only home still validates, just without the cache
