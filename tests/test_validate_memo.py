"""`validate_texts` with a memo (the language server's incremental path)
says exactly what a fresh validation says, edit after edit: a file is
re-checked when its text or rulebook.yaml changes, and the checks across
procedures always see every file."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.validate import Memo, validate_texts
from tests.conftest import CASES

ROOT = Path(__file__).resolve().parent.parent
SOPS = ROOT / "sops"
ERR = CASES / "err"


def texts(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.yaml"))}


def said(files: dict[str, str], memo: Memo | None) -> list[tuple[object, ...]]:
    result = validate_texts(files, "book", memo)
    return [(p.rule, p.pos, p.severity, p.args.get("name"), p.fix) for p in result.problems]


def test_edits_validate_as_a_fresh_validation_would() -> None:
    files = texts(SOPS)
    memo = Memo()
    assert said(files, memo) == said(files, None) == []
    edits = [
        ("show-flat.yaml", "next: shoe_covers", "next: shoe_cover"),  # unknown step
        ("fire.yaml", "kind: emergency", "kind: emergncy"),  # schema, pruned
        ("rulebook.yaml", "showflat_host:", "showflat_hostess:"),  # every file again
        ("lobby.yaml", "title:", "title：", 1),  # loader
        ("shuttle.yaml", "id: shuttle", "id: shuttles"),  # callers see it
        ("show-flat.yaml", "next: shoe_cover", "next: shoe_covers"),  # undone
    ]
    for name, old, new, *count in edits:
        assert old in files[name], (name, old)
        files = {**files, name: files[name].replace(old, new, *count)}
        with_memo = said(files, memo)
        assert with_memo == said(files, None)
        assert with_memo, f"the edit of {name} should be reported"
    del files["shuttle.yaml"]
    assert said(files, memo) == said(files, None)
    assert "book/shuttle.yaml" not in memo.names()


@pytest.mark.parametrize(
    "case", sorted(p.name for p in ERR.glob("*.yaml") if p.is_file() and p.name != "rulebook.yaml")
)
def test_each_golden_error_is_found_through_the_memo(case: str) -> None:
    rulebook = (ERR / "rulebook.yaml").read_text(encoding="utf-8")
    memo = Memo()
    clean = {"rulebook.yaml": rulebook}
    said(clean, memo)
    raw = (ERR / case).read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        pytest.skip("not UTF-8: the memo holds texts")
    files = {**clean, case: text}
    assert said(files, memo) == said(files, None)
    assert said(files, memo) == said(files, None)  # answered from the memo


def test_the_memo_keeps_each_files_model_even_when_another_is_broken() -> None:
    files = texts(SOPS)
    files["fire.yaml"] = "id: fire\n  broken: [\n"
    memo = Memo()
    validate_texts(files, "book", memo)
    model = memo.procedure("book/show-flat.yaml")
    assert model is not None and "greet" in model.steps
    assert memo.procedure("book/fire.yaml") is None
    head = memo.rulebook()
    assert head is not None and "showflat_host" in head.roles
