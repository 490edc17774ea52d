"""Convert event files (GDELT 2.0 exports, ICEWS tab files) into a Parquet lake, by date.

Layout under the lake directory (settings.events_lake_dir):

    <source>/date=YYYY-MM-DD/<file stem>.parquet   the rows, as text, with lineage columns
    coverage/<source>__<file stem>.parquet         what the file covers, cut at year boundaries

GDELT rows are partitioned by the export's publication date (one partition per file); ICEWS rows
by their event date. Every Parquet file is written under a temporary name and renamed into place,
so a file either is complete or absent: a converted file is skipped on the next run (resume), and
converting the same source file again replaces its own Parquet files, never another file's.

File-level checks are those of the other sources (pipelines/sources/base.py): the bytes match
their checksum, the file is UTF-8, has the exact header (ICEWS) or exactly 61 fields on every line
(GDELT), parses, and has at least one row; a failure names the file and stops that file.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from pipelines.errors import InputFileError
from pipelines.events.formats import GDELT, EventFormat, gdelt_window, split_by_year
from pipelines.raw_manifest import RawFile, read_manifest, sha256_of, verify_file
from pipelines.sources.base import header_problems, read_header

LINEAGE = ("_source_id", "_source_file", "_file_sha256", "_row_number")
COVERAGE_DIR = "coverage"


@dataclass(frozen=True)
class Converted:
    source_id: str
    source_file: str
    sha256: str
    rows: int
    parquet_files: tuple[Path, ...]
    covered_from: datetime
    covered_to: datetime


def _check_text(path: Path, fmt: EventFormat) -> None:
    """UTF-8, non-empty, and the header (ICEWS) or the first line's field count (GDELT)."""
    first = read_header(path)  # raises InputFileError for non-UTF-8 or empty files
    if fmt.header is not None:
        fields = path.open(encoding="utf-8-sig").readline().rstrip("\r\n").split("\t")
        problems = header_problems(fields, list(fmt.header))
        if problems:
            raise InputFileError(
                f"{path}: header does not match an ICEWS coded-event file: {'; '.join(problems)}."
                f" Expected (tab-separated): {', '.join(fmt.header)}."
            )
    else:
        del first
        line = path.open(encoding="utf-8").readline().rstrip("\r\n")
        if len(line.split("\t")) != len(fmt.columns):
            raise InputFileError(
                f"{path}: line 1 has {len(line.split(chr(9)))} tab-separated fields; a GDELT 2.0 "
                f"event export has {len(fmt.columns)} and no header. Is this an export "
                f"(*.export.CSV) and not a mentions or GKG file?"
            )


def read_rows(
    con: duckdb.DuckDBPyConnection, path: Path, fmt: EventFormat, source_file: str, sha256: str
) -> duckdb.DuckDBPyRelation:
    """The file's rows as text with lineage columns (row number = data-line number)."""
    columns = {column: "VARCHAR" for column in fmt.columns}
    # One thread keeps row_number() equal to the record's position in the file.
    con.execute("set threads = 1")
    try:
        con.execute(
            """
            create or replace temporary table _event_rows as
            select
                $source_id as _source_id,
                $source_file as _source_file,
                $sha256 as _file_sha256,
                row_number() over () as _row_number,
                *
            from read_csv(
                $path, header = $header, delim = '\t', quote = '', escape = '',
                columns = $columns, auto_detect = false, strict_mode = true,
                null_padding = false, encoding = 'utf-8', all_varchar = true
            )
            """,
            {"source_id": fmt.source_id, "source_file": source_file, "sha256": sha256,
             "path": str(path), "header": fmt.header is not None, "columns": columns},
        )
    except duckdb.Error as exc:
        first_line = str(exc).strip().splitlines()[0]
        raise InputFileError(
            f"{path}: could not be parsed as a {fmt.name} file ({first_line}). Every line must "
            f"have {len(fmt.columns)} tab-separated fields. Fix the file or fetch it again."
        ) from exc
    finally:
        con.execute("reset threads")
    return con.table("_event_rows")


def convert_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    fmt: EventFormat,
    lake_dir: Path,
    *,
    sha256: str | None = None,
    covered: tuple[datetime, datetime] | None = None,
    source_file: str | None = None,
) -> Converted:
    """Check one event file and write its rows and coverage into the lake (atomic per file)."""
    source_file = source_file or path.name
    sha256 = sha256 or sha256_of(path)
    _check_text(path, fmt)
    if covered is None:
        if fmt is not GDELT:
            raise InputFileError(f"{path}: state what the file covers (covered_from/covered_to).")
        covered = gdelt_window(source_file)
    read_rows(con, path, fmt, source_file, sha256)
    count = con.execute("select count(*) from _event_rows").fetchall()[0][0]
    if count == 0:
        raise InputFileError(f"{path}: no data rows.")
    stem = _stem(source_file)
    source_dir = lake_dir / fmt.source_id
    source_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".convert-{stem}-", dir=source_dir))
    try:
        if fmt is GDELT:
            partition_of = "$partition"
            partition = covered[0].strftime("%Y-%m-%d")
        else:  # ICEWS: by event date; an unreadable date goes to date=invalid (staging rejects it)
            partition_of = ("case when regexp_full_match(event_date, '[0-9]{4}-[0-9]{2}-[0-9]{2}')"
                            " then event_date else 'invalid' end")
            partition = None
        con.execute(
            f"create or replace temporary table _event_parts as "
            f"select {partition_of} as _partition, * from _event_rows",
            {"partition": partition} if partition else {},
        )
        written = []
        for (value,) in con.execute(
            "select distinct _partition from _event_parts order by 1"
        ).fetchall():
            target_dir = source_dir / f"date={value}"
            temporary = staging / f"{value}.parquet"
            con.execute(
                f"copy (select * exclude (_partition) from _event_parts "
                f"where _partition = '{_literal(value)}' order by _row_number) "
                f"to '{_literal(str(temporary))}' (format parquet, compression zstd)"
            )
            written.append((temporary, target_dir / f"{stem}.parquet"))
        coverage = _write_coverage(con, staging, fmt.source_id, source_file, sha256, covered,
                                   count)
        written.append((coverage, lake_dir / COVERAGE_DIR / f"{fmt.source_id}__{stem}.parquet"))
        # A file converted before may have had rows on other dates: remove its old partitions.
        for old in source_dir.glob(f"date=*/{stem}.parquet"):
            if old not in {target for _, target in written}:
                old.unlink()
        for temporary, target in written:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temporary, target)  # the coverage file last: it marks the file as done
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        con.execute("drop table if exists _event_parts")
        con.execute("drop table if exists _event_rows")
    return Converted(fmt.source_id, source_file, sha256, count,
                     tuple(target for _, target in written[:-1]), covered[0], covered[1])


