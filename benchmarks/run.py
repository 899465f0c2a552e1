"""casepress benchmarks: print figures (medians of several runs), never assert them.

Usage: python benchmarks/run.py [NAME ...]   (default: every benchmark)

Each benchmark runs the real command in a fresh process (cold: imports included),
several times, and prints the median, the spread and, where the issue names a peer,
the ratio against it. These machines are noisy: compare medians, not single runs.
"""

from __future__ import annotations

import argparse
import os
import re
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
# Time this checkout's sources (a worktree's too), not the ones the virtualenv's `casepress`
# script was installed from: PYTHONPATH comes before the editable install's path entry.
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), os.environ.get("PYTHONPATH")]))
sys.path.insert(0, str(REPO / "src"))


def timed(cmd: Sequence[str], runs: int = 5, env: dict[str, str] | None = None) -> tuple[list[float], int]:
    """Wall-clock seconds of each run, and the peak RSS (KiB) of the children."""
    times: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(cmd, cwd=REPO, capture_output=True, env={**os.environ, **(env or {})}, check=False)
        times.append(time.perf_counter() - start)
        if result.returncode != 0:  # a figure of a failing run is no figure
            raise SystemExit(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stderr.decode()}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return times, peak


def interleaved(commands: Sequence[Sequence[str]], runs: int = 5) -> list[list[float]]:
    """Wall-clock seconds of each command, run in turn (a, b, a, b, ...), so that a change in the
    machine's load reaches every command alike; one list of times per command."""
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for k, cmd in enumerate(commands):
            times[k] += timed(cmd, runs=1)[0]
    return times


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


FLOOR_CHECK = "import casepress.model"
"""What any `check` must import before it reads a byte: casepress's start (core/codecache.py) and
the case model, that is pydantic and the model's classes."""
FLOOR_HTML = "import casepress.model, jinja2, markdown_it, yaml, click"
"""The same for an HTML build: the model, and the libraries the build cannot do without (Jinja
for the templates, markdown-it for the prose, PyYAML for the case, click for the command line)."""


def bench_check() -> None:
    """Cold `casepress check` of the reference case (target: at most 0.2 s on 2 cores), and the
    floor no check can go under: importing the case model."""
    compile_bytecode()
    check = [CASEPRESS, "check", str(REFERENCE.relative_to(REPO))]
    timed(check, runs=1)  # fills the library cache
    ours, floor, startup = interleaved([check, [sys.executable, "-c", FLOOR_CHECK], [sys.executable, "-c", "pass"]], runs=7)
    show("check reference case (cold process, warm cache)", ours, "<= 0.200 s")
    show(f"  floor: {FLOOR_CHECK}", floor)
    show("  python startup alone", startup)
    with tempfile.TemporaryDirectory() as empty:
        times, _ = timed(check, env={"CASEPRESS_CACHE_DIR": empty})
        show("check reference case (cold process, empty cache)", times)


def _inprocess(label: str, func: Callable[[], object], runs: int = 5, target: str = "") -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return show(label, times, target)


