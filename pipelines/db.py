"""The one connection factory: every DuckDB connection the project opens comes from here.

DuckDB refuses to mix read-only and read-write connections to one file in one process
(duckdb/duckdb#17395), and a writer cannot open a file an analyst holds, so the refresh writes
only to files of its own run and analysts open published files read-only.

The refresh's connections carry the settings' memory cap (``memory_limit``) and spill
directory (``temp_directory``): past the cap DuckDB's joins, aggregates and sorts spill to disk
instead of growing, so a refresh at many times the shipped volume stays within a declared
amount of memory.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.errors import CoopError, NoPublishedMartsError
from pipelines.settings import Settings, get_settings


def work_config(settings: Settings) -> dict[str, str]:
    """DuckDB configuration of a refresh's connections: memory cap and spill directory."""
    return {
        "memory_limit": settings.duckdb_memory_limit,
        "temp_directory": str(settings.duckdb_spill_dir),
    }


def connect_work(path: Path, settings: Settings | None = None) -> duckdb.DuckDBPyConnection:
    """Read-write connection to a refresh's private working database, memory-capped."""
    settings = settings or get_settings()
    path.parent.mkdir(parents=True, exist_ok=True)
    settings.duckdb_spill_dir.mkdir(parents=True, exist_ok=True)
    try:
        return duckdb.connect(str(path), config=work_config(settings))
    except duckdb.Error as exc:
        if "memory" not in str(exc).lower():
            raise
        raise CoopError(
            f"DuckDB memory limit {settings.duckdb_memory_limit!r} is not valid ({exc}). Set "
            f"COOP_DUCKDB_MEMORY_LIMIT to an amount such as 2GiB or 1500MB, or unset it."
        ) from exc


def connect_published(path: Path) -> duckdb.DuckDBPyConnection:
    """Read-only connection to the published marts."""
    if not path.exists():
        raise NoPublishedMartsError(
            f"{path}: no published marts yet. Run `coop refresh` (or `make run`) first."
        )
    return duckdb.connect(str(path), read_only=True)
