"""Every input limit casepress enforces, in one place (the README's "Limits" table lists them).

Each limit turns input that would exhaust memory or time (a YAML alias bomb, a
BibTeX macro bomb, a decompression-bomb image, a multi-gigabyte stray file)
into a located error at the field that named it. The values are far above what
a real case report needs.
"""

from __future__ import annotations

from casepress.core.confine import MiB

# --------------------------------------------------------------------------- files

MAX_CASE_BYTES = 4 * MiB
"""Size of ``case.yaml``."""
MAX_BIB_BYTES = 64 * MiB
"""Size of one ``.bib`` file."""
MAX_IMAGE_BYTES = 64 * MiB
"""Size of one figure or panel image."""
MAX_TEMPLATE_BYTES = 4 * MiB
"""Size of one template, stylesheet or CSL file."""
MAX_ASSET_BYTES = 64 * MiB
"""Size of one other file under a template folder's ``assets/`` (a font, an image)."""
MAX_HASHED_BYTES = 256 * MiB
"""A file in the case folder that no field names is hashed for the rebuild digest only up to this size."""

# --------------------------------------------------------------------------- YAML

MAX_YAML_NODES = 200_000
"""YAML nodes after alias expansion (counted while composing, so a billion-laughs document stops early)."""
MAX_YAML_DEPTH = 64
"""Nesting depth of mappings and sequences."""

# --------------------------------------------------------------------------- BibTeX

MAX_MACRO_LENGTH = 100_000
"""Characters one ``@string`` macro (or a field that uses macros) may expand to."""
MAX_FIELD_LENGTH = 20_000
"""Characters of one BibTeX field casepress converts (a title, a note, a name list); free
text it ignores (``abstract``, ``file``, ``keywords``...) is not limited."""
MAX_BRACE_DEPTH = 100
"""Nesting depth of braces in one BibTeX value (LaTeX is read recursively)."""

# --------------------------------------------------------------------------- images

MAX_IMAGE_PIXELS = 50_000_000
"""Pixels of one raster image (width x height); 50 megapixels is a 7000 x 7000 scan."""
MAX_FIGURES = 500
"""Figures and panels in one case."""

# --------------------------------------------------------------------------- dates

MIN_YEAR = 1800
"""Earliest year of a date or publication."""
MAX_YEAR = 2200
"""Latest year of a date or publication."""

# --------------------------------------------------------------------------- names

MAX_SLUG_LENGTH = 64
"""Characters of a case name given to ``casepress new`` (a folder name and part of every URL)."""

# --------------------------------------------------------------------------- templates

MAX_TEMPLATE_RESULT = 1_000_000
"""Characters or items a template's ``*`` or ``%`` may build, and bits its ``**`` may (the sandbox
refuses more, and Jinja then never folds such constants at compile time, which would hang)."""
