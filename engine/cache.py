"""A content-hash cache of `sop validate` output, and of the part of a
rulebook `sop due` reads (`duties`).

The key covers the engine version, the output options and the content hash
of every file the validation would read (each requested folder's whole
rulebook), so an unchanged rulebook is answered without importing YAML,
Jinja2 or jsonschema. As git's index does, a file whose size and mtime_ns
are unchanged keeps its recorded hash, so a hit reads no file contents.
"""

from __future__ import annotations

import json
import os
from collections import OrderedDict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from engine import __version__

if TYPE_CHECKING:
    from engine.problems import Problem
    from engine.timetable import DutyPlan
    from engine.validate import Result


def directory() -> str:
    """Where sop keeps what it can compute again (the validation cache, the
    language server's previews): $SOP_CACHE_DIR, else the XDG cache folder."""
    return _dir()


def _dir() -> str:
    base = os.environ.get("SOP_CACHE_DIR")
    if base:
        return base
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (
        os.path.join(xdg, "sop") if xdg else os.path.expanduser(os.path.join("~", ".cache", "sop"))
    )


def _engine_stamp() -> str:
    """Sizes and mtimes of the engine's checks, messages and schemas: a
    working copy being edited (an editable install) keeps one version
    string while its rules change, and must not be answered from before."""
    import zlib

    from engine.resources import data_dir

    here = os.path.dirname(os.path.abspath(__file__))
    stamp: list[str] = []
    for folder in (here, os.path.join(here, "checks"), data_dir("schemas")):
        try:
            with os.scandir(folder) as entries:
                for e in entries:
                    if e.name.endswith((".py", ".json")):
                        st = e.stat()
                        stamp.append(f"{e.name}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            continue
    stamp.sort()
    return f"{zlib.crc32(chr(0).join(stamp).encode()):08x}"


def key_for(targets: list[str], options: str) -> str | None:
    from engine.paths import RULEBOOK_FILE, expand, find_root, iter_yaml_files

    files, missing = expand(targets)
    if missing:
        return None
    roots = {find_root(folder) for folder in {os.path.dirname(f) or "." for f in files}}
    named = set(files)
    for root in roots:
        if root is not None:
            named.update(iter_yaml_files(root, own_only=True))
    every = _real_paths(named)
    every.update(os.path.join(root, RULEBOOK_FILE) for root in roots if root is not None)
    manifest = _read_manifest()
    fresh: dict[str, list[object]] = {}
    parts = [__version__, _engine_stamp(), options, "|".join(targets)]
    for f in sorted(every):
        digest = _digest(f, manifest.get(f), fresh)
        if digest is None:
            return None  # unreadable: let the validator explain
        parts.append(f"{f}\0{digest}")
    if fresh:
        for path in fresh:
            manifest.pop(path, None)  # stamped again: now the newest
        _write_manifest({**manifest, **fresh})
    return "\n".join(parts)


def _real_paths(paths: set[str]) -> set[str]:
    """os.path.realpath of each path, each folder resolved once (a rulebook's
    files share a few folders; realpath checks every part of every path)."""
    folders: dict[str, str] = {}
    out: set[str] = set()
    for path in paths:
        folder, name = os.path.split(path)
        if not name or name in (".", "..") or os.path.islink(path):
            out.add(os.path.realpath(path))
            continue
        real = folders.get(folder)
        if real is None:
            real = folders[folder] = os.path.realpath(folder or ".")
        out.add(os.path.join(real, name))
    return out


def _file_for(key: str) -> str:
    """The entry's file name: a CRC of the key is enough to find it, since the
    entry stores the whole key and is used only when that matches (and zlib,
    unlike hashlib, costs nothing to import)."""
    import zlib

    crc = zlib.crc32(key.encode("utf-8", "surrogateescape"))
    return os.path.join(_dir(), "validate", f"{crc:08x}-{len(key)}.json")


def _digest(path: str, known: list[object] | None, fresh: dict[str, list[object]]) -> str | None:
    try:
        st = os.stat(path)
        if known and known[0] == st.st_size and known[1] == st.st_mtime_ns:
            return str(known[2])
        import hashlib  # only when a file changed: an unchanged tree never loads OpenSSL

        with open(path, "rb") as fh:
            digest = hashlib.sha256(fh.read()).hexdigest()
    except OSError:
        return None
    fresh[path] = [st.st_size, st.st_mtime_ns, digest]
    return digest


def _read_manifest() -> dict[str, list[object]]:
    try:
        with open(os.path.join(_dir(), "manifest.json"), encoding="utf-8") as fh:
            data = json.load(fh)
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_manifest(data: dict[str, list[object]]) -> None:
    if len(data) > MANIFEST_SIZE:  # the files stamped longest ago go first
        data = dict(list(data.items())[-MANIFEST_SIZE:])
    _atomic_write(os.path.join(_dir(), "manifest.json"), json.dumps(data))


# How much the cache keeps: without a bound, every folder a person ever
# validated (scratch copies, test folders) and every edit of a rulebook would
# stay on disk forever. Entries made longest ago are removed first; a removed
# one is only computed again.
MANIFEST_SIZE = 4096  # files' stamps
KEEP = {"validate": 512, "built": 48}  # entries per folder (a built rulebook is ~0.5 MB)


def _prune(folder: str) -> None:
    keep = KEEP.get(os.path.basename(folder))
    if keep is None:
        return
    try:
        entries = [(e.stat().st_mtime_ns, e.path) for e in os.scandir(folder) if e.is_file()]
    except OSError:
        return
    if len(entries) <= keep:
        return
    entries.sort()
    import contextlib

    for _, path in entries[: len(entries) - keep]:
        with contextlib.suppress(OSError):  # removed by another process already
            os.remove(path)


def _used(path: str) -> None:
    """An entry just used counts as new: the ones in use are kept longest."""
    import contextlib

    with contextlib.suppress(OSError):
        os.utime(path)


def _atomic_write(target: str, text: str) -> None:
    try:
        folder, name = os.path.split(target)
        os.makedirs(folder, exist_ok=True)
        tmp = os.path.join(folder, f".{name}.{os.getpid()}.tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except OSError:
        return  # a read-only home still validates, just without the cache
    _prune(folder)


def get(key: str | None) -> tuple[str, int] | None:
    if key is None:
        return None
    try:
        with open(_file_for(key), encoding="utf-8") as fh:
            data = json.load(fh)
        if data["key"] != key:
            return None
        return str(data["out"]), int(data["code"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def put(key: str | None, out: str, code: int) -> None:
    if key is not None:
        _atomic_write(
            _file_for(key),
            json.dumps({"key": key, "out": out, "code": code}, ensure_ascii=False),
        )


# ---- the rulebook as `sop due` reads it

_DUTIES = "duties 4"  # what the entry holds; changed when the trimming changes


class Duties(NamedTuple):
    """What the call list reads of a rulebook."""

    roles: dict[str, str]  # id -> title: what --role may name
    # Its scheduled procedures and the site they are done at; None when no
    # procedure has a schedule.
    plan: DutyPlan | None


def duties(folder: str) -> Duties:
    """The rulebook in `folder` as the call list reads it — `RulebookError`
    when it has errors, as `load_rulebook` says.

    Validating a whole rulebook to learn that none of its procedures has a
    schedule cost `sop due` most of its time. The part it reads is kept
    under the same key as a validation (the engine's version and sources,
    and the content hash of every file the validation reads, taken again
    only for a file whose size or mtime changed), so an edited rulebook is
    validated again; only a rulebook without errors is kept. The entry is
    JSON naming engine.timetable's few types (`_plain`), read back into
    them: neither the whole model's types nor pickle (2 ms to import) are
    loaded to read it, and reading it runs no code the file names."""
    from engine.timetable import DutyPlan

    key = key_for([folder], _DUTIES)
    target = _file_for(key)[: -len(".json")] + ".duties.json" if key is not None else None
    if key is not None and target is not None:
        try:
            with open(target, encoding="utf-8") as fh:
                kept, roles, plan = json.load(fh)
            typed = _typed(plan)
            if kept == key and isinstance(roles, dict) and isinstance(typed, DutyPlan | None):
                _used(target)
                return Duties(roles, typed)
        except (OSError, ValueError, TypeError, KeyError, IndexError):
            pass  # absent, cut short, or of another shape: loaded again
    from engine.runtime.calls import duty_plan
    from engine.validate import load_rulebook

    full = load_rulebook(folder)
    found = Duties({rid: r.name for rid, r in full.roles.items()}, duty_plan(full))
    if key is not None and target is not None:
        try:
            text = json.dumps([key, found.roles, _plain(found.plan)], ensure_ascii=False)
        except TypeError:
            return found  # not kept: validated again next time
        _atomic_write(target, text)
    return found


def _kinds() -> dict[str, type]:
    """The types a kept plan is made of, by name."""
    from engine.positions import Pos
    from engine.timetable import Duty, DutyPlan, Holiday, Hours, Ref, Schedule, Site

    return {t.__name__: t for t in (Pos, Ref, Hours, Holiday, Site, Schedule, Duty, DutyPlan)}


def _plain(value: object) -> object:
    """A plan as JSON: a value of one of `_kinds` as ["R", its name, its
    fields in order], a tuple as ["T", …], a mapping as ["D", [[key, value],
    …]]. Anything else is refused (TypeError): the plan is then not kept."""
    import dataclasses

    if value is None or isinstance(value, (str, int)):
        return value
    kind = type(value).__name__
    if _kinds().get(kind) is type(value):
        if dataclasses.is_dataclass(value):
            fields = dataclasses.fields(value)
            if not all(f.init for f in fields):
                raise TypeError(kind)
            parts = [getattr(value, f.name) for f in fields]
        else:
            assert isinstance(value, tuple)
            parts = list(value)
        return ["R", kind, *(_plain(p) for p in parts)]
    if type(value) is tuple:
        return ["T", *(_plain(p) for p in value)]
    if isinstance(value, dict):
        return ["D", [[str(k), _plain(v)] for k, v in value.items()]]
    raise TypeError(kind)


def _typed(data: object, kinds: dict[str, type] | None = None) -> Any:
    """A plan from `_plain`'s JSON (ValueError, TypeError, KeyError or
    IndexError when it is not one)."""
    kinds = kinds if kinds is not None else _kinds()
    if not isinstance(data, list):
        return data
    tag = data[0]
    if tag == "R":
        return kinds[data[1]](*(_typed(p, kinds) for p in data[2:]))
    if tag == "T":
        return tuple(_typed(p, kinds) for p in data[1:])
    if tag == "D":
        return {str(k): _typed(v, kinds) for k, v in data[1]}
    raise ValueError(tag)


def _atomic_write_bytes(target: str, data: bytes) -> None:
    try:
        folder, name = os.path.split(target)
        os.makedirs(folder, exist_ok=True)
        tmp = os.path.join(folder, f".{name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except OSError:
        return  # a read-only home still lists, just without the cache
    _prune(folder)


# ---- a rulebook built from its texts

_BUILT = "built 2"  # what the entry holds; changed when its shape changes


def validated(files: Mapping[str, str | Problem], folder: str = "") -> Result:
    """`validate_texts(files, folder)`, answered from the cache when the same
    texts, read from the same folder by the same engine, were validated
    before: starting a run or printing a script then costs a read and a hash
    instead of a validation. Only a result that built a rulebook is kept (it
    holds that rulebook, so nothing is built again); texts any file could
    not be read for are validated every time. The entry is a pickle: the
    cache folder is the user's own, as trusted as the `__pycache__` Python
    itself runs code from."""
    import pickle

    from engine.validate import validate_texts

    if not all(isinstance(text, str) for text in files.values()):
        return validate_texts(files, folder)
    import zlib

    key = _built_key(files, folder)
    known = _MEMO.get(key)
    if known is not None:
        _MEMO.move_to_end(key)
        return known
    crc = zlib.crc32(key.encode("utf-8", "surrogateescape"))
    target = os.path.join(_dir(), "built", f"{crc:08x}.pickle")
    try:
        with open(target, "rb") as fh:
            kept, result = pickle.load(fh)
        if kept == key:
            _used(target)
            return _remember(key, result)
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError):
        pass  # absent, cut short, or of another shape: validated again
    except (AttributeError, ImportError):
        pass  # names what this engine no longer has
    result = validate_texts(files, folder)
    if result.rulebooks:
        try:
            data = pickle.dumps((key, result), pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return result  # not kept: validated again next time
        _atomic_write_bytes(target, data)
        _remember(key, result)
    return result


# The last results this process validated or read from the cache: a program
# that loads the same rulebook again (`sop serve` resuming runs, the language
# server, a test suite) neither validates nor unpickles it again. Sound: the
# key is the texts' content, and a built rulebook is frozen (never changed
# by its readers).
_MEMO: OrderedDict[str, Result] = OrderedDict()
_MEMO_SIZE = 4


def _remember(key: str, result: Result) -> Result:
    _MEMO[key] = result
    while len(_MEMO) > _MEMO_SIZE:
        _MEMO.popitem(last=False)
    return result


def _built_key(files: Mapping[str, str | Problem], folder: str) -> str:
    import hashlib

    digest = hashlib.sha256()
    for name in sorted(files):
        text = files[name]
        assert isinstance(text, str)
        for part in (name, text):
            raw = part.encode("utf-8", "surrogateescape")
            digest.update(len(raw).to_bytes(8, "big") + raw)
    return "\n".join([_BUILT, __version__, _engine_stamp(), folder, digest.hexdigest()])
