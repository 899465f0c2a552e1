"""``jats``: ``<slug>.xml``, the article as JATS Journal Publishing 1.1 (:mod:`casepress.outputs.jats`).

In the case's folder its graphics point at the figures beside it (``figures/figure-1.svg``);
the submission zip holds its own copy, pointing at the package's names (``Figure-1.svg``,
``Figure-1.png``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from casepress.outputs.spec import Output, one_file

if TYPE_CHECKING:
    from casepress.core.diagnostics import Diagnostics
    from casepress.stages.work import CaseWork


def xml_name(slug: str) -> str:
    """``<slug>.xml``."""
    return f"{slug}.xml"


def jats_bytes(work: CaseWork, hrefs: Mapping[str, Sequence[str]] | None = None) -> bytes:
    """The JATS file, its journal metadata (ISSN, publisher) from the journal's journal.yaml."""
    from casepress.outputs.jats.writer import write_jats

    config = work.resolved.journal.config
    return write_jats(work.resolved, work.when.date(), hrefs, issn=config.issn, publisher=config.publisher)


def write(work: CaseWork, diagnostics: Diagnostics) -> bool:
    """Write the case's JATS file."""
    work.jats = jats_bytes(work)
    work.blobs[xml_name(work.checked.slug)] = work.jats
    return True


OUTPUT = Output(
    name="jats",
    summary="<slug>.xml, JATS Journal Publishing 1.1 (article-type case-report)",
    files=one_file("jats", xml_name),
    write=write,
)