def is_converted(lake_dir: Path, source_id: str, source_file: str) -> bool:
    """Whether a file's conversion completed (its coverage file is written last)."""
    return (lake_dir / COVERAGE_DIR / f"{source_id}__{_stem(source_file)}.parquet").is_file()


def convert_gdelt_zip(
    con: duckdb.DuckDBPyConnection, zip_path: Path, lake_dir: Path, *, source_file: str
) -> Converted:
    """Convert a zipped GDELT export (GDELT's own packaging: one CSV member)."""
    try:
        with zipfile.ZipFile(zip_path) as archive:
            members = [m for m in archive.namelist() if m.lower().endswith(".csv")]
            if len(members) != 1:
                raise InputFileError(
                    f"{zip_path}: expected one .CSV member in the zip, found {members or 'none'}."
                )
            with tempfile.TemporaryDirectory(dir=zip_path.parent) as scratch:
                csv_path = Path(scratch) / members[0]
                with archive.open(members[0]) as source, csv_path.open("wb") as target:
                    shutil.copyfileobj(source, target, io.DEFAULT_BUFFER_SIZE * 64)
                return convert_file(con, csv_path, GDELT, lake_dir, source_file=members[0])
    except zipfile.BadZipFile as exc:
        raise InputFileError(f"{zip_path}: not a valid zip file ({exc}).") from exc


def convert_samples(con: duckdb.DuckDBPyConnection, events_raw_dir: Path,
                    lake_dir: Path) -> list[Converted]:
    """Verify and convert every file raw/events/sources.toml lists."""
    from pipelines.events.formats import FORMATS

    sources = read_manifest(events_raw_dir / "sources.toml")
    results = []
    for source in sources.values():
        fmt = FORMATS.get(source.meta.get("format", ""))
        if fmt is None:
            raise InputFileError(
                f"{events_raw_dir / 'sources.toml'}: [sources.{source.source_id}] has format "
                f"{source.meta.get('format')!r}; expected one of {', '.join(FORMATS)}."
            )
        for raw_file in source.files:
            results.append(convert_raw_file(con, raw_file, fmt, lake_dir, events_raw_dir))
    return results


def convert_raw_file(con, raw_file: RawFile, fmt: EventFormat, lake_dir: Path,
                     events_raw_dir: Path) -> Converted:
    checksum = verify_file(raw_file)
    entry = _file_entry(events_raw_dir / "sources.toml", raw_file)
    covered = (datetime.fromisoformat(entry["covered_from"]),
               datetime.fromisoformat(entry["covered_to"]))
    return convert_file(con, raw_file.path, fmt, lake_dir, sha256=checksum, covered=covered,
                        source_file=raw_file.path.name)


def _file_entry(manifest: Path, raw_file: RawFile) -> dict:
    import tomllib

    document = tomllib.loads(manifest.read_text(encoding="utf-8"))
    for entry in document["sources"][raw_file.source_id]["files"]:
        if entry["name"] == raw_file.name:
            missing = [k for k in ("covered_from", "covered_to") if k not in entry]
            if missing:
                raise InputFileError(f"{manifest}: file '{raw_file.name}' lacks "
                                     f"{', '.join(missing)} (what it covers, UTC).")
            return entry
    raise InputFileError(f"{manifest}: no file named '{raw_file.name}'.")


def _write_coverage(con, directory: Path, source_id: str, source_file: str, sha256: str,
                    covered: tuple[datetime, datetime], rows: int) -> Path:
    pieces = split_by_year(*covered)
    con.execute(
        "create or replace temporary table _event_coverage (source_id varchar, "
        "source_file varchar, file_sha256 varchar, year integer, covered_from timestamp, "
        "covered_to timestamp, covered_seconds bigint, file_rows bigint)"
    )
    con.executemany(
        "insert into _event_coverage values (?, ?, ?, ?, ?, ?, ?, ?)",
        [(source_id, source_file, sha256, year, start, stop,
          int((stop - start).total_seconds()), rows) for year, start, stop in pieces],
    )
    path = directory / "coverage.parquet"
    con.execute(f"copy _event_coverage to '{_literal(str(path))}' (format parquet)")
    con.execute("drop table _event_coverage")
    return path


def _stem(source_file: str) -> str:
    name = source_file[:-4] if source_file.endswith(".zip") else source_file
    return name.rsplit(".", 1)[0] if "." in name else name


def _literal(text: str) -> str:
    """A path or partition value inside a COPY statement (COPY takes no parameters)."""
    return text.replace("'", "''")
