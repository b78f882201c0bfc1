"""What `sop validate` checks a file with: a single file is validated in its
rulebook's context (the folder run and the one-file run agree on it), and a
path that holds nothing to check is a mistake, not a clean result."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.validate import validate_paths
from tests.conftest import Runner

RULEBOOK = """title: 用例
organisation: {name: xx物业公司}
roles:
  host: {name: 样板房客服}
"""


def proc(pid: str, extra: str = "", body: str = "    end: completed\n") -> str:
    return (
        f"id: {pid}\ntitle: 测试\nkind: service\n{extra}start: s\nsteps:\n"
        f"  s:\n    title: 开始\n    role: host\n{body}"
    )


def book(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "book"
    for name, text in {"rulebook.yaml": RULEBOOK, **files}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def rules(paths: list[Path]) -> list[tuple[str, str]]:
    result = validate_paths([str(p) for p in paths])
    return [(Path(p.pos.file).name, p.rule) for p in result.problems]


def test_a_duplicate_id_is_found_from_either_file(tmp_path: Path) -> None:
    root = book(tmp_path, {"day/patrol.yaml": proc("patrol"), "night/patrol.yaml": proc("patrol")})
    assert rules([root]) == [("patrol.yaml", "duplicate-id")]
    for one in ("day", "night"):
        assert rules([root / one / "patrol.yaml"]) == [("patrol.yaml", "duplicate-id")]


def test_a_duplicate_id_under_another_file_name_is_found(tmp_path: Path) -> None:
    root = book(tmp_path, {"a.yaml": proc("b"), "b.yaml": proc("b")})
    assert ("b.yaml", "duplicate-id") in rules([root])
    assert rules([root / "b.yaml"]) == [("b.yaml", "duplicate-id")]
    assert sorted(rules([root / "a.yaml"])) == [
        ("a.yaml", "duplicate-id"),
        ("a.yaml", "id-mismatch"),
    ]


def test_the_other_file_is_named_as_the_user_reaches_it(tmp_path: Path, sop: Runner) -> None:
    root = book(tmp_path, {"day/patrol.yaml": proc("patrol"), "night/patrol.yaml": proc("patrol")})
    out = sop("validate", "--no-cache", "night/patrol.yaml", cwd=root).stdout
    assert "已在 day/patrol.yaml 中使用" in out, out
    out = sop("validate", "--no-cache", "patrol.yaml", cwd=root / "night").stdout
    assert "已在 ../day/patrol.yaml 中使用" in out, out


def test_an_input_passed_by_a_caller_is_used_in_the_one_file_run(tmp_path: Path) -> None:
    callee = proc("callee", "inputs:\n  who: {type: text}\n")
    caller = (
        proc("caller", body="    call: callee\n    with: {who: 王先生}\n    next: t\n")
        + "  t:\n    title: 结束\n    role: host\n    end: completed\n"
    )
    root = book(tmp_path, {"callee.yaml": callee, "caller.yaml": caller})
    assert rules([root]) == []
    assert rules([root / "callee.yaml"]) == []


def test_a_file_named_on_the_command_line_is_checked(tmp_path: Path) -> None:
    root = book(tmp_path, {".draft.yaml": "id: [\n", "notes.txt": "id: x\n"})
    assert rules([root / ".draft.yaml"]) == [(".draft.yaml", "yaml-syntax")]
    assert ("notes.txt", "required-key") in rules([root / "notes.txt"])


def test_a_folder_with_nothing_to_check_is_an_error(tmp_path: Path, sop: Runner) -> None:
    (tmp_path / "x.yaml").mkdir()
    result = sop("validate", "--no-cache", "x.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert '文件夹 "x.yaml" 中没有 .yaml 文件' in result.stdout
    # A folder named like a file that does hold a rulebook is validated as a folder.
    book(tmp_path / "x.yaml", {"p.yaml": proc("p")})
    result = sop("validate", "--no-cache", "x.yaml", cwd=tmp_path)
    assert result.returncode == 0 and "2 个文件, 没有发现问题" in result.stdout, result.stdout


# ---------------------------------------------------------------- one mistake, one message

_BUNDLED = Path(__file__).resolve().parent.parent / "sops"


def _deletable_nexts() -> list[tuple[str, int]]:
    out = []
    for path in sorted(_BUNDLED.glob("*.yaml")):
        lines = path.read_text(encoding="utf-8").split("\n")
        out += [(path.name, i) for i, ln in enumerate(lines) if ln.startswith("    next: ")]
    return out


@pytest.mark.parametrize(("name", "line"), _deletable_nexts()[::7])
def test_deleting_one_next_is_one_error(tmp_path: Path, name: str, line: int) -> None:
    import shutil

    book = tmp_path / "sops"
    shutil.copytree(_BUNDLED, book)
    lines = (book / name).read_text(encoding="utf-8").split("\n")
    del lines[line]
    (book / name).write_text("\n".join(lines), encoding="utf-8")
    errors = [p for p in validate_paths([str(book / name)]).problems if p.severity == "error"]
    assert [p.rule for p in errors] == ["one-way-out"], errors
    assert (
        errors[0].pos.line
        == max(
            i
            for i in range(line)
            if lines[i].startswith("  ") and lines[i][2] != " " and lines[i].rstrip().endswith(":")
        )
        + 1
    )
