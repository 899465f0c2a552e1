"""Shared ground every stage stands on: diagnostics, the table of limits, the one path-confinement
rule, the project layout, the digest cache, reproducible timestamps and the internal-error guard.
"""
