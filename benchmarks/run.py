"""casepress benchmarks: print figures (medians of several runs), never assert them.

Usage: python benchmarks/run.py [NAME ...]   (default: every benchmark)

Each benchmark runs the real command in a fresh process (cold: imports included),
several times, and prints the median, the spread and, where the issue names a peer,
the ratio against it. These machines are noisy: compare medians, not single runs.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "cases" / "dcis-bone-marrow"
BIN = Path(sys.executable).parent
CASEPRESS = str(BIN / "casepress")


def timed(cmd: Sequence[str], runs: int = 5, env: dict[str, str] | None = None) -> tuple[list[float], int]:
    """Wall-clock seconds of each run, and the peak RSS (KiB) of the children."""
    times: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(cmd, cwd=REPO, capture_output=True, env={**os.environ, **(env or {})})
        times.append(time.perf_counter() - start)
        if result.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stderr.decode()}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return times, peak


def show(label: str, times: list[float], target: str = "") -> float:
    """Print one line of figures; return the median."""
    median = statistics.median(times)
    spread = f"min {min(times):.3f} s, max {max(times):.3f} s"
    print(f"{label:<48} median {median:.3f} s ({spread}, n={len(times)}){'  target ' + target if target else ''}")
    return median


def compile_bytecode() -> None:
    """Compile casepress's modules, as `pip install` does: an editable install under
    PYTHONDONTWRITEBYTECODE=1 would otherwise recompile every module on every run."""
    import compileall

    compileall.compile_dir(str(REPO / "src" / "casepress"), quiet=1)


def bench_check() -> None:
    """Cold `casepress check` of the reference case (target: at most 0.3 s on 2 cores)."""
    compile_bytecode()
    timed([CASEPRESS, "check", str(REFERENCE.relative_to(REPO))], runs=1)  # fills the library cache
    times, _ = timed([CASEPRESS, "check", str(REFERENCE.relative_to(REPO))])
    show("check reference case (cold process, warm cache)", times, "<= 0.300 s")
    with tempfile.TemporaryDirectory() as empty:
        times, _ = timed([CASEPRESS, "check", str(REFERENCE.relative_to(REPO))], env={"CASEPRESS_CACHE_DIR": empty})
        show("check reference case (cold process, empty cache)", times)
    times, _ = timed([sys.executable, "-c", "pass"])
    show("  python startup alone", times)
    times, _ = timed([sys.executable, "-c", "import casepress.pipeline, casepress.validate"])
    show("  importing the check modules", times)


BENCHMARKS: dict[str, Callable[[], None]] = {
    "check": bench_check,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", choices=[[], *BENCHMARKS], help="benchmarks to run (default: all)")
    args = parser.parse_args(argv)
    print(f"casepress benchmarks on {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    for name in args.names or BENCHMARKS:
        BENCHMARKS[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main())
