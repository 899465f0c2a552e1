"""The Word manuscript's building blocks, with python-docx.

Modules: ``reference``
(casepress's reference document: its styles, double spacing and line numbering as options;
``scripts/make-reference-docx`` writes ``templates/base/reference.docx`` with it), ``lookup``
(a journal's own ``reference.docx`` through the template chain), ``runs`` (neutral inline
nodes and Markdown prose as Word runs), ``document`` (the manuscript: title page, sections,
figures, tables, references, document properties).

Why python-docx and not pandoc's docx writer: the manuscript needs things pandoc's writer does
not give from a reference document alone — table header rows marked to repeat
(``w:tblHeader``), an alt text per picture as Word's description (``docPr/@descr``) for panel
images, affiliation superscripts on the title page, core properties (keywords, language) —
and pandoc would be a 150 MB run-time dependency run as a subprocess per case, fed a
document we would first have to write in its Markdown or JSON. python-docx is pure Python
over lxml, runs in the build's process, and opens the journal's reference document as the
starting point, so its styles, margins, line numbering and spacing apply unchanged. pandoc
stays in the tests, as the independent reader of the result.
"""

from __future__ import annotations
