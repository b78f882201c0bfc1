"""Memory of `sop validate`: peak RSS of the process against the YAML it reads.

Run: python tests/bench/bench_memory.py [--files N] [--steps M]
Builds a rulebook of N procedures of M steps (bench_validate's generator;
default 1,000 × 100), runs a cold `sop validate --no-cache` on it in a child
process and reads the child's peak resident set (ru_maxrss from wait4), next
to the same for a one-procedure rulebook (the interpreter and the imports).
Also the in-process loader for the same folder (`validate_paths(build=True)`,
what sop run/render keep: the built procedures), for comparison.
Target (issue #12): peak RSS <= 3x the input.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_validate import SOP, corpus


def peak_rss(cmd: list[str], env: dict[str, str]) -> tuple[int, int]:
    """(exit code, peak RSS in bytes) of a child process."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    return proc.returncode, usage.ru_maxrss * scale


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*.yaml"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=100)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="sop-bench-mem-"))
    env = {**os.environ, "SOP_CACHE_DIR": str(tmp / "cache")}
    try:
        big = corpus(tmp / "big", args.files, args.steps)
        small = corpus(tmp / "small", 1, 10)
        code, base = peak_rss([*SOP, "validate", "--no-cache", str(small)], env)
        assert code == 0, code
        code, peak = peak_rss([*SOP, "validate", "--no-cache", str(big)], env)
        assert code == 0, code
        built_code = (
            "import sys\nfrom engine.validate import validate_paths\n"
            "r = validate_paths([sys.argv[1]])\nassert r.rulebooks and not r.errors"
        )
        code, built = peak_rss([sys.executable, "-c", built_code, str(big)], env)
        assert code == 0, code
        data = size_of(big)
        mb = 1024 * 1024
        print(f"{args.files} files x {args.steps} steps: {data / mb:.1f} MiB of YAML\n")
        print(f"  sop validate, 1 small file        {base / mb:7.1f} MiB peak RSS (fixed cost)")
        print(f"  sop validate, the rulebook        {peak / mb:7.1f} MiB peak RSS")
        print(f"  validate_paths (models kept)      {built / mb:7.1f} MiB peak RSS")
        print("\nratios (target in brackets):")
        print(f"  sop validate peak / input          {peak / data:5.2f}x  [<= 3.0]")
        print(f"  (peak - fixed cost) / input        {(peak - base) / data:5.2f}x")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
