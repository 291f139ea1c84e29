"""Benchmarks for issue 6: each figure measured beside its reference in the same run.

Run `python -m benchmarks` (or `python benchmarks/run.py`) from the repository root.
Nothing is imported here, so a reference app started as part of the package pays for
no more than it needs.
"""
