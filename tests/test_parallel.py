"""casepress.cite.parallel: pieces shared out among forked processes come back in order,
and a failure in a child is raised in the parent."""

from __future__ import annotations

import os
from collections.abc import Sequence

import pytest

from casepress.cite import parallel
from casepress.cite.csl import FormattingError


def _tagged(part: Sequence[int]) -> list[tuple[int, int]]:
    return [(n * n, os.getpid()) for n in part]


def test_split_map_keeps_the_order_and_uses_children(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEPRESS_CSL_PROCESSES", "3")
    pieces = list(range(3 * parallel.MIN_PER_PROCESS))
    result = parallel.split_map(_tagged, pieces)
    assert [value for value, _ in result] == [n * n for n in pieces]
    assert len({pid for _, pid in result}) == 3
    assert result[0][1] == os.getpid()


def test_a_childs_formatting_error_is_raised_in_the_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEPRESS_CSL_PROCESSES", "2")

    def fail_late(part: Sequence[int]) -> list[int]:
        if part[-1] == 2 * parallel.MIN_PER_PROCESS - 1:  # only the child's slice fails
            raise FormattingError("key7", "ValueError: bad date")
        return list(part)

    with pytest.raises(FormattingError) as caught:
        parallel.split_map(fail_late, list(range(2 * parallel.MIN_PER_PROCESS)))
    assert (caught.value.key, caught.value.message) == ("key7", "ValueError: bad date")


def test_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEPRESS_CSL_PROCESSES", "4")
    assert parallel.processes(4 * parallel.MIN_PER_PROCESS) == 4
    assert parallel.processes(2 * parallel.MIN_PER_PROCESS + 1) == 2
    assert parallel.processes(parallel.MIN_PER_PROCESS - 1) == 1
    monkeypatch.setenv("CASEPRESS_CSL_PROCESSES", "1")
    assert parallel.processes(10 * parallel.MIN_PER_PROCESS) == 1
    monkeypatch.delenv("CASEPRESS_CSL_PROCESSES")
    monkeypatch.setattr(os, "getloadavg", lambda: (9.0, 9.0, 9.0))
    assert parallel.processes(10 * parallel.MIN_PER_PROCESS) == 1  # busy cores: one process
    monkeypatch.setattr(os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0, 1})
    assert parallel.processes(10 * parallel.MIN_PER_PROCESS) == 2


def test_a_failure_in_the_parent_leaves_no_child(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEPRESS_CSL_PROCESSES", "2")
    parent = os.getpid()

    def fail_here(part: Sequence[int]) -> list[int]:
        if os.getpid() == parent:
            raise FormattingError("key0", "KeyError: 'x'")
        return list(part)

    with pytest.raises(FormattingError):
        parallel.split_map(fail_here, list(range(2 * parallel.MIN_PER_PROCESS)))
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # every child was reaped
