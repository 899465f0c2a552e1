"""The JATS writer's building blocks: JATS Journal Publishing 1.1 elements built with lxml.

Modules: ``xml`` (the element maker, namespaces, serialisation with the DOCTYPE), ``inline``
(neutral inline text, CSL rich text and Markdown prose as JATS mixed content), ``front``
(journal-meta and article-meta from the case), ``refs`` (ref-list from CSL-JSON items),
``body`` (sec, fig, table-wrap, xref), ``back`` (ack and the statements), ``article`` (the
whole ``<article>`` from its parts).

The builders take plain values (the :class:`~casepress.model.Case`, CSL-JSON items, numbers
and labels decided elsewhere): the resolve stage decides numbering, citation text and reading
order, and the JATS output module feeds its :class:`ResolvedCase` into these functions.
"""

from __future__ import annotations
