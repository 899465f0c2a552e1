"""casepress's citation engine, split by job (issue 10): BibTeX conversion and CSL
formatting move here from ``bibtex.py`` and ``csl.py`` piece by piece; those modules stay
importable with their public names. The package is ``citation``, not ``cite``, because
``casepress/cite.py`` (the case's citation resolution, owned by the inputs stage) keeps
its name and its importers.
"""
