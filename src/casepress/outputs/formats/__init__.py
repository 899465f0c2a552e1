"""One module per output format, each defining ``OUTPUT`` (a :class:`casepress.outputs.spec.Output`).

The modules import only this package's :mod:`~casepress.outputs.spec` at import time; each
writer imports its library (WeasyPrint, lxml, python-docx) when it runs, so ``casepress check``
and a no-op rebuild, which read the registry, stay fast.
"""

from __future__ import annotations
