"""The typed values that pass between the pipeline's stages, in one place.

    BuildOptions: check -> CheckedCase -> resolve -> ResolvedCase -> HTML writer -> RenderedHtml
          -> PDF writer -> RenderedPdf -> CARE checklist (located from the ResolvedCase and the
             PDF's anchor pages) -> CareChecklist -> BuiltCase -> written

A :class:`~casepress.stages.resolved.ResolvedCase` is format-neutral: every number, citation,
cross-reference label, float placement and generated table cell is decided in it, as plain
data (no HTML), so a writer (HTML, JATS, Word) only prints it. Prose stays Markdown: a writer
parses each field with :func:`casepress.text.prose.markdown` and looks up every citation or
cross-reference group it meets by :class:`~casepress.stages.resolved.GroupId` (the field and
the group's ordinal).

One module per stage that makes the values, so that a command imports only the ones it
reaches (``casepress check`` stops at ``checked``; each frozen dataclass costs about a
millisecond to create at import):

- :mod:`casepress.stages.checked`: ``CheckedCase``;
- :mod:`casepress.stages.resolved`: the ``ResolvedCase`` and its parts;
- :mod:`casepress.stages.work`: ``CaseWork`` (the writers' slots), ``RenderedHtml``,
  ``RenderedPdf``, ``FigureFile``, ``BuiltCase``;
- :mod:`casepress.stages.checklist`: the filled CARE checklist.

``BuildOptions``, the stages' first input, is :class:`casepress.core.options.BuildOptions`.
"""
