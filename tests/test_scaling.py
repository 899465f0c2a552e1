"""Every checking stage grows linearly with adversarial input: n versus 4n, not wall-clock limits.

Each test times a stage (CPU time, best of five, with the cyclic collector off) on input of size n and 4n. Linear work
takes about four times as long; quadratic work sixteen times. The bound of 8 tells them
apart with room for noise, on a slow machine as on a fast one.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from pathlib import Path

from casepress.core.diagnostics import Diagnostics
from casepress.text.markup import scan
from casepress.model import Timeline
from casepress.build.pipeline import check_case
from casepress.core.project import Project
from casepress.text.prose import ProseContext, render_block
from casepress.check.timeline import resolve_events

from .test_corpus import BASE

GROWTH_LIMIT = 8.0
"""Largest allowed time(4n) / time(n); linear is about 4, quadratic about 16."""


def _cpu(run: Callable[[], object]) -> float:
    # The cyclic collector is off while timing, as in timeit: late in a full test run the
    # heap is large, and each full collection costs in proportion to it, not to the input,
    # which once made linear work look x11 (CI, 2026-12-02).
    best = float("inf")
    gc.collect()
    gc.disable()
    try:
        for _ in range(5):
            start = time.process_time()
            run()
            best = min(best, time.process_time() - start)
    finally:
        gc.enable()
    return max(best, 1e-6)


def assert_linear(make: Callable[[int], Callable[[], object]], n: int) -> None:
    """``make(size)`` prepares the input and returns the work to time."""
    small, large = _cpu(make(n)), _cpu(make(4 * n))
    assert large / small < GROWTH_LIMIT, f"n={n}: {small:.3f} s, 4n: {large:.3f} s (x{large / small:.1f})"


def _case(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "cases" / name
    folder.mkdir(parents=True)
    (folder / "case.yaml").write_text(text, encoding="utf-8")
    return folder / "case.yaml"


def test_unresolved_citations_check_in_linear_time(tmp_path: Path) -> None:
    """Each '@a.' is an unknown citation, located in the file and reported (was 18 s for 20 KB)."""

    def make(n: int) -> Callable[[], object]:
        prose = "'" + "@a. " * n + "'"
        case_file = _case(tmp_path, f"cites-{n}", BASE.replace("[{text: Fixture.}]", f"[{{text: {prose}}}]"))

        def run() -> object:
            diagnostics = Diagnostics()
            check_case(case_file, Project(tmp_path), diagnostics)
            assert sum(d.code == "unknown-citation" for d in diagnostics.errors) == n
            return diagnostics

        return run

    assert_linear(make, 800)


def test_relative_dates_resolve_in_linear_time() -> None:
    """Each event dated before the next: one fixed-point pass per event was quadratic (165 s for 10,000)."""

    def make(n: int) -> Callable[[], object]:
        events = [{"id": f"e{i}", "date": {"before": f"e{i + 1}", "offset": "1 day"}, "kind": "history", "text": "x"}
                  for i in range(n - 1)]
        events.append({"id": f"e{n - 1}", "date": "2024-01-01", "kind": "history", "text": "x"})
        timeline = Timeline.model_validate({"events": events})
        return lambda: resolve_events(timeline)

    # 4,000 events: at 500 the small run took 3 ms, too short for the timer's noise (x8.5, CI).
    assert_linear(make, 4000)


def test_unclosed_brackets_and_backticks_scan_in_linear_time() -> None:
    """Each '[' looked for its ']' to the end of the paragraph; each backtick run for its closing run."""

    def make(n: int) -> Callable[[], object]:
        text = "[a @b " * n + "".join("`" * (k % 7 + 1) + "x" for k in range(n))
        return lambda: scan(text)

    assert_linear(make, 2000)


def test_unclosed_brackets_render_in_linear_time() -> None:
    """markdown-it asks the citation rule at every '[': the bracket matcher answers from one pass."""

    def make(n: int) -> Callable[[], object]:
        text = "Knee [see " * n
        return lambda: render_block(text, ProseContext(("discussion",), lambda group, ctx: ""))

    assert_linear(make, 1000)


def test_a_long_paragraph_renders_in_linear_time() -> None:
    def make(n: int) -> Callable[[], object]:
        text = "The patient *was* well and **walked** to the clinic. " * n
        return lambda: render_block(text, ProseContext(("discussion",), lambda group, ctx: ""))

    assert_linear(make, 1000)
