"""casepress: CARE-structured clinical case reports to journal-ready HTML and PDF."""

from __future__ import annotations

__version__ = "0.1.0"

# Before any dataclass is defined: their methods' compiled code is kept between runs
# (core/codecache.py says why: about a sixth of a cold start).
from casepress.core import codecache as _codecache

_codecache.install()
