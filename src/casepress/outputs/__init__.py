"""Writers: each turns the resolved case (:class:`casepress.stages.ResolvedCase`) into one output:
HTML, PDF (through HTML), the CARE checklist, the collection page, JATS, Word, the submission zip.
"""