def bench_bib() -> None:
    """A 570-entry library parsed and converted (target 0.5 s); 48 references formatted (target 0.2 s)."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    import synth

    from casepress.cite.bibtex import load_bibliography
    from casepress.core.diagnostics import Diagnostics

    with tempfile.TemporaryDirectory() as work:
        library = Path(work) / "library570.bib"
        library.write_text(synth.library(570), encoding="utf-8")
        script = (
            "import sys, time; t=time.perf_counter(); from pathlib import Path;"
            "from casepress.cite.bibtex import load_bibliography; from casepress.core.diagnostics import Diagnostics;"
            f"n=len(load_bibliography([Path({str(library)!r})], Diagnostics()));"
            "print(time.perf_counter()-t, n)"
        )
        figures = []
        for _ in range(5):
            with tempfile.TemporaryDirectory() as empty:
                out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                     env={**os.environ, "CASEPRESS_CACHE_DIR": empty}, check=True).stdout.split()
                figures.append(float(out[0]))
        show(f"570-entry library, parse + convert (cold, incl. imports, n={out[1]})", figures, "<= 0.500 s")
        load_bibliography([library], Diagnostics())  # warm the cache
        times, _ = timed([sys.executable, "-c", script])
        show("570-entry library, unchanged (disk cache, incl. process start)", times)

    from casepress.cite.csl import Bibliography, CiteRef, find_style

    entries = load_bibliography([REFERENCE / "references.bib"], Diagnostics())
    items = [e.item for e in entries.values()]
    style = find_style("frontiers", [REPO / "templates" / "journals" / "frontiers"])
    clusters = [[CiteRef(key)] for key in entries]

    def format_all(use_cache: bool) -> None:
        bib = Bibliography(items, style, use_cache=use_cache)
        bib.cite(clusters)
        bib.entries()

    format_all(False)  # citeproc-py imported once, as in a build
    _inprocess("format 48 references, frontiers (no cache)", lambda: format_all(False), target="<= 0.200 s")
    format_all(True)
    _inprocess("format 48 references, frontiers (warm cache)", lambda: format_all(True))


def _markdown_version(work: Path) -> Path:
    """The reference article as pandoc Markdown: the same prose, citations and bibliography."""
    from casepress.core.diagnostics import Diagnostics
    from casepress.model import iter_prose
    from casepress.build.pipeline import check_case
    from casepress.core.project import Project

    checked = check_case(REFERENCE / "case.yaml", Project(REPO), Diagnostics())
    assert checked is not None
    parts = ["---", f"title: \"{checked.case.title}\"", "---", ""]
    for path, text in iter_prose(checked.case):
        if path[0] in ("title", "keywords", "figures", "tables", "timeline"):
            continue
        parts += [f"## {'.'.join(map(str, path))}", "", re.sub(r"@(fig|tbl)-[a-z0-9-]+(\[[^\]]*\])?", "Figure 1", str(text)), ""]
    markdown = work / "article.md"
    markdown.write_text("\n".join(parts), encoding="utf-8")
    return markdown


def bench_html() -> None:
    """Cold HTML-only build against pandoc --citeproc (target: ratio <= 1.0); warm rebuild <= 50 ms."""
    import pypandoc

    compile_bytecode()
    pandoc = pypandoc.get_pandoc_path()
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        markdown = _markdown_version(work)
        csl = REPO / "templates" / "journals" / "frontiers" / "frontiers.csl"
        build = [CASEPRESS, "build", str(REFERENCE.relative_to(REPO)), "--no-pdf", "--force", "-j", "1",
                 "--output", str(work / "out")]
        pandoc_html = [pandoc, str(markdown), "--citeproc", "--standalone", "--csl", str(csl),
                       "--bibliography", str(REFERENCE / "references.bib"), "-o", str(work / "pandoc.html")]
        timed(build, runs=1)  # the caches a rebuild finds (library, styles, validators, compiled code)
        ours, theirs, floor = interleaved([build, pandoc_html, [sys.executable, "-c", FLOOR_HTML]], runs=7)
        a = show("casepress build --no-pdf (cold process)", ours, "<= 1.0x pandoc")
        b = show("pandoc --citeproc standalone HTML (cold)", theirs)
        c = show(f"  floor: {FLOOR_HTML}", floor)
        print(f"{'  ratio casepress / pandoc':<48} {a / b:.2f}x")
        print(f"{'  ratio floor / pandoc':<48} {c / b:.2f}x  (the imports alone, no work)")

    from casepress.core.diagnostics import Diagnostics
    from casepress.build.pipeline import BuildOptions, gather
    from casepress.core.project import Project

    options = BuildOptions(output_root=Path(tempfile.gettempdir()), pdf=False)
    project = Project(REPO)
    def rebuild() -> None:
        diagnostics = Diagnostics()
        if gather(REFERENCE / "case.yaml", project, options, diagnostics) is None:  # a figure of a failure is no figure
            raise SystemExit("the reference case failed to build:\n" + "\n".join(d.format() for d in diagnostics))

    rebuild()
    _inprocess("warm HTML rebuild inside one process", rebuild, target="<= 0.050 s")


def bench_pdf() -> None:
    """Cold PDF build (HTML, PDF, checklist PDF) against bare `weasyprint` on the same HTML,
    interleaved (target <= 1.15x, <= 3 s, <= 300 MB); over the target, where the time goes."""
    compile_bytecode()
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        build = [CASEPRESS, "build", str(REFERENCE.relative_to(REPO)), "--outputs", "html,pdf,checklist",
                 "--force", "-j", "1", "--output", str(work / "out")]
        timed(build, runs=1)
        html = work / "out" / "dcis-bone-marrow" / "index.html"
        bare = [str(BIN / "weasyprint"), str(html), str(work / "bare.pdf")]
        (ours, theirs), (ours_cpu, theirs_cpu) = _interleaved_cpu([build, bare], runs=7)
        a = show("casepress build, HTML + PDF + checklist (cold)", ours, "<= 3.0 s, <= 1.15x weasyprint")
        b = show("bare weasyprint on the same HTML (cold)", theirs)
        print(f"{'  ratio casepress / weasyprint':<48} {a / b:.2f}x")
        cpu = statistics.median(ours_cpu) / statistics.median(theirs_cpu)
        print(f"{'  ratio of CPU time (user + system)':<48} {cpu:.2f}x  (less noisy on a shared machine)")
        for label, cmd in (("casepress build", build), ("bare weasyprint", bare)):
            peak = _peak_rss(cmd)
            print(f"{'  peak memory, ' + label:<48} {peak / 1024:.0f} MB{'  target <= 300 MB' if label.startswith('casepress') else ''}")
        if a > 3.0 or a / b > 1.15:
            print("  over the target: cProfile of one build (own time, top 20; the build's process only:"
                  " the layout worker's time shows as posix.readv, waiting for its answer)")
            print("\n".join(f"    {line}" for line in _profile(build, work / "build.prof", 20)))


def _interleaved_cpu(commands: Sequence[Sequence[str]], runs: int) -> tuple[list[list[float]], list[list[float]]]:
    """Wall-clock and CPU seconds (user + system, the process and its children) of each command,
    run in turn (a, b, a, b, ...)."""
    walls: list[list[float]] = [[] for _ in commands]
    cpus: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for k, cmd in enumerate(commands):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            walls[k] += timed(cmd, runs=1)[0]
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus[k].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return walls, cpus


def _profile(cmd: Sequence[str], out: Path, top: int) -> list[str]:
    """The ``top`` functions by own time of one run of ``cmd`` (a Python script) under cProfile."""
    import io
    import pstats

    subprocess.run([sys.executable, "-m", "cProfile", "-o", str(out), *cmd], cwd=REPO, capture_output=True, check=True)
    text = io.StringIO()
    pstats.Stats(str(out), stream=text).sort_stats("tottime").print_stats(top)
    lines = text.getvalue().splitlines()
    first = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
    return [line for line in lines[first:] if line.strip()]


def bench_outputs() -> None:
    """What JATS and Word add to the reference case's full build (target <= 10%), interleaved."""
    compile_bytecode()
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)

        def build(outputs: str) -> list[str]:
            return [CASEPRESS, "build", str(REFERENCE.relative_to(REPO)), "--outputs", outputs,
                    "--force", "-j", "1", "--output", str(work / outputs.replace(",", "-"))]

        base, more = build("html,pdf,checklist"), build("html,pdf,checklist,jats,docx")
        without, with_ = interleaved([base, more])
        a = show("build: HTML, PDF, checklist", without)
        b = show("build: the same, plus JATS and DOCX", with_, "<= +10%")
        print(f"{'  JATS and DOCX add':<48} {100 * (b / a - 1):+.1f}%")


