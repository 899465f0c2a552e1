"""casepress: CARE-structured clinical case reports to journal-ready HTML and PDF."""

from __future__ import annotations

__version__ = "0.1.0"
