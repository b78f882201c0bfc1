"""Helpers for the runtime and journal tests: the fixture rulebook, scenario
files, and `sop` with a journal of the test's own (never the user's)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import yaml

from engine.cli.inprocess import invoke
from tests.conftest import ROOT, Runner

FIXTURE = ROOT / "tests" / "fixtures" / "rulebook_runtime"
BUNDLED = ROOT / "sops"


def write_scenario(folder: Path, name: str, data: dict[str, Any]) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def sop_in_process(*args: str, stdin: str = "") -> tuple[int, str]:
    """`sop ARGS` in this process, through its real entry point (so through
    the terminal boundary): the exit code and everything it wrote."""
    done = invoke(args, stdin=stdin, merge=True)
    return done.code, done.out


def sop_split(*args: str, cwd: Path) -> tuple[int, str, str]:
    """`sop ARGS` in this process from the folder `cwd`, with a person's
    Chinese locale: the exit code, what it wrote to stdout and to stderr
    (apart, as a terminal shows them). The golden cases run hundreds of
    validations; a process each cost most of the suite's time."""
    done = invoke(args, cwd=cwd, env={"LANG": "C.UTF-8", "SOP_LANG": "", "LC_ALL": None})
    return done.code, done.out, done.err


class Sop:
    """`sop` run as a person would, always with the test's journal."""

    def __init__(self, sop: Runner, journal: Path) -> None:
        self._sop = sop
        self.journal = journal

    def __call__(
        self, *args: str, input: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return self._sop(
            *args,
            "--journal",
            str(self.journal),
            input=input,
            env={"SOP_JOURNAL": str(self.journal.parent / "not-this.db"), **(env or {})},
        )

    def json(self, *args: str) -> Any:
        result = self(*args, "--format", "json")
        assert result.returncode == 0, result.stdout + result.stderr
        return json.loads(result.stdout)


VISIT_HAPPY: dict[str, Any] = {
    "procedure": "visit",
    "operator": "张三",
    "site": "测试案场",
    "inputs": {"returning": True, "surname": "王", "with_children": False, "sales_present": False},
    "steps": {
        "greet": {},
        "shoe_covers": {"do": [{"skip": "鞋套用完了"}, "done"]},
        "explain": {},
        "during_visit": [{"choice": "客户需要续杯"}, {"choice": "客户参观结束"}],
        "refill": {"note": "客户要了温水"},
        "register": {
            "record": {
                "customer_name": "王先生",
                "phone": "138 0000 0000",
                "party_size": 2,
                "satisfied": True,
            }
        },
        "shuttle:board": {},
        "farewell": {},
    },
    "expect": "completed",
}