def _peak_rss(cmd: Sequence[str], interval: float = 0.02) -> int:
    """Peak resident memory (KiB) of one run of ``cmd``, its whole process tree (a build's layout
    worker runs beside it): each process's own peak (VmHWM, sampled from /proc every ``interval``
    seconds while it lives), added up. Peaks that did not coincide, and pages a fork shares,
    count in full: the figure errs high."""
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peaks: dict[int, int] = {}
    while proc.poll() is None:
        for pid in _tree(proc.pid):
            peaks[pid] = max(peaks.get(pid, 0), _status_kib(pid, "VmHWM"))
        time.sleep(interval)
    return sum(peaks.values())


def _tree(pid: int) -> list[int]:
    """``pid`` and every process below it, from /proc."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += _children(current)
    return found


def _status_kib(pid: int, field: str) -> int:
    """A memory figure (KiB) of ``pid`` from /proc/<pid>/status; 0 when it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    match = re.search(rf"{field}:\s+(\d+)", status)
    return int(match.group(1)) if match else 0


TEMPLATE = REPO / "tests" / "samples" / "ankle-fracture"
"""The template of the synthetic batches (benchmarks/synth.py varies its length)."""


def _children(pid: int) -> list[int]:
    """The child processes of ``pid`` (a batch's workers), from /proc."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _watch_workers(cmd: Sequence[str], cwd: Path, interval: float = 0.1) -> tuple[float, list[float], dict[int, int]]:
    """Run ``cmd`` (a batch build): wall seconds, when (seconds from the start) each case finished
    (its CI progress line), and each worker's peak RSS (VmHWM, KiB, sampled from /proc)."""
    import threading

    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "CI": "1"})
    finished: list[float] = []

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            if re.match(r"\[\d+/\d+\] ", line):
                finished.append(time.perf_counter() - start)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    peaks: dict[int, int] = {}
    while proc.poll() is None:
        for child in _children(proc.pid):
            peak = _status_kib(child, "VmHWM")
            if peak:
                peaks[child] = max(peaks.get(child, 0), peak)
        time.sleep(interval)
    reader.join()
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode})")
    return elapsed, finished, peaks


