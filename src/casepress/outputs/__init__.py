"""Writers: each turns the resolved case (:class:`casepress.stages.resolved.ResolvedCase`) into one output:
HTML, PDF (through HTML), the CARE checklist, the collection page, JATS, Word, the submission zip.
"""
