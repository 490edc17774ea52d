"""The analysts' register: cooperation facts recorded by hand, with their sources (issue 6).

Unlike the public datasets, the register is edited by analysts, so its files are not pinned
in raw/sources.toml: every *.csv and *.xlsx in raw/register/ is read (TEMPLATE.* and editor
lock files excepted) and its sha256 goes into the run's load summary. Every cell is read as
text, as for the other sources: the staging SQL casts and rejects. File-level problems (wrong
header, bad encoding, unreadable workbook, ragged CSV row) stop with a message naming the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.errors import InputFileError
from pipelines.sources.base import header_problems, read_header

SOURCE_ID = "register"
LABEL = "facts recorded by analysts, with their citations (docs/register.md)"
# What the refresh did with an accepted fact (int_register_facts_checked.status).
REGISTER_STATUSES = [
    "counted", "superseded_by_public_source", "not_exact", "no_mart_column", "undated"
]
TABLE = "raw_register__facts"
SUFFIXES = (".csv", ".xlsx")
COLUMNS = (
    "date",
    "year",
    "country",
    "partner_type",
    "partner",
    "family",
    "subtype",
    "count",
    "count_qualifier",
    "source_citation",
    "source_url",
    "confidence",
    "notes",
)
# _file_order ranks the files (the file being checked comes last), so that of two identical
# facts the one in the earlier file is kept and the later one is the duplicate.
LINEAGE = {
    "_source_id": "varchar",
    "_source_file": "varchar",
    "_file_sha256": "varchar",
    "_file_order": "integer",
    "_row_number": "bigint",
}


@dataclass(frozen=True)
class RegisterFile:
    path: Path
    sha256: str
    rows: int


def register_dir(raw_dir: Path) -> Path:
    return raw_dir / "register"


def is_template(path: Path) -> bool:
    return path.stem.upper() == "TEMPLATE"


def register_files(directory: Path) -> list[Path]:
    """The register's data files, in name order: *.csv and *.xlsx, not templates or lock files."""
    if not directory.is_dir():
        return []
    return sorted(
        path
        for path in directory.iterdir()
        if path.is_file()
        and path.suffix.lower() in SUFFIXES
        and not path.name.startswith((".", "~$"))
        and not is_template(path)
    )


def _check_header(path: Path, header: list[str]) -> None:
    problems = header_problems([(name or "").strip() for name in header], list(COLUMNS))
    if not problems:
        return
    raise InputFileError(
        f"{path}: header does not match the register template: {'; '.join(problems)}. "
        f"Expected: {', '.join(COLUMNS)}. Start from raw/register/TEMPLATE.csv or "
        f"`coop register template`."
    )


def _csv_rows(path: Path) -> list[tuple[int, list[str | None]]]:
    _check_header(path, read_header(path))
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, strict=True)
        try:
            next(reader)
            for position, record in enumerate(reader, start=1):
                if not any(field.strip() for field in record):
                    continue
                if len(record) != len(COLUMNS):
                    raise InputFileError(
                        f"{path}: row {position} (line {reader.line_num}) has {len(record)} "
                        f"fields, the header {len(COLUMNS)}. Quote fields that contain commas."
                    )
                rows.append((position, [field if field != "" else None for field in record]))
        except csv.Error as exc:
            raise InputFileError(
                f"{path}: could not be parsed as CSV (line {reader.line_num}: {exc})."
            ) from exc
    return rows


