"""One settings object: every path the project uses, anchored at the project root.

Each path can be overridden by an environment variable (``COOP_ROOT``, ``COOP_RAW_DIR``,
``COOP_MARTS_DIR``, ``COOP_REPORTS_DIR``, ``COOP_SEEDS_DIR``, ``COOP_SQL_DIR``,
``COOP_INDICES_FILE``, ``COOP_REPORTS_FILE``, ``COOP_DUCKDB_TEMP_DIR``; and DuckDB's memory
cap ``COOP_DUCKDB_MEMORY_LIMIT``), which is how the
tests point a run at fixture data without touching the shipped inputs.

`coop fetch` limits: ``COOP_FETCH_FILE_DIR`` is the one local directory a ``file://`` url in
raw/sources.toml may read from (unset: ``file://`` urls are refused), and
``COOP_FETCH_MAX_BYTES`` caps the size of one download (default 2 GiB).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


DEFAULT_FETCH_MAX_BYTES = 2 * 1024**3
# A suite of more rows than this is evaluated inside DuckDB (pipelines/gate_sql.py), with
# GX's semantics and GX's Data Docs; 0: every suite with rows whose expectations all have a
# translation (all of them today).  GX's own run of a shipped-size suite costs 0.2-1.4 s of
# per-suite overhead (issue 15, BENCHMARKS.md); at scale its pandas copy outgrows the cap.
DEFAULT_GATE_SQL_ROWS = 0


def _path_from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).resolve() if value else default


@dataclass(frozen=True)
class Settings:
    root: Path
    raw_dir: Path
    seeds_dir: Path
    sql_dir: Path
    marts_dir: Path
    reports_dir: Path
    indices_file: Path
    # reports.toml: the country group of the regional report page and the overview's defaults.
    reports_file: Path
    # How many earlier releases stay on disk after a publish, so a reader that opened one
    # just before the swap can finish.
    releases_to_keep: int = 3
    # `coop fetch`: the directory file:// urls may read from (None: no file:// url is allowed),
    # and the largest download accepted, in bytes.
    fetch_file_dir: Path | None = None
    fetch_max_bytes: int = DEFAULT_FETCH_MAX_BYTES
    # DuckDB's memory_limit for the refresh's connections (DuckDB syntax: "2GiB", "1500MB"):
    # past it DuckDB spills to `duckdb_temp_dir` instead of growing.  Default: an eighth of
    # the machine's memory, at least 1 GiB and at most 4 GiB (COOP_DUCKDB_MEMORY_LIMIT).
    duckdb_memory_limit: str = ""
    # Where DuckDB spills (COOP_DUCKDB_TEMP_DIR); default <marts>/.spill (DuckDB deletes its
    # spill files when the connection closes).
    duckdb_temp_dir: Path | None = None
    # The gate evaluates a suite of more rows than this inside DuckDB (pipelines/gate_sql.py)
    # instead of copying its rows into pandas for Great Expectations (COOP_GATE_SQL_ROWS).
    gate_sql_rows: int = DEFAULT_GATE_SQL_ROWS

    @property
    def sources_manifest(self) -> Path:
        return self.raw_dir / "sources.toml"

    @property
    def published_db(self) -> Path:
        return self.marts_dir / "coop.duckdb"

    @property
    def published_manifest(self) -> Path:
        return self.marts_dir / "manifest.json"

    @property
    def current_release(self) -> Path:
        """Symlink to the live release directory; swapping it is the atomic publish."""
        return self.marts_dir / "current"

    @property
    def releases_dir(self) -> Path:
        return self.marts_dir / "releases"

    @property
    def build_dir(self) -> Path:
        """Where a refresh builds before publishing: inside marts/ so os.replace stays atomic."""
        return self.marts_dir / ".build"

    @property
    def lock_file(self) -> Path:
        return self.marts_dir / ".refresh.lock"

    # The event layer (docs/events.md). Its Parquet lake can be large: COOP_EVENTS_LAKE moves it
    # (a local path; object storage is for a Spark cluster, see the docs).
    @property
    def events_raw_dir(self) -> Path:
        """The shipped event samples and their manifest (raw/events/sources.toml)."""
        return self.raw_dir / "events"

    @property
    def events_lake_dir(self) -> Path:
        return _path_from_env("COOP_EVENTS_LAKE", self.root / "lake" / "events")

    @property
    def events_marts_dir(self) -> Path:
        """Published event releases (marts/events/current -> releases/<run>)."""
        return self.marts_dir / "events"

    @property
    def event_engine(self) -> str:
        """`duckdb` (default) or `spark` (COOP_EVENT_ENGINE)."""
        return os.environ.get("COOP_EVENT_ENGINE", "duckdb").strip().lower()

    @property
    def spark_remote(self) -> str:
        """Spark Connect url (`sc://host:15002`) or `local[N]` (COOP_SPARK_REMOTE)."""
        return os.environ.get("COOP_SPARK_REMOTE", "local[2]").strip()

    @property
    def events_duckdb_memory_limit(self) -> str:
        """DuckDB's memory cap for the event models (COOP_EVENTS_DUCKDB_MEMORY)."""
        return os.environ.get("COOP_EVENTS_DUCKDB_MEMORY", "1GB").strip()
    @property
    def duckdb_spill_dir(self) -> Path:
        # Beside marts/.build/, not in it: a refresh leaves .build/ empty (the fault tests
        # check it), and DuckDB removes its spill files itself when a connection closes.
        return self.duckdb_temp_dir or self.marts_dir / ".spill"

    @property
    def state_dir(self) -> Path:
        """coop's local state that is not data: the record and log of its Prefect server."""
        return self.root / ".coop"


