"""The one connection factory: every DuckDB connection the project opens comes from here.

DuckDB refuses to mix read-only and read-write connections to one file in one process
(duckdb/duckdb#17395), and a writer cannot open a file an analyst holds, so the refresh writes
only to files of its own run and analysts open published files read-only.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.errors import NoPublishedMartsError


def connect_work(path: Path) -> duckdb.DuckDBPyConnection:
    """Read-write connection to a refresh's private working database."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(path))


def connect_published(path: Path) -> duckdb.DuckDBPyConnection:
    """Read-only connection to the published marts."""
    if not path.exists():
        raise NoPublishedMartsError(
            f"{path}: no published marts yet. Run `coop refresh` (or `make run`) first."
        )
    return duckdb.connect(str(path), read_only=True)