def cell_text(value: object) -> str | None:
    """A spreadsheet cell as the text a CSV would hold: 2022.0 -> '2022', a date -> ISO."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return text if text.strip() else None


def _xlsx_rows(path: Path) -> list[tuple[int, list[str | None]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise InputFileError(f"{path}: cannot be read as an .xlsx workbook ({exc}).") from exc
    try:
        sheet = workbook.worksheets[0]
        values = sheet.iter_rows(values_only=True)
        header = next(values, None)
        if not header or not any(cell is not None for cell in header):
            raise InputFileError(f"{path}: the first sheet has no header row.")
        header = list(header)
        while header and header[-1] is None:
            header.pop()
        _check_header(path, [cell_text(cell) or "" for cell in header])
        rows = []
        # Position n is sheet row n + 1, the same numbering as a CSV file's records.
        for position, record in enumerate(values, start=1):
            cells = [cell_text(cell) for cell in record]
            if any(cell is not None for cell in cells[len(COLUMNS):]):
                raise InputFileError(
                    f"{path}: sheet row {position + 1} has values beyond the "
                    f"{len(COLUMNS)} register columns."
                )
            cells = (cells + [None] * len(COLUMNS))[: len(COLUMNS)]
            if all(cell is None for cell in cells):
                continue
            rows.append((position, cells))
    finally:
        workbook.close()
    return rows


def read_rows(path: Path) -> list[tuple[int, list[str | None]]]:
    """(row number, cells as text or None) of one register file; blank rows are skipped but
    keep their place in the numbering (row 1 = the first row after the header)."""
    if not path.is_file():
        raise InputFileError(f"{path}: no such register file.")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_rows(path)
    if suffix == ".xlsx":
        return _xlsx_rows(path)
    raise InputFileError(f"{path}: a register file must be .csv or .xlsx.")


def create_table(con: duckdb.DuckDBPyConnection) -> None:
    columns = [f"{name} {sql_type}" for name, sql_type in LINEAGE.items()]
    columns += [f'"{column}" varchar' for column in COLUMNS]
    con.execute(f"create or replace table {TABLE} ({', '.join(columns)})")


def load_files(con: duckdb.DuckDBPyConnection, paths: list[Path]) -> list[RegisterFile]:
    """(Re)create the register table and load `paths` into it, in that order."""
    create_table(con)
    loaded = []
    placeholders = ", ".join("?" for _ in range(len(LINEAGE) + len(COLUMNS)))
    for order, path in enumerate(paths, start=1):
        rows = read_rows(path)
        sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
        if rows:
            con.executemany(
                f"insert into {TABLE} values ({placeholders})",
                [[SOURCE_ID, path.name, sha256, order, n, *cells] for n, cells in rows],
            )
        loaded.append(RegisterFile(path, sha256, len(rows)))
    return loaded


def accepted_suite(kit):
    """The register's accepted facts: codes, vocabulary, counts, dates, one row per fact.

    No row-count expectation: analysts add and remove register files between runs.
    """
    from pipelines.register.template import QUALIFIERS  # imports this module

    con = kit.con
    e = kit.expectations
    last_year = con.execute("select year(current_date)").fetchone()[0]
    families = [row[0] for row in con.execute(
        "select family from stg_seeds__register_families").fetchall()]
    accepted = kit.member_flags(["ccode"], kit.accepted("int_register_facts_checked"))
    query = f"""
        select
            *,
            ccode_is_member or year is null as member_when_dated,
            concat_ws('|', ccode, partner_type,
                      coalesce(cast(partner_ccode as varchar), partner_key), family, subtype,
                      fact_date, year, lower(source_citation)) as fact_key
        from ({accepted})
    """
    return kit.suite(
        "source_register",
        query,
        [
            *(
                e.ExpectColumnValuesToNotBeNull(column=c)
                for c in ("ccode", "family", "count", "source_citation", "status")
            ),
            e.ExpectColumnValuesToBeUnique(column="fact_key"),
            e.ExpectColumnValuesToBeInSet(column="family", value_set=families),
            e.ExpectColumnValuesToBeInSet(column="confidence", value_set=["confirmed", "reported"]),
            e.ExpectColumnValuesToBeInSet(column="count_qualifier", value_set=list(QUALIFIERS)),
            e.ExpectColumnValuesToBeInSet(column="status", value_set=REGISTER_STATUSES),
            e.ExpectColumnValuesToBeBetween(column="count", min_value=0),
            e.ExpectColumnValuesToBeBetween(
                column="year", min_value=1816, max_value=last_year
            ),
            e.ExpectColumnValuesToBeInSet(column="member_when_dated", value_set=[True]),
        ],
        None,
    )