def default_duckdb_memory_limit() -> str:
    """An eighth of the machine's memory, within [1 GiB, 4 GiB], in MiB (DuckDB syntax)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        total = 8 << 30
    mib = min(max(total // 8, 1 << 30), 4 << 30) >> 20
    return f"{mib}MiB"


def get_settings() -> Settings:
    root = _path_from_env("COOP_ROOT", PROJECT_ROOT)
    return Settings(
        root=root,
        raw_dir=_path_from_env("COOP_RAW_DIR", root / "raw"),
        seeds_dir=_path_from_env("COOP_SEEDS_DIR", root / "seeds"),
        sql_dir=_path_from_env("COOP_SQL_DIR", root / "sql"),
        marts_dir=_path_from_env("COOP_MARTS_DIR", root / "marts"),
        reports_dir=_path_from_env("COOP_REPORTS_DIR", root / "reports"),
        indices_file=_path_from_env("COOP_INDICES_FILE", root / "indices.toml"),
        reports_file=_path_from_env("COOP_REPORTS_FILE", root / "reports.toml"),
        fetch_file_dir=(
            Path(os.environ["COOP_FETCH_FILE_DIR"]).resolve()
            if os.environ.get("COOP_FETCH_FILE_DIR") else None
        ),
        fetch_max_bytes=_bytes_from_env("COOP_FETCH_MAX_BYTES", DEFAULT_FETCH_MAX_BYTES),
        duckdb_memory_limit=(os.environ.get("COOP_DUCKDB_MEMORY_LIMIT", "").strip()
                             or default_duckdb_memory_limit()),
        duckdb_temp_dir=(_path_from_env("COOP_DUCKDB_TEMP_DIR", Path())
                         if os.environ.get("COOP_DUCKDB_TEMP_DIR") else None),
        gate_sql_rows=_count_from_env("COOP_GATE_SQL_ROWS", DEFAULT_GATE_SQL_ROWS),
    )


def _count_from_env(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        from pipelines.errors import CoopError

        raise CoopError(f"{name}={value!r}: must be a whole number of rows (0 or more).")
    return int(value)


def _bytes_from_env(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) <= 0:
        from pipelines.errors import CoopError

        raise CoopError(f"{name}={value!r}: must be a whole number of bytes greater than 0.")
    return int(value)
