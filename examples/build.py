"""Build examples/<procedure>/: a training scenario, the transcript `sop run`
prints for it, and the procedure's speaking script and checklist.

    python examples/build.py            # (re)write every example
    python examples/build.py show-flat  # one procedure

A new scenario starts from the first one `sop simulate` generates (so it is
known to walk the procedure to an end) with realistic answers filled in; an
existing scenario.yaml is kept as edited, and only the outputs are rebuilt.
tests/test_examples.py checks that every output is what the scenario gives.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
RULEBOOK = HERE.parent / "sops"
BIN = Path(sys.executable).parent
SOP = [str(BIN / "sop")] if (BIN / "sop").exists() else [sys.executable, "-m", "engine"]
OPERATOR, SITE = "李娜", "翠湖天地一期"

# Realistic answers for what the simulator fills with placeholders, by field id.
_BY_FIELD = {
    "project": "翠湖天地",
    "name": "王建国",
    "customer": "王建国",
    "consultant": "陈晓",
    "phone": "13912345678",
    "question": "小区的物业费每平方米每月多少钱?",
    "reporter": "李娜",
    "surname": "王",
    "location": "销售中心洽谈区",
    "place": "销售中心洽谈区",
    "by": "李娜",
    "signature": "李娜",
    "loss": "洽谈区座椅两把烧损, 已拍照",
    "summary": "已按流程处理, 详见现场照片",
    "route": "从地铁2号线翠湖站A口出, 向东步行300米",
}


def _realistic(key: str, value: Any) -> Any:
    if not (isinstance(value, str) and value.startswith("测试")):
        return value
    field = key.rsplit(".", 1)[-1]
    for needle, answer in _BY_FIELD.items():
        if needle in field:
            return answer
    return "已按流程处理"


def _polish(scenario: dict[str, Any], pid: str) -> dict[str, Any]:
    scenario["title"] = scenario["title"].replace("场景 1", "示例")
    inputs = scenario.setdefault("inputs", {})
    inputs.setdefault("project", "翠湖天地")
    for key, value in list(inputs.items()):
        inputs[key] = _realistic(key, value)
    for step in (scenario.get("steps") or {}).values():
        if isinstance(step, dict) and isinstance(step.get("record"), dict):
            step["record"] = {k: _realistic(k, v) for k, v in step["record"].items()}
    return scenario


def sop(*args: str, journal: str | None = None, env: dict[str, str] | None = None) -> str:
    """What `sop ARGS` prints, in Chinese without colour (and with `env`'s
    variables). Run in this process (through the CLI's own entry point: a
    process each made the examples' test the slowest in the suite), with the
    environment a process would have had; SOP_EXAMPLES_PROCESS=1 runs each in
    its own process instead."""
    env = {"SOP_LANG": "zh", "NO_COLOR": "1", **(env or {})}
    if journal:
        env["SOP_JOURNAL"] = journal
    if os.environ.get("SOP_EXAMPLES_PROCESS") == "1":
        full = {**os.environ, **env}
        out = subprocess.run([*SOP, *args], capture_output=True, text=True, env=full, check=True)
        return out.stdout
    return _here(list(args), env)


def _here(args: list[str], env: dict[str, str]) -> str:
    from engine.cli.inprocess import invoke

    # A process's stdout is a pipe, whose width is the 80-column default;
    # without a journal given, the one in the environment (or none).
    here: dict[str, str | None] = {
        "COLUMNS": os.environ.get("COLUMNS", "80"),
        "SOP_JOURNAL": os.environ.get("SOP_JOURNAL") or None,
        **env,
    }
    done = invoke(args, env=here)
    if done.code != 0:
        raise RuntimeError(f"sop {' '.join(args)} exited with {done.code}:\n{done.err}")
    return done.out


# The people in each queue (轮序) before an example takes turns from it: the
# keeper's `sop queue … join`, as a site does before its first visitor.
QUEUE_MEMBERS = ["陈晓", "王强", "赵敏"]
MEMBERS_OF = {"onsite_service_rotation": ["张总", "李副经理", "王主任"]}
QUEUE_KEEPER = "张经理"


def _queues_taken(pid: str) -> list[str]:
    """The queues the procedure (and what it calls) takes turns from."""
    from engine.model import Call
    from engine.validate import load_rulebook

    book = load_rulebook(RULEBOOK)
    seen: set[str] = set()
    taken: list[str] = []
    todo = [pid]
    while todo:
        here = todo.pop()
        if here in seen or here not in book.procedures:
            continue
        seen.add(here)
        for step in book.procedures[here].steps.values():
            if step.turn is not None and step.turn.queue.name not in taken:
                taken.append(step.turn.queue.name)
            if isinstance(step.exit, Call):
                todo.append(step.exit.procedure.name)
    return taken


def outputs(pid: str, scenario: Path) -> dict[str, str]:
    """What the example folder holds besides the scenario, freshly made."""
    with tempfile.TemporaryDirectory() as tmp:
        journal = os.path.join(tmp, "journal.sqlite")
        for queue in _queues_taken(pid):
            sop(
                "queue",
                queue,
                "join",
                *MEMBERS_OF.get(queue, QUEUE_MEMBERS),
                "--rulebook",
                str(RULEBOOK),
                "--site",
                SITE,
                "--operator",
                QUEUE_KEEPER,
                journal=journal,
            )
        transcript = sop(
            "run",
            pid,
            "--rulebook",
            str(RULEBOOK),
            "--answers",
            str(scenario),
            "--operator",
            OPERATOR,
            "--site",
            SITE,
            "--no-color",
            journal=journal,
        )
    return {
        "transcript.txt": transcript,
        "script.md": sop("render", "script", pid, "-R", str(RULEBOOK), "--format", "md"),
        "checklist.md": sop("render", "checklist", pid, "-R", str(RULEBOOK), "--format", "md"),
    }


def build(pid: str) -> None:
    folder = HERE / pid
    folder.mkdir(exist_ok=True)
    scenario = folder / "scenario.yaml"
    if not scenario.exists():
        with tempfile.TemporaryDirectory() as tmp:
            sop("simulate", pid, "--rulebook", str(RULEBOOK), "--save", tmp)
            first = sorted(Path(tmp).glob(f"{pid}-*.yaml"))[0]
            data = _polish(yaml.safe_load(first.read_text(encoding="utf-8")), pid)
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
        scenario.write_text(
            f"# sop run {pid} --answers examples/{pid}/scenario.yaml\n" + text, encoding="utf-8"
        )
    for name, text in outputs(pid, scenario).items():
        (folder / name).write_text(text, encoding="utf-8")
    print("wrote", folder.relative_to(HERE.parent))


def procedures() -> list[str]:
    return sorted(p.stem for p in RULEBOOK.glob("*.yaml") if p.name != "rulebook.yaml")


if __name__ == "__main__":
    for pid in sys.argv[1:] or procedures():
        build(pid)
