"""Independent pieces of one formatting run spread over the machine's cores, by fork.

Formatting a bibliography entry, once citeproc-py has sorted and disambiguated the
items, depends on that entry alone; with hundreds of entries (``casepress refs`` of a
whole library) it is most of the run. Forked children inherit the loaded style and the
prepared references, so nothing is set up twice; each formats its share and sends the
results back through a pipe (pickled: plain strings and dicts). Short lists, and systems
without ``fork``, run in the calling process, as does everything when
``CASEPRESS_CSL_PROCESSES=1``.
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_PER_PROCESS = 150
"""Fewer pieces than this per process are not worth a fork (about 10 ms each)."""


def processes(count: int) -> int:
    """How many processes share ``count`` pieces: one per idle core (as ``make -l`` judges
    it, by the load average; ``CASEPRESS_CSL_PROCESSES`` sets the number), at least
    :data:`MIN_PER_PROCESS` pieces each. On busy cores a second process only competes
    with the first: measured on 2 cores at load 7, two halves took longer than the whole."""
    if not hasattr(os, "fork") or sys.platform != "linux":
        return 1
    try:
        wanted = int(os.environ.get("CASEPRESS_CSL_PROCESSES", "0"))
    except ValueError:
        wanted = 0
    if wanted <= 0:
        cores = len(os.sched_getaffinity(0))
        wanted = min(cores, 1 + int(max(0.0, cores - os.getloadavg()[0])))
    return max(1, min(wanted, count // MIN_PER_PROCESS))


def split_map(func: Callable[[Sequence[T]], list[R]], pieces: Sequence[T]) -> list[R]:
    """``func(pieces)``, computed in slices by forked children and this process, in order.

    ``func`` must not change state the caller reads afterwards (a child's changes are
    lost). An exception in a child is raised here again (it must pickle)."""
    count = processes(len(pieces))
    if count == 1:
        return func(pieces)
    size = -(-len(pieces) // count)
    slices = [pieces[i : i + size] for i in range(0, len(pieces), size)]
    children = [_fork(func, part) for part in slices[1:]]
    try:
        results = func(slices[0])
    except BaseException:
        for pid, reader in children:  # no zombies: a child writing to a closed pipe ends
            os.close(reader)
            os.waitpid(pid, 0)
        raise
    for pid, reader in children:
        with os.fdopen(reader, "rb") as stream:
            data = stream.read()
        os.waitpid(pid, 0)
        ok, value = pickle.loads(data) if data else (False, RuntimeError("a formatting process died"))
        if not ok:
            raise value
        results.extend(value)
    return results


def _fork(func: Callable[[Sequence[T]], list[R]], part: Sequence[T]) -> tuple[int, int]:
    """A child computing ``func(part)``; its pid and the read end of its pipe."""
    reader, writer = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        os.close(writer)
        return pid, reader
    os.close(reader)  # the child: compute, send, and leave without running the parent's exit code
    code = 0
    try:
        try:
            payload = pickle.dumps((True, func(part)))
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
            payload = pickle.dumps((False, exc))
        with os.fdopen(writer, "wb") as stream:
            stream.write(payload)
    except BaseException:  # noqa: BLE001 - an unpicklable error: the parent reports a dead child
        code = 1
    os._exit(code)
