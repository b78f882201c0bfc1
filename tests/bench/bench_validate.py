"""Speed of `sop validate`, as ratios to references measured in the same run.

Run: python tests/bench/bench_validate.py [--runs N]
Prints medians of whole-process wall times (process start to exit) for:
  - cold `sop validate --no-cache` vs loading the same files with CSafeLoader
  - the same vs `check-jsonschema --schemafile schemas/sop.schema.json` (if installed)
  - one 10,000-step file vs one 1,000-step file (linearity)
  - a cached re-validation vs `sop --version`
  - `sop --version` vs `python -c "import click"`
Targets (issue #2): <= 2.0x, >= 5x faster, <= 12x, <= 1.2x, <= 1.3x.

Measured 2026-12-02 (2 shared cores, load average 9-12, so processor time,
min/median of 7, with bytecode written; wall times were meaningless that day):
  cold validate 50x100: before 2,429 / 2,619 ms, after 2,132 / 2,539 ms
    (validate_paths lets the collector run far less often: the imports are
    frozen out of its view and its young generation is 100x larger);
    CSafeLoader 792-1,011 ms: 2.1-2.7x, still above the 2.0x target.
    Where the rest goes (cProfile): the event loop of source.parse ~26%,
    build ~22%, the checks ~33%, imports ~8%; a trivial folder alone costs
    ~450 ms of imports against 57 ms for `import yaml` (engine.model's 36
    dataclasses ~50-70 ms, the check modules ~40 ms, jinja2 ~35-45 ms,
    engine.expressions ~30 ms, jsonschema_rs pulling in email/socket ~25 ms).
  Issue #13, measured 2026-12-02 20:53-21:26 (2 shared cores, load average
  1-2.5; processor time by /usr/bin/time -f %U+%S, medians of 11 runs with
  the old tree b09a93e, this one and CSafeLoader alternated in one sitting,
  both run as `python -m engine`; the corpus of corpus(root, 50, 100)):
    cold validate 50x100: before 1.15-1.21 s, after 0.93 s (-20%);
    CSafeLoader 0.46-0.50 s; ratio before 2.42-2.50x, after 2.00-2.04x
    (per-run ratios mostly 1.85-2.05x). This script, right after (wall
    time, medians of 5, load 1.2-2.4): 1.90x. So the 2.0x target is met
    only at the edge, within the noise of a shared machine, not with a
    margin.
    What changed: a guard that is one name and {{ name }} in a text are read
    without Jinja2 (not imported at all for such a folder, ~35 ms); frozen
    slotted Step/Item/Expr/Branch/Ref fill their slots directly
    (engine.slots.quick_init: build -17%); editorial-text looks for a mark
    before naming the text; dead-end/unreachable-step read stuck steps from
    the graph; unknown-step says where only for what it reports;
    exit_targets/branches_of take a plain next without class patterns;
    scan_text skips the stray-character class on a text Python prints
    whole (isprintable, a C loop); parse does not resolve mapping keys as
    values and finds a duplicate key in the mapping itself.
    Where the ~0.93 s goes now (process time per phase, load ~1): imports
    ~120 ms (a trivial folder costs ~0.21 s against 0.03 s for
    `import yaml`: engine.model's dataclasses ~30 ms, engine.expressions
    ~16 ms, click ~7 ms, jsonschema_rs pulling in email/socket/platform
    ~8 ms), source.parse ~280 ms (libyaml's events alone ~120 ms, a third
    of it their Python __init__), scan_text 16 ms, schema 22-26 ms, build
    ~165 ms, the checks ~190 ms, outlines 16 ms. The next lever would be
    libyaml's event objects (~35 ms if built without a Python __init__,
    which needs patching yaml._yaml's module globals: not done).
  The bench itself on a quiet machine (2026-12-02 21:34, load average 0.7-1.4,
  wall time, medians of 5 and of 7): cold validate 50x100 869-905 ms against
  CSafeLoader 492-497 ms: 1.84x and 1.75x, within the 2.0x target; 1x10000
  0.78-0.84x; check-jsonschema 10.1-10.9x slower; cached validate 1.10x
  sop --version; sop --version 64 ms, 1.20x `import click`. Under load the
  ratio moves towards 2.0x (above: 2.00-2.04x in processor time at load 1-3).
  sop --version 96-108 ms vs import click 83 ms: ~1.2x (json is now imported
    only by json_text; the rest over click is i18n, screen, the signal
    handler and click's one gettext lookup, which imports locale).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SOP = [str(BIN / "sop")] if (BIN / "sop").exists() else [sys.executable, "-m", "engine"]

RULEBOOK = """title: 基准
organisation: {name: xx物业公司}
roles:
  host: {name: 样板房客服}
inputs:
  project: {type: text, default: XXXX}
