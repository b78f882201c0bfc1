"""Build examples/call-list/: a morning's call list over a dozen customers.

    python examples/call-list/build.py

Each customer is one of the dated journey examples (examples/vanke-6plus2,
examples/opening-to-signing-care) moved in time so that the touchpoint it
stops at falls around 2026-11-23, run with `sop run --answers` into a fresh
journal, and left paused there — as staff would leave it. Then:

    sop due --at 2026-11-23                      -> call-list.txt
    sop due --at 2026-11-23 --format csv -o ...  -> call-list.csv (opens in Excel)
    sop due --at 2026-11-23 --role 呼叫中心       -> call-centre.txt

tests/test_examples.py rebuilds the list and checks these files are current.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent
RULEBOOK = EXAMPLES.parent / "sops"
BIN = Path(sys.executable).parent
SOP = [str(BIN / "sop")] if (BIN / "sop").exists() else [sys.executable, "-m", "engine"]
AT = "2026-11-23"
OPERATOR = "李娜"

SIXTWO, CARE = "vanke-6plus2", "opening-to-signing-care"
# name, phone, site, journey, the touchpoint it waits at, the day that falls on
CUSTOMERS = [
    ("王建国", "13912345678", "翠湖天地一期", SIXTWO, "deposit_sms", "2026-11-21"),
    ("李娜娜", "13811112222", "翠湖天地一期", SIXTWO, "signing_revisit", "2026-11-23"),
    ("张伟", "13633334444", "翠湖天地一期", SIXTWO, "handover_revisit", "2026-11-26"),
    ("刘洋", "13755556666", "翠湖天地一期", SIXTWO, "three_month_plan", "2026-11-23"),
    ("陈静", "13577778888", "翠湖天地一期", CARE, "pre_opening_sms", "2026-11-24"),
    ("杨帆", "13599990000", "翠湖天地一期", CARE, "day1_call", "2026-11-22"),
    ("黄磊", "13900001111", "滨江花园", SIXTWO, "signing_revisit", "2026-11-18"),
    ("周敏", "13800002222", "滨江花园", SIXTWO, "one_year_check", "2026-11-25"),
    ("吴昊", "13700003333", "滨江花园", SIXTWO, "warranty_reminder", "2026-11-30"),
    ("徐丽", "13600004444", "滨江花园", CARE, "signing_eve_sms", "2026-11-23"),
    ("孙强", "13500005555", "滨江花园", CARE, "pre_opening_sms", "2026-12-05"),
    ("马超", "13400006666", "滨江花园", SIXTWO, "deposit_sms", "2026-11-23"),
]  # fmt: skip

_DATE = re.compile(r"^(\d{4}-\d\d-\d\d)")


def _load(path: Path) -> dict[str, Any]:
    """A scenario as sop reads it (PyYAML would read the key `on` as True)."""
    sys.path.insert(0, str(EXAMPLES.parent))
    from engine.source import load_file

    loaded = load_file(str(path))
    assert loaded.document is not None and not loaded.problems, path
    data: dict[str, Any] = loaded.document.data
    return data


def _shift(value: Any, days: int) -> Any:
    if isinstance(value, dict):
        return {k: _shift(v, days) for k, v in value.items()}
    if isinstance(value, list):
        return [_shift(v, days) for v in value]
    if isinstance(value, str) and (m := _DATE.match(value)):
        moved = date.fromisoformat(m.group(1)) + timedelta(days=days)
        return moved.isoformat() + value[10:]
    return value


def scenario(name: str, phone: str, site: str, pid: str, stop: str, day: str) -> dict[str, Any]:
    base = _load(EXAMPLES / pid / "scenario.yaml")
    worked_on = str(base["steps"][stop]["on"])[:10]
    moved = _shift(base, (date.fromisoformat(day) - date.fromisoformat(worked_on)).days)
    moved.pop("expect", None)
    moved["title"] = f"{moved['procedure']} · {name}"
    moved.update(operator=OPERATOR, site=site)
    moved["inputs"].update(customer=name, phone=phone)
    steps: dict[str, Any] = {}
    for step, answers in moved["steps"].items():
        if step == stop:
            steps[step] = {"pause": True}
            break
        steps[step] = answers
    moved["steps"] = steps
    return moved


def sop(journal: str, *args: str) -> str:
    env = {**os.environ, "SOP_LANG": "zh", "NO_COLOR": "1", "SOP_JOURNAL": journal}
    done = subprocess.run([*SOP, *args], capture_output=True, text=True, env=env, check=True)
    return done.stdout


def build(out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        journal = os.path.join(tmp, "journal.sqlite")
        for number, customer in enumerate(CUSTOMERS, 1):
            data = scenario(*customer)
            path = Path(tmp, f"{number:02d}.yaml")
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
            sop(
                journal,
                "run",
                data["procedure"],
                "--rulebook",
                str(RULEBOOK),
                "--answers",
                str(path),
            )
        (out / "call-list.txt").write_text(sop(journal, "due", "--at", AT), "utf-8")
        sop(journal, "due", "--at", AT, "--format", "csv", "-o", str(out / "call-list.csv"))
        centre = sop(journal, "due", "--at", AT, "--role", "呼叫中心")
        (out / "call-centre.txt").write_text(centre, "utf-8")


if __name__ == "__main__":
    build(HERE)
    print("wrote", HERE.relative_to(EXAMPLES.parent))
