"""Operational cooperation indices (issue 4): composite index, partnership, multi-vector,
network and uncertainty measures, computed from the built marts.

The formulas live in small pure modules (normalise, composite, partnership, multivector,
network, uncertainty) so the tests can check them on hand-made frames; stage.py reads the
run's work database, calls them and writes the py_* tables the index marts select from.
The index is defined in indices.toml at the project root (see docs/methodology.md).
"""
