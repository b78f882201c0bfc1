"""Speed of rendering the manual: seconds per procedure and per page, HTML and PDF,
on the bundled rulebook and on a generated one ten times its size.

Run: python tests/bench/bench_render.py [--runs N] [--scale 10] [--generated 50x100]

The large rulebook is the bundled one copied `scale` times (ids, calls and
document numbers renamed per copy), so it has the same mix of steps, forms and
flowcharts. Times are medians of whole `sop render manual` processes (start to
exit, what a user waits for). The PDF is timed with a warm font cache (the
usual case) and a cold one (first run for a character set: font subsetting and
instancing, ~2-3 s, paid once). "Pages" are the PDF's pages; the HTML is the
same content, so its per-page figure uses the same count. Linear cost shows as
a large/small ratio of seconds per procedure near 1. Figures are CPU seconds of
the child process (robust on a shared machine); the PDF's wall time is shown too.
`--generated FILESxSTEPS` adds generated procedures (the validation
benchmark's corpus, one long linear-ish flowchart each). The last columns are
the PDF's peak memory and its time as a multiple of the HTML manual's (the
goal: at most 5x).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WALL: list[float] = []
PEAK: list[int] = []  # peak resident memory of each child, KiB
ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "sops"
BIN = Path(sys.executable).parent
SOP = [str(BIN / "sop")] if (BIN / "sop").exists() else [sys.executable, "-m", "engine"]


def make_large(target: Path, scale: int) -> int:
    """The bundled rulebook `scale` times over; returns the procedure count."""
    shutil.copy(BUNDLED / "rulebook.yaml", target / "rulebook.yaml")
    count = 0
    for path in sorted(BUNDLED.glob("*.yaml")):
        if path.name == "rulebook.yaml":
            continue
        text = path.read_text(encoding="utf-8")
        for k in range(scale):
            copy = re.sub(r"(?m)^id: (\S+)$", rf"id: \1-r{k}", text)
            copy = re.sub(r"(?m)^(\s+call: )(\S+)$", rf"\1\2-r{k}", copy)
            copy = re.sub(r"(?m)^(\s+number: )(\S+)$", rf"\1\2-{k}", copy)
            copy = re.sub(r"(?m)^title: (.+)$", rf"title: \1 ({k})", copy)
            (target / f"{path.stem}-r{k}.yaml").write_text(copy, encoding="utf-8")
            count += 1
    return count


def run(args: list[str], env: dict[str, str]) -> float:
    """CPU seconds (user + system) of one whole `sop` process. CPU time, not
    wall time, because the build machines are shared: waiting for a core is
    not the renderer's cost (wall time is printed alongside for reference)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # The child reports its own peak memory (RUSAGE_CHILDREN's maxrss is the
    # largest child so far, not this one's).
    probe = (
        "import resource,runpy,sys;sys.argv=['sop',*sys.argv[1:]];"
        "import atexit;atexit.register(lambda: sys.stderr.write("
        "f'\\nPEAK {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n'));"
        "from engine.cli import main;main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *args], capture_output=True, text=True, env=env, check=False
    )
    WALL.append(time.perf_counter() - start)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    peaks = re.findall(r"PEAK (\d+)", done.stderr)
    PEAK.append(int(peaks[-1]) if peaks else 0)
    if done.returncode != 0:
        sys.exit(f"sop {' '.join(args)} failed:\n{done.stderr}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def pages(pdf: Path) -> int:
    try:
        import pypdf
    except ImportError:
        return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    return len(pypdf.PdfReader(pdf).pages)


def measure(folder: Path, procs: int, runs: int, work: Path) -> dict[str, float]:
    warm = work / "cache-warm"
    env = {**os.environ, "SOP_CACHE_DIR": str(warm), "SOURCE_DATE_EPOCH": "1795046400"}
    out_pdf, out_html = work / "m.pdf", work / "m.html"
    cold = []
    for i in range(runs):
        cold_env = {**env, "SOP_CACHE_DIR": str(work / f"cache-cold-{i}")}
        cold.append(
            run(["render", "manual", str(folder), "--format", "pdf", "-o", str(out_pdf)], cold_env)
        )
    pdf = [
        run(["render", "manual", str(folder), "--format", "pdf", "-o", str(out_pdf)], env)
        for _ in range(runs)
    ]
    pdf_wall = statistics.median(WALL[-runs:])
    pdf_peak = max(PEAK[-runs:])
    html = [
        run(["render", "manual", str(folder), "--format", "html", "-o", str(out_html)], env)
        for _ in range(runs)
    ]
    load = [run(["validate", "--no-cache", str(folder)], env) for _ in range(runs)]
    return {
        "procs": procs,
        "pages": pages(out_pdf),
        "validate": statistics.median(load),
        "html": statistics.median(html),
        "pdf": statistics.median(pdf),
        "pdf_cold": statistics.median(cold),
        "pdf_wall": pdf_wall,
        "pdf_mb": pdf_peak / 1024,
    }


def generated(target: Path, spec: str) -> int:
    """FILESxSTEPS generated procedures (the validation benchmark's corpus)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_validate import corpus

    files, steps = (int(n) for n in spec.split("x"))
    corpus(target, files, steps)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument(
        "--generated",
        action="append",
        default=[],
        metavar="FILESxSTEPS",
        help="also generated procedures, e.g. 50x100 (repeatable)",
    )
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        large = work / "large"
        large.mkdir()
        small_procs = len([p for p in BUNDLED.glob("*.yaml") if p.name != "rulebook.yaml"])
        large_procs = make_large(large, opts.scale)
        rows = {
            "bundled": measure(BUNDLED, small_procs, opts.runs, work),
            f"{opts.scale}x": measure(large, large_procs, opts.runs, work),
        }
        for spec in opts.generated:
            folder = work / f"gen-{spec}"
            rows[spec] = measure(folder, generated(folder, spec), opts.runs, work)
    print(f"sop render manual: CPU seconds, medians of {opts.runs} runs, whole processes\n")
    head = (
        f"{'rulebook':<9}{'procs':>6}{'pages':>7}{'validate s':>11}{'HTML s':>8}"
        f"{'s/proc':>8}{'s/page':>8}{'PDF s':>8}{'s/proc':>8}{'s/page':>8}{'PDF cold s':>11}"
        f"{'PDF MB':>8}{'PDF/HTML':>9}"
    )
    print(head)
    for name, r in rows.items():
        print(
            f"{name:<9}{r['procs']:>6.0f}{r['pages']:>7.0f}{r['validate']:>11.2f}"
            f"{r['html']:>8.2f}{r['html'] / r['procs']:>8.3f}{r['html'] / r['pages']:>8.4f}"
            f"{r['pdf']:>8.2f}{r['pdf'] / r['procs']:>8.3f}{r['pdf'] / r['pages']:>8.4f}"
            f"{r['pdf_cold']:>11.2f}{r['pdf_mb']:>8.0f}{r['pdf'] / r['html']:>8.1f}x"
        )
    small, big = rows["bundled"], rows[f"{opts.scale}x"]
    for fmt in ("html", "pdf"):
        ratio = (big[fmt] / big["procs"]) / (small[fmt] / small["procs"])
        print(f"{fmt}: large/small seconds per procedure = {ratio:.2f} (1.0 = linear)")
    print("goal: PDF within 5x the HTML manual's time (PDF/HTML column)")


if __name__ == "__main__":
    main()
