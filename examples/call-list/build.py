"""Build examples/call-list/: a morning's call list over a dozen customers.

    python examples/call-list/build.py

Each run is one of the dated journey examples (examples/vanke-6plus2,
examples/opening-to-signing-care, examples/pre-delivery-viewing,
examples/property-question-callback) moved in time so that the touchpoint it
stops at falls around 2026-11-23, given another customer (or delivery batch),
run with `sop run --answers` into a fresh journal, and left paused there — as
staff would leave it. Milestone dates given ahead move with the rest: one
customer waits for a planned handover, the delivery batch's risk meeting falls
three months before its planned handover. Then:

    sop due --at 2026-11-23                      -> call-list.txt
    sop due --at 2026-11-23 --format csv -o ...  -> call-list.csv (opens in Excel)
    sop due --at 2026-11-23 --role 呼叫中心       -> call-centre.txt

Nothing here depends on the real clock: the scenarios carry their own dates (`now:`,
`on:`, `milestones:`) and the list is asked for 2026-11-23 with `--at`. The
one deadline that is a moment (the callback's 24 hours) lies wholly before
2026-11-23, so it is overdue on that day whatever the clock says; `sop` runs
with TZ=Asia/Shanghai, the sites' zone, so the order does not depend on the
machine's zone either.

tests/test_examples.py rebuilds the list and checks these files are current.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent
RULEBOOK = EXAMPLES.parent / "sops"
AT = "2026-11-23"
OPERATOR = "李娜"

SIXTWO, CARE = "vanke-6plus2", "opening-to-signing-care"
VIEWING, CALLBACK = "pre-delivery-viewing", "property-question-callback"
TRAINING = "sales-support-training"
# whom the run is about (its procedure's subject: customer and phone, or the
# delivery batch), site, journey, the touchpoint it waits at, and the day the
# example's work on that touchpoint is moved to
CUSTOMERS = [
    (("王建国", "13912345678"), "翠湖天地一期", SIXTWO, "deposit_sms", "2026-11-21"),
    (("李娜娜", "13811112222"), "翠湖天地一期", SIXTWO, "signing_revisit", "2026-11-23"),
    (("张伟", "13633334444"), "翠湖天地一期", SIXTWO, "handover_revisit", "2026-11-26"),
    (("刘洋", "13755556666"), "翠湖天地一期", SIXTWO, "three_month_plan", "2026-11-23"),
    (("陈静", "13577778888"), "翠湖天地一期", CARE, "pre_opening_sms", "2026-11-24"),
    (("杨帆", "13599990000"), "翠湖天地一期", CARE, "day1_call", "2026-11-22"),
    (("黄磊", "13900001111"), "滨江花园", SIXTWO, "signing_revisit", "2026-11-18"),
    (("周敏", "13800002222"), "滨江花园", SIXTWO, "one_year_check", "2026-11-25"),
    (("吴昊", "13700003333"), "滨江花园", SIXTWO, "warranty_reminder", "2026-11-30"),
    (("徐丽", "13600004444"), "滨江花园", CARE, "signing_eve_sms", "2026-11-23"),
    (("孙强", "13500005555"), "滨江花园", CARE, "pre_opening_sms", "2026-12-05"),
    (("马超", "13400006666"), "滨江花园", SIXTWO, "handover", "2026-11-27"),
    (("二期 6、8 栋",), "滨江花园", VIEWING, "convene", "2026-11-25"),
    (("郑芳", "13312345678"), "翠湖天地一期", CALLBACK, "call_back", "2026-11-22"),
    (("滨江花园物业服务团队",), "滨江花园", TRAINING, "plan", "2026-11-22"),
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


def _shift(value: Any, days: int, names: dict[str, str]) -> Any:
    """Dates moved by `days`; the example's customer replaced by this one."""
    if isinstance(value, dict):
        return {k: _shift(v, days, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_shift(v, days, names) for v in value]
    if isinstance(value, str) and (m := _DATE.match(value)):
        moved = date.fromisoformat(m.group(1)) + timedelta(days=days)
        return moved.isoformat() + value[10:]
    if isinstance(value, str):
        for old, new in names.items():
            value = value.replace(old, new)
    return value


def scenario(who: tuple[str, ...], site: str, pid: str, stop: str, day: str) -> dict[str, Any]:
    base = _load(EXAMPLES / pid / "scenario.yaml")
    subject = _load(RULEBOOK / f"{pid}.yaml")["subject"]
    given = dict(zip([subject] if isinstance(subject, str) else subject, who, strict=True))
    worked_on = str(base["steps"][stop]["on"])[:10]
    days = (date.fromisoformat(day) - date.fromisoformat(worked_on)).days
    names = {str(base["inputs"][k]): v for k, v in given.items()}
    moved = _shift(base, days, names)
    moved.pop("expect", None)
    moved["title"] = f"{moved['procedure']} · {' '.join(who)}"
    moved.update(operator=OPERATOR, site=site)
    # Given in advance, like sop run --set: a run paused at its first step
    # still knows whom it is about.
    moved["set"] = {**moved.get("set", {}), **given}
    for name in given:
        moved["inputs"].pop(name, None)
    steps: dict[str, Any] = {}
    for step, answers in moved["steps"].items():
        if step == stop:
            steps[step] = {"pause": True}
            break
        steps[step] = answers
    moved["steps"] = steps
    return moved


def sop(journal: str, *args: str) -> str:
    # The sites' time zone (the scenarios are written in +08:00): where a
    # journey day and a moment fall on the same date, sop due orders them by
    # the machine's midnight, so another zone could change the order.
    return _examples_builder().sop(*args, journal=journal, env={"TZ": "Asia/Shanghai"})


@functools.cache
def _examples_builder() -> Any:
    """examples/build.py, whose `sop` runs the commands (in this process)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("examples_build", EXAMPLES / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(out: Path, store: str | None = None) -> None:
    """The three lists in `out`, from a fresh journal (an SQLite file, or
    the empty database `store` names: the lists are the same from either)."""
    with tempfile.TemporaryDirectory() as tmp:
        journal = store or os.path.join(tmp, "journal.sqlite")
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
