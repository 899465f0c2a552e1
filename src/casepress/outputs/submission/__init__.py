"""The submission package: figures as separate files, SVGs also as 300 dpi PNG, the zip.

Modules: ``raster`` (SVG to PNG with resvg and casepress's own fonts), ``figures`` (every
figure and panel image as ``Figure-1A.png``, from the stripped bytes), ``package`` (the
deterministic ``<slug>-submission.zip`` with its ``manifest.json``).
"""

from __future__ import annotations