"""


def procedure(pid: str, steps: int) -> str:
    out = [
        f"id: {pid}",
        "title: 基准流程",
        "kind: service",
        "roles: [host]",
        "inputs:",
        "  returning: {type: bool, ask: 客户是否二次以上来访?}",
        "start: s0",
        "steps:",
    ]
    for i in range(steps):
        out += [
            f"  s{i}:",
            f"    title: 第{i}步 为客户提供服务",
            "    role: host",
            "    do:",
            f"      - 站在样板房主入口处(如有私家花园,站在花园门口处),以标准站姿迎接客户{i}",
            "      - text: 主动帮助儿童穿着鞋套",
            "        when: returning",
            "    say:",
            f"      - 您好,{{{{ project }}}}欢迎您的光临,这是第{i}步",
        ]
        if i == steps - 1:
            out.append("    end: completed")
        elif i % 2:
            out += [
                "    next:",
                f"      - {{to: s{i + 1}, when: returning}}",
                f"      - {{to: s{min(i + 2, steps - 1)}}}",
            ]
        else:
            out.append(f"    next: s{i + 1}")
    return "\n".join(out) + "\n"


def corpus(root: Path, files: int, steps: int) -> Path:
    root.mkdir(parents=True)
    (root / "rulebook.yaml").write_text(RULEBOOK, encoding="utf-8")
    for k in range(files):
        (root / f"p{k}.yaml").write_text(procedure(f"p{k}", steps), encoding="utf-8")
    return root


def timed(cmd: list[str], runs: int, env: dict[str, str], ok: tuple[int, ...] = (0,)) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, env=env)
        times.append(time.perf_counter() - t0)
        if proc.returncode not in ok:
            raise SystemExit(f"{cmd[:3]} failed ({proc.returncode}): {proc.stdout[-500:]!r}")
    return statistics.median(times)


def csafe(files: list[Path]) -> list[str]:
    code = (
        "import sys, yaml\nfor f in sys.argv[1:]:\n"
        "    yaml.load(open(f, encoding='utf-8'), Loader=yaml.CSafeLoader)"
    )
    return [sys.executable, "-c", code, *map(str, files)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    tmp = Path(tempfile.mkdtemp(prefix="sop-bench-"))
    env = {**os.environ, "SOP_CACHE_DIR": str(tmp / "cache")}
    big = "--max-file-size=16000000"  # the 10,000-step file is ~3.7 MB; the default limit is 1 MiB
    try:
        c50 = corpus(tmp / "c50x100", 50, 100)
        k1 = corpus(tmp / "k1", 1, 1000)
        k10 = corpus(tmp / "k10", 1, 10000)
        yaml50 = sorted(c50.glob("p*.yaml"))
        rows = []

        def row(label: str, seconds: float) -> float:
            rows.append((label, seconds))
            return seconds

        v50 = row(
            "sop validate --no-cache 50x100",
            timed([*SOP, "validate", "--no-cache", str(c50)], runs, env),
        )
        l50 = row("CSafeLoader load 50x100", timed(csafe(yaml50), runs, env))
        cj = shutil.which("check-jsonschema") or (
            str(BIN / "check-jsonschema") if (BIN / "check-jsonschema").exists() else None
        )
        j50 = None
        if cj:
            j50 = row(
                "check-jsonschema 50x100",
                timed(
                    [
                        cj,
                        "--schemafile",
                        str(ROOT / "schemas" / "sop.schema.json"),
                        *map(str, yaml50),
                    ],
                    max(runs // 2, 1),
                    env,
                    ok=(0, 1),
                ),
            )
        v1k = row(
            "sop validate --no-cache 1x1000",
            timed([*SOP, "validate", "--no-cache", big, str(k1)], runs, env),
        )
        v10k = row(
            "sop validate --no-cache 1x10000",
            timed([*SOP, "validate", "--no-cache", big, str(k10)], runs, env),
        )
        l10k = row("CSafeLoader load 1x10000", timed(csafe([k10 / "p0.yaml"]), runs, env))
        subprocess.run([*SOP, "validate", str(c50)], capture_output=True, env=env)
        cached = row(
            "sop validate (cached) 50x100", timed([*SOP, "validate", str(c50)], runs * 2, env)
        )
        version = row("sop --version", timed([*SOP, "--version"], runs * 2, env))
        click = row(
            'python -c "import click"', timed([sys.executable, "-c", "import click"], runs * 2, env)
        )
        width = max(len(r[0]) for r in rows)
        print(f"medians of {runs} runs on {os.cpu_count()} cores\n")
        for label, seconds in rows:
            print(f"  {label:<{width}}  {seconds * 1000:8.0f} ms")
        print("\nratios (target in brackets):")
        print(f"  cold validate / CSafeLoader, 50x100    {v50 / l50:5.2f}x  [<= 2.0]")
        print(f"  cold validate / CSafeLoader, 1x10000   {v10k / l10k:5.2f}x  [<= 2.0]")
        if j50:
            print(f"  check-jsonschema / validate, 50x100    {j50 / v50:5.2f}x  [>= 5]")
        print(f"  10,000 steps / 1,000 steps             {v10k / v1k:5.2f}x  [<= 12]")
        print(f"  cached validate / sop --version        {cached / version:5.2f}x  [<= 1.2]")
        print(f"  sop --version / import click           {version / click:5.2f}x  [<= 1.3]")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
