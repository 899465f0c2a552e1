"""Citations: the BibTeX library read and converted to CSL-JSON (`bibtex`), formatted with
citeproc-py (`csl`), the case's bibliography files (`library`), and the `refs` command.
"""
