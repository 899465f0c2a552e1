"""biblatex's localisation keys and eprint types, as English text and links.

A field whose whole value is a key (``type = {mathesis}``, ``series = {newseries}``)
prints as biblatex prints it in English; an ``eprint`` of a known ``eprinttype`` becomes
the identifier or URL pandoc makes of it.
"""

from __future__ import annotations

LOCALISATION_KEYS = {
    "newseries": "new series", "oldseries": "old series", "inpress": "in press",
    "submitted": "submitted", "forthcoming": "forthcoming", "inpreparation": "in preparation",
    "prepublished": "pre-published", "mathesis": "Master's thesis", "phdthesis": "PhD thesis",
    "candthesis": "Candidate thesis", "techreport": "technical report", "resreport": "research report",
    "software": "computer software", "datacd": "CD-ROM", "audiocd": "audio CD", "manual": "manual",
    "patent": "patent", "patentde": "German patent", "patenteu": "European patent",
    "patentfr": "French patent", "patentuk": "British patent", "patentus": "U.S. patent",
    "patreq": "patent request", "patreqde": "German patent request", "patreqeu": "European patent request",
    "patreqfr": "French patent request", "patrequk": "British patent request",
    "patrequs": "U.S. patent request", "countryde": "Germany", "countryeu": "European Union",
    "countryfr": "France", "countryuk": "United Kingdom", "countryus": "United States",
    "volume": "volume", "edition": "edition", "reprint": "reprint",
}
"""biblatex's English strings for its keys (``english.lbx``)."""

EPRINT_URLS = {
    "arxiv": "https://arxiv.org/abs/{}",
    "googlebooks": "https://books.google.com?id={}",
    "jstor": "https://www.jstor.org/stable/{}",
    "hdl": "https://hdl.handle.net/{}",
}
"""eprint types that become a URL (as pandoc's reader makes them)."""


def localised(value: str) -> str:
    """``value`` in English when it is a localisation key, else unchanged."""
    return LOCALISATION_KEYS.get(value.strip().lower(), value)
