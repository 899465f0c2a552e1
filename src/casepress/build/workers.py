"""Worker processes for a batch: they die with their parent, ignore Ctrl-C, and stop at once.

- **No orphans.** Each worker asks the kernel for SIGKILL when its parent dies
  (``prctl(PR_SET_PDEATHSIG)`` on Linux, through ctypes) and, everywhere, a
  watcher thread exits it as soon as its parent pid changes. ``kill -9`` of the
  main process leaves no worker building (or writing) behind.
- **Ctrl-C.** Workers ignore SIGINT (the terminal sends it to the whole process
  group); the main process gets the KeyboardInterrupt, kills its workers and
  drops the queued cases, so an interrupted batch returns at once. A worker
  killed in the middle of a swap leaves a journal record that the main process
  settles (:mod:`casepress.build.publish`).
- **A worker that dies** (out of memory, a crash in a C library) breaks the pool:
  the cases that were not finished are built again once in a fresh pool, and a
  case that breaks that one too is reported by ``on_error``.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

R = TypeVar("R")
Job = tuple[Any, ...]

PR_SET_PDEATHSIG = 1
"""From <linux/prctl.h>."""
WATCH_INTERVAL = 0.25
"""Seconds between the watcher thread's looks at the parent pid."""


def die_with_parent(parent: int) -> None:
    """Make this process end when ``parent`` does (call first thing in a child)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the watcher still works
            pass
    if os.getppid() != parent:  # the parent died before we could ask
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(WATCH_INTERVAL)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="casepress-parent-watch", daemon=True).start()


def become_worker(parent: int) -> None:
    """Make this process a worker of ``parent``: Ctrl-C is the parent's to handle (it kills its
    workers), and the worker ends when the parent does (call first thing in a child)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent)


def _initializer(parent: int, warm_up: Callable[[], None] | None) -> None:
    become_worker(parent)
    if warm_up is not None:
        warm_up()


def run_parallel(
    fn: Callable[..., R],
    jobs: Sequence[Job],
    workers: int,
    on_done: Callable[[R], None],
    on_error: Callable[[Job, BaseException], R],
    warm_up: Callable[[], None] | None = None,
) -> None:
    """Run ``fn(*job)`` for every job in up to ``workers`` processes; ``on_done`` gets each result
    as it ends (an exception becomes ``on_error(job, exc)``). KeyboardInterrupt stops everything
    at once and propagates."""
    from concurrent.futures.process import BrokenProcessPool

    remaining = list(jobs)
    for last in (False, True):
        broken = _round(fn, remaining, workers, on_done, on_error, warm_up)
        if not broken:
            return
        remaining = broken
        if last:
            for job in remaining:
                on_done(on_error(job, BrokenProcessPool("the worker process building this case died")))


def _round(
    fn: Callable[..., R], jobs: Sequence[Job], workers: int, on_done: Callable[[R], None],
    on_error: Callable[[Job, BaseException], R], warm_up: Callable[[], None] | None,
) -> list[Job]:
    """One pool over ``jobs``; returns the jobs lost to a broken pool, in their order."""
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    pool = None
    lost: set[int] = set()
    try:
        pool = ProcessPoolExecutor(max_workers=min(workers, len(jobs)), initializer=_initializer,
                                   initargs=(os.getpid(), warm_up))
        futures = {pool.submit(fn, *job): i for i, job in enumerate(jobs)}
        for future in as_completed(futures):
            index = futures[future]
            try:
                result = future.result()
            except BrokenProcessPool:
                lost.add(index)
                continue
            except Exception as exc:  # e.g. a result that cannot be pickled
                result = on_error(jobs[index], exc)
            on_done(result)
    except BaseException:
        if pool is not None:
            stop(pool)
        raise
    pool.shutdown(wait=True)
    return [job for i, job in enumerate(jobs) if i in lost]


def stop(pool: Any) -> None:
    """Kill a ProcessPoolExecutor's workers now and drop its queue."""
    terminate = getattr(pool, "kill_workers", None)  # Python 3.14+
    if terminate is not None:
        terminate()
    else:
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            try:
                process.kill()
            except (OSError, ValueError):  # already gone
                pass
    pool.shutdown(wait=True, cancel_futures=True)
