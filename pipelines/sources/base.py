"""Shared reading of one raw CSV file into a DuckDB raw table with lineage columns.

Every column is read as text: casting, quirks and row-level rejects belong to the staging SQL,
where a bad value becomes a quarantine row with a reason instead of failing the whole load.
File-level problems (wrong header, bad encoding, no rows, unparseable CSV) stop the load here
with a message that names the file.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.errors import DiskFullError, InputFileError, is_disk_full
from pipelines.raw_manifest import RawFile, verified_copy

LINEAGE_COLUMNS = ("_source_id", "_source_file", "_file_sha256", "_row_number")


@dataclass(frozen=True)
class CsvSpec:
    """What a raw CSV file must look like."""

    file_name: str  # the file's `name` in raw/sources.toml
    table: str  # the raw table it lands in
    columns: tuple[str, ...]  # the exact header, in order
    # Optional, for files that are not plain UTF-8 CSV with the header on line 1:
    encoding: str = "utf-8"  # "utf-8" or "latin-1" (DuckDB reads both natively)
    skip_lines: int = 0  # lines of preamble (notes) before the header line
    # The raw table's column names when the header's are unusable (blank or repeated, e.g.
    # SIPRI's unnamed '?' flag columns); same length and order as `columns`.
    table_columns: tuple[str, ...] | None = None

    @property
    def loaded_columns(self) -> tuple[str, ...]:
        return self.table_columns or self.columns


def _open_text(path: Path, encoding: str = "utf-8") -> io.TextIOBase:
    # The caller closes the wrapper, which closes the binary file too.
    binary = gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")  # noqa: SIM115
    return io.TextIOWrapper(binary, encoding=encoding, newline="")


def read_header(path: Path, encoding: str = "utf-8", skip_lines: int = 0) -> list[str]:
    """The header fields (after `skip_lines` lines of preamble), after checking the file is
    non-empty text in `encoding`."""
    try:
        with _open_text(path, encoding) as handle:
            for _ in range(skip_lines):
                handle.readline()
            first_line = handle.readline()
            # Reading the rest checks the encoding of the whole file in one pass.
            while handle.read(1 << 20):
                pass
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}). Re-save the file as "
            f"UTF-8 and record its new checksum."
        ) from exc
    except (OSError, EOFError) as exc:
        raise InputFileError(f"{path}: cannot be read ({exc}).") from exc
    if first_line.startswith(codecs.BOM_UTF8.decode("utf-8")):
        first_line = first_line[1:]
    first_line = first_line.rstrip("\r\n")
    if not first_line.strip():
        raise InputFileError(f"{path}: empty file (no header). Restore the original file.")
    return next(csv.reader([first_line]))


def header_problems(header: list[str], expected: list[str]) -> list[str]:
    """What is wrong with a file's header (empty when it is exactly as expected)."""
    if header == expected:
        return []
    missing = [column for column in expected if column not in header]
    extra = [column for column in header if column not in expected]
    problems = []
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}")
    if extra:
        problems.append(f"unexpected column(s) {', '.join(extra)}")
    return problems or ["columns in a different order"]


def check_header(path: Path, spec: CsvSpec, shown_as: Path | None = None) -> None:
    """Refuse a header that is not spec.columns; messages name `shown_as` (default `path`)."""
    expected = list(spec.columns)
    try:
        header = read_header(path, spec.encoding, spec.skip_lines)
    except InputFileError as exc:
        if shown_as is None:
            raise
        raise InputFileError(str(exc).replace(str(path), str(shown_as), 1)) from exc
    problems = header_problems(header, expected)
    if not problems:
        return
    raise InputFileError(
        f"{shown_as or path}: header does not match source '{spec.table}': {'; '.join(problems)}. "
        f"Expected: {', '.join(expected)}. If the source changed its format, update the adapter "
        f"in pipelines/sources/."
    )


def load_csv(
    con: duckdb.DuckDBPyConnection,
    raw_file: RawFile,
    spec: CsvSpec,
    scratch_dir: Path | None = None,
) -> tuple[int, str]:
    """Verify, then copy one CSV into `spec.table`; returns (rows loaded, file sha256).

    The file is copied once into `scratch_dir` (a private temporary directory), hashed as it
    is copied, and loaded from that copy: the rows loaded are exactly the bytes verified
    against raw/sources.toml, even if the file in raw/ is replaced meanwhile.
    """
    with verified_copy(raw_file, scratch_dir) as (copy, checksum):
        check_header(copy, spec, shown_as=raw_file.path)
        _read_into_table(con, raw_file, spec, copy, checksum)
    row_count = con.execute(f"select count(*) from {spec.table}").fetchone()[0]
    if row_count == 0:
        raise InputFileError(f"{raw_file.path}: has a header but no data rows.")
    return row_count, checksum


def _read_into_table(
    con: duckdb.DuckDBPyConnection, raw_file: RawFile, spec: CsvSpec, copy: Path, checksum: str
) -> None:
    column_types = {column: "VARCHAR" for column in spec.loaded_columns}
    # Single-threaded reading keeps row_number() equal to the record's position in the file.
    con.execute("set threads = 1")
    try:
        con.execute(
            f"""
            create or replace table {spec.table} as
            select
                $source_id as _source_id,
                $source_file as _source_file,
                $checksum as _file_sha256,
                row_number() over () as _row_number,
                *
            from read_csv(
                $path, header = true, delim = ',', quote = '"', escape = '"',
                columns = $columns, auto_detect = false, strict_mode = true,
                null_padding = false, encoding = $encoding, skip = $skip_lines
            )
            """,
            {
                "source_id": raw_file.source_id,
                "source_file": raw_file.path.name,
                "checksum": checksum,
                "path": str(copy),
                "columns": column_types,
                "encoding": spec.encoding,
                "skip_lines": spec.skip_lines,
            },
        )
    except duckdb.Error as exc:
        first_line = str(exc).strip().splitlines()[0].replace(str(copy), str(raw_file.path))
        if is_disk_full(exc):  # not the file's fault: say what is wrong
            raise DiskFullError(
                f"the disk is full: {raw_file.path} could not be loaded into the refresh's "
                f"working database ({first_line}). Nothing was published; free some space "
                f"and run `coop refresh` again."
            ) from exc
        raise InputFileError(
            f"{raw_file.path}: could not be parsed as CSV ({first_line}). Fix the file or "
            f"restore the original."
        ) from exc
    finally:
        con.execute("reset threads")