def bench_batch() -> None:
    """100 synthetic cases of varied length (every tenth much longer) with --jobs 1 and 2: cases per
    minute per core, the speed-up (target >= 1.8x), the idle tail, peak RSS per worker; their
    no-op rebuild (<= 1 s).

    CASEPRESS_BENCH_SIZES=10 runs another size; CASEPRESS_BENCH_PDF=0 builds HTML only."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    import synth

    compile_bytecode()
    pdf = [] if os.environ.get("CASEPRESS_BENCH_PDF", "1") == "1" else ["--no-pdf"]
    sizes = [int(n) for n in os.environ.get("CASEPRESS_BENCH_SIZES", "100").split(",")]
    for n in sizes:
        with tempfile.TemporaryDirectory() as work_dir:
            work = Path(work_dir)
            synth.varied_cases(n, TEMPLATE, work, long_every=10)
            results = {}
            for jobs in (1, 2):
                # a first build records each case's time; the measured one is scheduled by it
                build = [CASEPRESS, "build", "--force", "-j", str(jobs), *pdf]
                if jobs == 1:
                    subprocess.run(build, cwd=work, capture_output=True, check=True)
                elapsed, finished, peaks = _watch_workers(build, work)
                results[jobs] = elapsed
                per_core = n / (elapsed / 60) / jobs
                print(f"{f'{n} cases, --jobs {jobs}':<48} {elapsed:.2f} s ({per_core:.1f} cases per minute per core)")
                if jobs > 1 and len(finished) >= jobs:
                    # from the moment the queue ran dry (a worker finished and found nothing) to the last case
                    print(f"{'  idle tail (a worker idle -> last case done)':<48} {finished[-1] - finished[-jobs]:.2f} s")
                for pid, peak in sorted(peaks.items()) if jobs > 1 else ():  # --jobs 1 builds in-process
                    print(f"{f'  peak RSS of worker {pid}':<48} {peak / 1024:.0f} MB")
            print(f"{f'  speed-up with 2 jobs ({n} cases)':<48} {results[1] / results[2]:.2f}x  target >= 1.8x")
            times = []
            for _ in range(5):
                start = time.perf_counter()
                subprocess.run([CASEPRESS, "build", *pdf], cwd=work, capture_output=True, check=True)
                times.append(time.perf_counter() - start)
            show(f"  no-op rebuild of {n} cases", times, "<= 1.000 s" if n == 100 else "")


def bench_noop() -> None:
    """The no-op rebuild of 10,000 small synthetic cases (target <= 10 s on 2 cores), built once
    with --outputs html; over the target, a cProfile of one run shows where the time goes.

    CASEPRESS_BENCH_NOOP=N for another count; CASEPRESS_BENCH_KEEP=DIR keeps the built project
    there (and reuses it on the next run: the build takes minutes)."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    import synth

    compile_bytecode()
    n = int(os.environ.get("CASEPRESS_BENCH_NOOP", "10000"))
    keep = os.environ.get("CASEPRESS_BENCH_KEEP")
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(keep) if keep else Path(scratch)
        build = [CASEPRESS, "build", "--outputs", "html", "-j", "2"]
        if not (work / "cases").is_dir():
            synth.varied_cases(n, TEMPLATE, work)
        start = time.perf_counter()
        subprocess.run(build, cwd=work, capture_output=True, check=True)  # (only what is missing, when kept)
        print(f"{f'{n} small cases, first build (--outputs html -j 2)':<48} {time.perf_counter() - start:.1f} s")
        times, cpu = [], []
        for _ in range(5):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            result = subprocess.run(build, cwd=work, capture_output=True, text=True, check=True)
            times.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            if f"0 built, 0 failed, {n} unchanged" not in result.stderr:
                raise SystemExit(f"not a no-op: {result.stderr[-300:]}")
        median = show(f"  no-op rebuild of {n} cases", times, "<= 10.000 s" if n == 10000 else "")
        show("    its CPU time (user + system; on a shared machine)", cpu)
        if median > 10.0:
            profile = subprocess.run([sys.executable, "-m", "cProfile", "-s", "cumtime", CASEPRESS, *build[1:]],
                                     cwd=work, capture_output=True, text=True, check=True).stdout
            print("  over the target: cProfile of one no-op rebuild (cumulative, top 25)")
            print("\n".join(f"    {line}" for line in profile.splitlines()[:34]))


