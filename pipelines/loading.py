"""Load stage: raw files, seeds and source coverage into the run's DuckDB database."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines import names
from pipelines.errors import InputFileError
from pipelines.incremental import UNCLAIMED_RAW
from pipelines.raw_manifest import Source, read_manifest
from pipelines.settings import Settings
from pipelines.sources import ADAPTERS, adapters_for_manifest, register
from pipelines.sources.base import load_csv


@dataclass
class LoadSummary:
    rows_by_table: dict[str, int] = field(default_factory=dict)
    checksums: dict[str, str] = field(default_factory=dict)
    # Per raw table (and one for the register): the sha256 of the bytes actually loaded, to
    # compare with the fingerprints the refresh was planned from.
    fingerprints: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def load_sources(con: duckdb.DuckDBPyConnection, settings: Settings) -> LoadSummary:
    """Verify and load every source in raw/sources.toml; refuse unknown or missing adapters."""
    sources = read_manifest(settings.sources_manifest)
    adapters = adapters_for_manifest(sources, str(settings.sources_manifest))
    summary = LoadSummary()
    for source_id, adapter in adapters.items():
        source = sources[source_id]
        # An adapter whose files are not CSV (a workbook) brings its own load_file.
        load_file = getattr(adapter, "load_file", load_csv)
        for spec in adapter.FILES:
            raw_file = source.file(spec.file_name)
            # Verified and loaded from one private copy (marts/.build/, removed after).
            rows, checksum = load_file(con, raw_file, spec, scratch_dir=settings.build_dir)
            summary.rows_by_table[spec.table] = rows
            summary.checksums[str(raw_file.path.relative_to(settings.raw_dir))] = checksum
            summary.fingerprints[spec.table] = checksum
        # Tables an adapter derives from its loaded files (e.g. Geo-PKO's parsed contributors).
        for derive in getattr(adapter, "AFTER_LOAD", ()):
            summary.rows_by_table.update(derive(con))
    register_dir = register.register_dir(settings.raw_dir)
    summary.rows_by_table[register.TABLE] = 0
    register_checksums = {}
    for loaded in register.load_files(con, register.register_files(register_dir)):
        summary.rows_by_table[register.TABLE] += loaded.rows
        name = str(loaded.path.relative_to(settings.raw_dir))
        summary.checksums[name] = register_checksums[name] = loaded.sha256
        summary.warnings += loaded.warnings
    summary.fingerprints[UNCLAIMED_RAW] = register.fingerprint(register_checksums)
    load_source_coverage(con, sources)
    summary.rows_by_table.update(load_seeds(con, settings.seeds_dir))
    summary.rows_by_table[names.TABLE] = load_name_resolution(con, settings)
    return summary


def load_name_resolution(con: duckdb.DuckDBPyConnection, settings: Settings) -> int:
    """Resolve the country names of every adapter that declares NAME_COLUMNS (see names.py)."""
    names_by_source: dict[str, set[str]] = {}
    for source_id, adapter in ADAPTERS.items():
        for table, columns in getattr(adapter, "NAME_COLUMNS", {}).items():
            found = names.distinct_names(con, table, columns)
            names_by_source.setdefault(source_id, set()).update(found)
    return names.build_resolution(con, names_by_source, settings.seeds_dir / names.OVERRIDES_SEED)


def load_source_coverage(con: duckdb.DuckDBPyConnection, sources: dict[str, Source]) -> None:
    con.execute(
        """
        create or replace table raw_sources__coverage (
            source_id varchar primary key, dataset varchar, version varchar, citation varchar,
            role varchar, first_year integer, last_year integer
        )
        """
    )
    con.executemany(
        "insert into raw_sources__coverage values (?, ?, ?, ?, ?, ?, ?)",
        [
            (s.source_id, s.dataset, s.version, s.citation, s.role, s.first_year, s.last_year)
            for s in sources.values()
        ],
    )


def load_seeds(con: duckdb.DuckDBPyConnection, seeds_dir: Path) -> dict[str, int]:
    """Each seeds/<name>.csv becomes table seed_<name> (all text; staging casts)."""
    rows: dict[str, int] = {}
    for path in sorted(seeds_dir.glob("*.csv")):
        table = f"seed_{path.stem}"
        with path.open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle), None)
        if not header:
            raise InputFileError(f"{path}: empty seed file.")
        con.execute(
            f"create or replace table {table} as "
            "select * from read_csv($path, header = true, all_varchar = true, auto_detect = false,"
            " columns = $columns, delim = ',', quote = '\"', strict_mode = true)",
            {"path": str(path), "columns": {column: "VARCHAR" for column in header}},
        )
        rows[table] = con.execute(f"select count(*) from {table}").fetchone()[0]
    return rows
