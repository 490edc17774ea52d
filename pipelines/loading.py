"""Load stage: raw files, seeds and source coverage into the run's DuckDB database."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.errors import InputFileError
from pipelines.raw_manifest import Source, read_manifest
from pipelines.settings import Settings
from pipelines.sources import adapters_for_manifest, register
from pipelines.sources.base import load_csv


@dataclass
class LoadSummary:
    rows_by_table: dict[str, int] = field(default_factory=dict)
    checksums: dict[str, str] = field(default_factory=dict)


def load_sources(con: duckdb.DuckDBPyConnection, settings: Settings) -> LoadSummary:
    """Verify and load every source in raw/sources.toml; refuse unknown or missing adapters."""
    sources = read_manifest(settings.sources_manifest)
    adapters = adapters_for_manifest(sources, str(settings.sources_manifest))
    summary = LoadSummary()
    for source_id, adapter in adapters.items():
        source = sources[source_id]
        for spec in adapter.FILES:
            raw_file = source.file(spec.file_name)
            rows, checksum = load_csv(con, raw_file, spec)
            summary.rows_by_table[spec.table] = rows
            summary.checksums[str(raw_file.path.relative_to(settings.raw_dir))] = checksum
    register_dir = register.register_dir(settings.raw_dir)
    summary.rows_by_table[register.TABLE] = 0
    for loaded in register.load_files(con, register.register_files(register_dir)):
        summary.rows_by_table[register.TABLE] += loaded.rows
        summary.checksums[str(loaded.path.relative_to(settings.raw_dir))] = loaded.sha256
    load_source_coverage(con, sources)
    summary.rows_by_table.update(load_seeds(con, settings.seeds_dir))
    return summary


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