def bench_refs() -> None:
    """`casepress refs` of a 571-entry library against `pandoc --citeproc` on the same .bib and
    style (issue 12: ratio at most 1.0 cold with an empty cache; warm at most 0.15 s)."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    import synth
    from casepress.cite.csl import find_style

    try:
        import pypandoc  # type: ignore[import-untyped]
    except ImportError:
        print("refs: pypandoc is not installed (pip install '.[test]')")
        return
    compile_bytecode()
    with tempfile.TemporaryDirectory() as work:
        library = Path(work) / "library571.bib"
        library.write_text(synth.library(571), encoding="utf-8")
        document = Path(work) / "all.md"
        document.write_text("---\nnocite: '@*'\n---\n", encoding="utf-8")
        for style in ("nlm-citation-sequence", "apa"):
            csl = str(find_style(style))
            pandoc = [pypandoc.get_pandoc_path(), "--citeproc", "--bibliography", str(library),
                      "--csl", csl, str(document), "-t", "plain"]
            ours: list[float] = []
            theirs: list[float] = []
            for _ in range(5):  # cold: a fresh process and an empty cache each run
                with tempfile.TemporaryDirectory() as empty:
                    times, _ = timed([CASEPRESS, "refs", str(library), "--style", style], runs=1,
                                     env={"CASEPRESS_CACHE_DIR": empty})
                    ours += times
                # in turn with ours: on a shared machine the load drifts, and reaches both alike
                theirs += timed(pandoc, runs=1)[0]
            cold = show(f"refs 571 entries, {style} (cold, empty cache)", ours)
            peer = show(f"  pandoc --citeproc, {style}", theirs)
            print(f"{'  ratio casepress / pandoc':<48} {cold / peer:.2f}  target <= 1.00")
            with tempfile.TemporaryDirectory() as cache:
                env = {"CASEPRESS_CACHE_DIR": cache}
                timed([CASEPRESS, "refs", str(library), "--style", style], runs=1, env=env)
                warm, _ = timed([CASEPRESS, "refs", str(library), "--style", style], env=env)
                show(f"refs 571 entries, {style} (warm cache)", warm, "<= 0.150 s")


def _importtime(args: Sequence[str], top: int = 15) -> list[tuple[int, str]]:
    """The ``top`` imports by cumulative microseconds of one cold ``casepress ARGS`` (``-X importtime``)."""
    cmd = [sys.executable, "-X", "importtime", "-c", "import sys; from casepress.cli import main; sys.exit(main(sys.argv[1:]))", *args]
    err = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False).stderr
    rows = []
    for line in err.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].rstrip()))
    return sorted(rows, reverse=True)[:top]


def bench_imports() -> None:
    """`python -X importtime` of `check` and `build --no-pdf`: the heaviest imports (cumulative), so a regression shows."""
    compile_bytecode()
    with tempfile.TemporaryDirectory() as work:
        for label, args in (("check", ["check", str(REFERENCE.relative_to(REPO))]),
                            ("build --no-pdf", ["build", str(REFERENCE.relative_to(REPO)), "--no-pdf", "--force",
                                                "-j", "1", "--output", work])):
            print(f"import profile of `casepress {label}` (cumulative ms, top 15)")
            for micros, name in _importtime(args):
                print(f"  {micros / 1000:8.1f} ms {name}")


BENCHMARKS: dict[str, Callable[[], None]] = {
    "refs": bench_refs,
    "check": bench_check,
    "imports": bench_imports,
    "bib": bench_bib,
    "html": bench_html,
    "pdf": bench_pdf,
    "outputs": bench_outputs,
    "batch": bench_batch,
    "noop": bench_noop,
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
