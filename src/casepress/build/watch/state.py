"""What the preview tells the pages and the terminal: its settings, and the state hub.

Each build (and each PDF) replaces the one immutable :class:`PreviewState`; the
:class:`Hub` holds it and wakes every event stream waiting for a newer one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

from casepress.core.diagnostics import Diagnostic, Diagnostics, Severity, summary

EVENTS_PATH = "/__casepress/events"
"""The Server-Sent Events stream the injected script listens to (one ``build`` event per state)."""
STATE_PATH = "/__casepress/state"
"""The current state as JSON (handy for scripts and tests)."""
KEEPALIVE_SECONDS = 15.0
"""How often an idle event stream sends a comment, so a closed page is noticed and its thread ends."""


# ---------------------------------------------------------------------------------------
# Settings and state
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WatchSettings:
    """How to watch and serve."""

    host: str = "127.0.0.1"
    """Address to serve on (localhost by default: the preview is for the author only)."""
    port: int = 8000
    """Port to serve on; 0 picks a free one."""
    pdf: bool = True
    """Lay out the PDF in the background after each good HTML build."""
    step_ms: int = 20
    """Quiet time that ends a burst of saves: a rebuild starts once nothing changed for this long."""
    debounce_ms: int = 1600
    """Longest a burst is grouped before rebuilding anyway (someone saving in a loop)."""
    poll_ms: int = 300
    """How often an idle watcher returns to Python: to say it listens, and to re-check which folders to watch."""


@dataclass(frozen=True)
class PreviewState:
    """What the browser and the terminal are told after each build; one immutable value per change."""

    version: int = 0
    """Bumped on every change of state (the event id of the stream)."""
    generation: int = 0
    """Number of good builds so far: the build whose page is served (0: none yet)."""
    ok: bool = True
    """False when the latest edit broke the case (the last good page is still served)."""
    diagnostics: tuple[Diagnostic, ...] = ()
    """Diagnostics of the latest build attempt, sorted by place."""
    build_ms: float = 0.0
    """How long the latest HTML build took (every stage, not the writing)."""
    publish_ms: float = 0.0
    """How long writing the latest good build into the preview folder took."""
    pdf: Literal["off", "building", "ready", "failed"] = "off"
    """The latest PDF job: none (PDFs off), in progress, written, or failed (see ``pdf_diagnostics``)."""
    pdf_generation: int = 0
    """The good build the served PDF belongs to (0: none)."""
    pdf_diagnostics: tuple[Diagnostic, ...] = ()
    """Diagnostics of the latest PDF layout."""

    def to_json(self) -> dict[str, Any]:
        """The event's payload: diagnostics as the terminal prints them (file:line:col: ...)."""
        items = Diagnostics(list(self.diagnostics))
        return {
            "version": self.version,
            "generation": self.generation,
            "ok": self.ok,
            "summary": summary(items),
            "diagnostics": [d.format() for d in self.diagnostics],
            "build_ms": round(self.build_ms, 1),
            "pdf": self.pdf,
            "pdf_generation": self.pdf_generation,
            "pdf_diagnostics": [d.format() for d in self.pdf_diagnostics if d.severity is Severity.ERROR],
        }


class Hub:
    """The latest :class:`PreviewState`, and a condition every event stream waits on.

    The lock is also held while the preview folder is written, so that a page and
    the generation injected into it are always read together.
    """

    def __init__(self) -> None:
        self.lock = threading.Condition(threading.RLock())
        self._state = PreviewState()
        self.closed = False

    @property
    def state(self) -> PreviewState:
        """The current state."""
        with self.lock:
            return self._state

    def publish(self, **changes: Any) -> PreviewState:
        """Replace fields of the state, bump its version and wake every stream."""
        with self.lock:
            self._state = replace(self._state, version=self._state.version + 1, **changes)
            self.lock.notify_all()
            return self._state

    def wait_newer(self, version: int, timeout: float) -> PreviewState | None:
        """The state once its version is above ``version``; None on timeout or when closed."""
        with self.lock:
            self.lock.wait_for(lambda: self.closed or self._state.version > version, timeout)
            return self._state if not self.closed and self._state.version > version else None

    def wait_until(self, predicate: Callable[[PreviewState], bool], timeout: float) -> PreviewState | None:
        """The first state for which ``predicate`` holds, or None after ``timeout`` seconds."""
        with self.lock:
            ok = self.lock.wait_for(lambda: self.closed or predicate(self._state), timeout)
            return self._state if ok and predicate(self._state) else None

    def close(self) -> None:
        """End every event stream."""
        with self.lock:
            self.closed = True
            self.lock.notify_all()

