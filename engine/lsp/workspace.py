"""A rulebook folder as the editor sees it: the files on disk with the
editor's open buffers in their place, validated as one unit.

`Folder.validate()` runs `validate_texts` over every file of the folder
(a memo answers each file whose text is unchanged), so a change in one file
shows its effect on every other; `Folder.index()` is the symbol index of
the models the last validation built (a file that no longer builds keeps
its last model, with positions checked against its current text).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from engine.lsp.symbols import Index, build_index
from engine.model import Procedure, Rulebook
from engine.paths import RULEBOOK_FILE, find_root, iter_yaml_files, unsafe_name
from engine.problems import Pos, Problem
from engine.source import MAX_FILE_BYTES, decode, read_bytes
from engine.validate import Memo, validate_texts


@dataclass
class Validation:
    """What one validation found: problems by file (every file of the folder
    has an entry, empty when clean) and the texts it read."""

    problems: dict[str, list[Problem]]
    texts: dict[str, str]
    versions: dict[str, int]  # open buffers: the editor's version of the text read


@dataclass
class Folder:
    root: str  # the rulebook folder (real path)
    buffers: dict[str, str] = field(default_factory=dict)  # open files: path -> text
    versions: dict[str, int] = field(default_factory=dict)  # open files: path -> version
    memo: Memo = field(default_factory=Memo)
    last: Validation | None = None
    _disk: dict[str, tuple[int, int, str | Problem]] = field(default_factory=dict)
    _good: dict[str, tuple[Procedure, str]] = field(default_factory=dict)
    _good_head: Rulebook | None = None
    _unbuilt: list[str] = field(default_factory=list)
    _index: Index | None = None
    _index_parts: dict[tuple[int, ...], tuple[object, ...]] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def files(self, buffers: Mapping[str, str]) -> list[str]:
        """The folder's rulebook files (paths), with open buffers of new files."""
        paths = [os.path.join(self.root, RULEBOOK_FILE)]
        paths += [
            f
            for f in iter_yaml_files(self.root, own_only=True)
            if os.path.basename(f) != RULEBOOK_FILE or os.path.dirname(f) != self.root
        ]
        known = set(paths)
        paths += [p for p in sorted(buffers) if p not in known and self.owns(p)]
        return paths

    def owns(self, path: str) -> bool:
        return self.name(path) is not None and find_root(path) == self.root

    def name(self, path: str) -> str | None:
        """The file's name in the folder, as validate_texts takes it."""
        rel = os.path.relpath(path, self.root).replace(os.sep, "/")
        return None if unsafe_name(rel) else rel

    def text(self, path: str) -> str | Problem:
        with self.lock:
            if path in self.buffers:
                return self.buffers[path]
        return self._read(path)

    def edit(self, path: str, text: str, version: int) -> None:
        with self.lock:
            self.buffers[path] = text
            self.versions[path] = version

    def close(self, path: str) -> None:
        with self.lock:
            self.buffers.pop(path, None)
            self.versions.pop(path, None)

    def _read(self, path: str) -> str | Problem:
        """A file on disk as the validator reads it (or why it cannot be),
        read again only when its size or time changed."""
        try:
            st = os.stat(path)
        except OSError:
            return _read(path)
        known = self._disk.get(path)
        if known is not None and known[0] == st.st_size and known[1] == st.st_mtime_ns:
            return known[2]
        entry = _read(path)
        self._disk[path] = (st.st_size, st.st_mtime_ns, entry)
        return entry

    def validate(self) -> Validation:
        """Validate the folder as it stands (buffers in place of files)."""
        with self.lock:
            buffers, versions = dict(self.buffers), dict(self.versions)
        entries: dict[str, str | Problem] = {}
        texts: dict[str, str] = {}
        for path in self.files(buffers):
            name = self.name(path)
            if name is None:
                continue
            entry = buffers[path] if path in buffers else self._read(path)
            if isinstance(entry, str):
                texts[path] = entry
            if name == RULEBOOK_FILE and isinstance(entry, Problem) and not os.path.exists(path):
                continue  # validate_texts names the missing rulebook.yaml itself
            entries[name] = entry
        result = validate_texts(entries, self.root, self.memo)
        rb_path = os.path.join(self.root, RULEBOOK_FILE)
        problems: dict[str, list[Problem]] = {p: [] for p in texts}
        for problem in result.problems:
            problems.setdefault(problem.pos.file, []).append(problem)
        # What the editor's requests read is replaced whole, under the lock,
        # never changed in place while they may be reading it.
        good = {p: g for p, g in self._good.items() if p in texts}
        unbuilt: list[str] = []
        for path, text in texts.items():
            proc = self.memo.procedure(path)
            if proc is not None:
                good[path] = (proc, text)
            elif path != rb_path:
                unbuilt.append(path)
        head = self.memo.rulebook()
        if head is None:
            unbuilt.insert(0, rb_path)
        validation = Validation(problems, texts, versions)
        with self.lock:
            self.last = validation
            self._good = good
            self._good_head = head or self._good_head
            self._unbuilt = unbuilt
            self._index = None
        return validation

    def rulebook(self) -> Rulebook | None:
        """rulebook.yaml's head: as last validated, or as when it last built."""
        return self._good_head

    def unbuilt(self) -> list[str]:
        """The files whose text as it stands does not build (their models,
        and what the index holds of them, are from before)."""
        return list(self._unbuilt)

    def procedures(self) -> dict[str, Procedure]:
        """Every procedure by file: as last built, or as last built well."""
        good = self._good
        return {path: proc for path, (proc, _) in good.items()}

    def procedure(self, path: str) -> Procedure | None:
        got = self._good.get(path)
        return got[0] if got is not None else None

    def whole(self) -> Rulebook | None:
        """The rulebook with every procedure that builds (to render a chart)."""
        head = self.rulebook()
        if head is None:
            return None
        by_id: dict[str, Procedure] = {}
        for proc in self.procedures().values():
            by_id.setdefault(proc.id, proc)
        return replace(head, procedures=by_id)

    def index(self) -> Index:
        """The symbol index of the last validation."""
        with self.lock:
            if self._index is not None:
                return self._index
            last = self.last
            texts: Mapping[str, str] = last.texts if last else {}
            head, procedures = self.rulebook(), self.procedures()
        built = build_index(head, procedures, texts, self._index_parts)
        with self.lock:
            if self.last is last:  # not replaced by a validation meanwhile
                self._index = built
        return built


def _read(path: str) -> str | Problem:
    raw = read_bytes(path, MAX_FILE_BYTES)
    return raw if isinstance(raw, Problem) else decode(raw, path)


def problem_range(problem: Problem, lines: list[str]) -> Pos:
    """A problem's range: as given, or the word at its position, or the rest
    of its line (a problem named only by line and column)."""
    pos = problem.pos
    if pos.end_line and (pos.end_line, pos.end_col) > (pos.line, pos.col):
        return pos
    if not 1 <= pos.line <= len(lines):
        return Pos(pos.file, max(pos.line, 1), 1, max(pos.line, 1), 1)
    src = lines[pos.line - 1]
    start = min(max(pos.col - 1, 0), len(src))
    end = start
    while end < len(src) and not src[end].isspace() and src[end] not in ",]}":
        end += 1
    if end == start:
        end = len(src.rstrip()) if len(src.rstrip()) > start else start
    return Pos(pos.file, pos.line, start + 1, pos.line, end + 1)
