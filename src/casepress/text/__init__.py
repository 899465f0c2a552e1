"""Prose of a case: the citation and cross-reference syntax (`[@key]`, `@fig-x`) scanned with
positions, and Markdown rendered with markdown-it.
"""
