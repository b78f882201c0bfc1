"""The built rulebook is kept by the content of its texts: the same texts are
answered from the cache, an edited file is validated again, a damaged or
foreign entry is ignored, and a rulebook with errors is refused each time."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine import cache
from engine.errors import RulebookError
from engine.validate import load_rulebook, read_folder
from tests.conftest import ROOT


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cache, "_MEMO", cache.OrderedDict())  # as a new process
    target = tmp_path / "sops"
    shutil.copytree(ROOT / "tests" / "fixtures" / "rulebook_runtime", target)
    return target


def _entries(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache" / "built").glob("*.pickle"))


def test_the_same_texts_are_answered_from_the_cache(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_rulebook(folder)
    assert len(_entries(tmp_path)) == 1

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("validated again")

    monkeypatch.setattr("engine.validate.validate_texts", refuse)
    assert load_rulebook(folder) is first  # in this process: kept in memory
    cache._MEMO.clear()  # another process: read from the cache folder
    again = load_rulebook(folder)
    assert again == first and again is not first


def test_memory_keeps_the_last_few_rulebooks_only(folder: Path) -> None:
    first = load_rulebook(folder)
    proc = next(p for p in sorted(folder.glob("*.yaml")) if p.name != "rulebook.yaml")
    text = proc.read_text(encoding="utf-8")
    for n in range(cache._MEMO_SIZE):
        proc.write_text(text.replace("title: ", f"title: 第{n}版", 1), encoding="utf-8")
        load_rulebook(folder)
    assert len(cache._MEMO) == cache._MEMO_SIZE
    proc.write_text(text, encoding="utf-8")
    again = load_rulebook(folder)
    assert again == first and again is not first  # forgotten in memory, read from disk


def test_an_edited_file_is_validated_again(folder: Path, tmp_path: Path) -> None:
    before = load_rulebook(folder)
    proc = next(p for p in sorted(folder.glob("*.yaml")) if p.name != "rulebook.yaml")
    text = proc.read_text(encoding="utf-8")
    proc.write_text(text.replace("title: ", "title: 改过的", 1), encoding="utf-8")
    after = load_rulebook(folder)
    assert after != before
    assert len(_entries(tmp_path)) == 2


def test_a_damaged_entry_is_ignored(folder: Path, tmp_path: Path) -> None:
    first = load_rulebook(folder)
    (entry,) = _entries(tmp_path)
    entry.write_bytes(b"\x80\x05not a pickle")
    cache._MEMO.clear()
    assert load_rulebook(folder) == first
    entry.write_bytes(entry.read_bytes()[:40])  # cut short
    cache._MEMO.clear()
    assert load_rulebook(folder) == first


def test_an_entry_under_another_key_is_not_used(folder: Path, tmp_path: Path) -> None:
    import pickle

    load_rulebook(folder)
    (entry,) = _entries(tmp_path)
    _, result = pickle.loads(entry.read_bytes())
    entry.write_bytes(pickle.dumps(("another key", result)))
    cache._MEMO.clear()
    files = read_folder(str(folder))
    assert cache.validated(files, str(folder)).rulebooks  # validated, then kept again
    kept, _ = pickle.loads(entry.read_bytes())
    assert kept != "another key"


def test_a_rulebook_with_errors_is_refused_each_time(folder: Path) -> None:
    proc = next(p for p in sorted(folder.glob("*.yaml")) if p.name != "rulebook.yaml")
    proc.write_text(proc.read_text(encoding="utf-8") + "\nnot_a_key_zz: 1\n", encoding="utf-8")
    with pytest.raises(RulebookError) as first:
        load_rulebook(folder)
    with pytest.raises(RulebookError) as again:  # answered from the cache or not, refused
        load_rulebook(folder)
    assert "not_a_key_zz" in str(first.value) and str(again.value) == str(first.value)


def test_the_cache_keeps_a_bounded_number_of_entries(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every edit of a rulebook makes a new entry: the oldest go, the ones
    in use stay, and the stamps of files kept are bounded too."""
    import os
    import time

    monkeypatch.setitem(cache.KEEP, "built", 2)
    first = load_rulebook(folder)
    proc = next(p for p in sorted(folder.glob("*.yaml")) if p.name != "rulebook.yaml")
    text = proc.read_text(encoding="utf-8")
    for n in range(3):
        time.sleep(0.01)  # entries told apart by their times
        proc.write_text(text.replace("title: ", f"title: 第{n}版", 1), encoding="utf-8")
        load_rulebook(folder)
        if n == 1:  # the first version used again: it stays
            time.sleep(0.01)
            proc.write_text(text, encoding="utf-8")
            cache._MEMO.clear()
            assert load_rulebook(folder) == first
    assert len(_entries(tmp_path)) == 2
    proc.write_text(text, encoding="utf-8")
    cache._MEMO.clear()

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("validated again")

    with monkeypatch.context() as m:
        m.setattr("engine.validate.validate_texts", refuse)
        assert load_rulebook(folder) == first  # still kept
    # Stamps: a scratch copy validated once, then the rulebook worked on.
    other = shutil.copytree(folder, tmp_path / "scratch")
    files = sorted(os.path.realpath(p) for p in folder.glob("*.yaml"))
    monkeypatch.setattr(cache, "MANIFEST_SIZE", len(files))
    assert cache.key_for([str(other)], "") is not None
    assert cache.key_for([str(folder)], "") is not None
    assert sorted(cache._read_manifest()) == files  # the scratch copy's stamps went first
