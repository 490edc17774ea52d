"""SIPRI Military Expenditure Database workbook (release 2024, data 1948-2023).

The workbook is wide: one sheet per measure, countries down (region and subregion headings
interleaved, with no values), years across from the header row ("Country", [blank], "Notes",
1948 ... 2023; the blank column is absent from 'Share of GDP'). This adapter melts the two
sheets the marts use into one long raw table, one record per (sheet, country, year) cell, and
keeps each cell's text and font colour: SIPRI marks its estimates in blue and highly uncertain
figures in red, which values alone would lose. "..." means data unavailable and "xxx" that the
country did not exist or was not independent; staging turns both into NULL with a reason.
Names are resolved by pipelines/names.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.errors import InputFileError
from pipelines.raw_manifest import RawFile, verified_copy

SOURCE_ID = "sipri_milex"

# The sheets read and the measure each becomes.
SHEETS = {"Constant (2022) US$": "constant_usd_m", "Share of GDP": "share_of_gdp"}
HEADER_ROW = 6  # the sheet row holding "Country" and the years


@dataclass(frozen=True)
class WorkbookSpec:
    file_name: str
    table: str
    sheets: dict[str, str]


FILES = (WorkbookSpec(file_name="workbook", table="raw_sipri_milex__country_year", sheets=SHEETS),)

NAME_COLUMNS = {"raw_sipri_milex__country_year": ("country",)}

RAW_COLUMNS = (
    "_source_id",
    "_source_file",
    "_file_sha256",
    "_row_number",
    "sheet",
    "measure",
    "cell",
    "country",
    "notes",
    "year",
    "value_text",
    "font_colour",
)


def _colour(cell) -> str:
    colour = cell.font.color if cell.font is not None else None
    if colour is None:
        return ""
    if colour.type == "indexed":
        return f"indexed:{colour.indexed}"
    if colour.type == "rgb":
        return f"rgb:{colour.rgb}"
    return f"{colour.type}:{colour.theme if colour.type == 'theme' else ''}"


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        return repr(value)
    return str(value).strip()


def _sheet_records(path, sheet_name: str, worksheet) -> list[tuple]:
    rows = worksheet.iter_rows(min_row=HEADER_ROW)
    header = [cell.value for cell in next(rows)]
    if not header or header[0] != "Country" or "Notes" not in header:
        raise InputFileError(
            f"{path}: sheet '{sheet_name}' row {HEADER_ROW} should start with 'Country' and hold "
            f"'Notes' and the years; found {header[:5]}. If SIPRI changed the layout, update "
            f"pipelines/sources/sipri_milex.py."
        )
    notes_at = header.index("Notes")
    years = {i: v for i, v in enumerate(header) if isinstance(v, int) and 1900 < v < 2100}
    if not years or sorted(years.values()) != list(
        range(min(years.values()), max(years.values()) + 1)
    ):
        raise InputFileError(
            f"{path}: sheet '{sheet_name}' row {HEADER_ROW}: the year columns are not a run of "
            f"consecutive years. Check the workbook."
        )
    records = []
    for row in rows:
        name = _text(row[0].value) if row else None
        if not name:
            continue
        cells = [(i, row[i]) for i in years if i < len(row)]
        if all(_text(cell.value) in (None, "") for _, cell in cells):
            continue  # a region heading or a blank line: no values
        notes = _text(row[notes_at].value) if notes_at < len(row) else None
        for i, cell in cells:
            records.append(
                (
                    sheet_name,
                    cell.coordinate,
                    name,
                    notes,
                    years[i],
                    _text(cell.value),
                    _colour(cell),
                )
            )
    return records


def load_file(
    con: duckdb.DuckDBPyConnection,
    raw_file: RawFile,
    spec: WorkbookSpec,
    scratch_dir: Path | None = None,
) -> tuple[int, str]:
    """Verify, then melt the workbook's sheets into `spec.table`; returns (records, sha256).

    Like CSV sources, the workbook is read from one private copy whose bytes were hashed as
    they were copied, so what is loaded is exactly what matched the pinned checksum.
    """
    with verified_copy(raw_file, scratch_dir) as (copy, checksum):
        return _load_workbook(con, raw_file, spec, copy, checksum)


def _load_workbook(
    con: duckdb.DuckDBPyConnection, raw_file: RawFile, spec: WorkbookSpec, copy: Path,
    checksum: str,
) -> tuple[int, str]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(copy, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a damaged file
        raise InputFileError(
            f"{raw_file.path}: cannot be read as an Excel workbook ({exc}). Restore the original."
        ) from exc
    try:
        records = []
        for sheet_name, measure in spec.sheets.items():
            if sheet_name not in workbook.sheetnames:
                raise InputFileError(
                    f"{raw_file.path}: no sheet '{sheet_name}' (sheets: "
                    f"{', '.join(workbook.sheetnames)})."
                )
            records.extend(
                (measure, *record)
                for record in _sheet_records(raw_file.path, sheet_name, workbook[sheet_name])
            )
    finally:
        workbook.close()
    if not records:
        raise InputFileError(f"{raw_file.path}: no country rows with values.")
    import pandas as pd  # here, not at the top: a no-op refresh never loads pandas

    frame = pd.DataFrame(
        [
            (raw_file.source_id, raw_file.path.name, checksum, number, sheet, measure, *rest)
            for number, (measure, sheet, *rest) in enumerate(records, start=1)
        ],
        columns=list(RAW_COLUMNS),
    )
    frame["year"] = frame["year"].astype("int64")
    # A cursor of its own: registering a frame on a connection with an unfinished result fails.
    cursor = con.cursor()
    try:
        cursor.register("_sipri_milex_frame", frame)
        cursor.execute(f"create or replace table {spec.table} as select * from _sipri_milex_frame")
        cursor.unregister("_sipri_milex_frame")
    finally:
        cursor.close()
    return len(frame), checksum


LABEL = "military expenditure, constant 2022 US$ and share of GDP (context)"


def accepted_suite(kit):
    """GX suite over the accepted workbook cells that carry a value."""
    e = kit.expectations
    first, last = kit.coverage(SOURCE_ID)
    return kit.suite(
        "source_sipri_milex",
        "(select * from int_sipri_milex_checked where reject is null)",
        [
            *(e.ExpectColumnValuesToNotBeNull(column=c) for c in ("country", "year", "measure")),
            e.ExpectColumnValuesToBeBetween(column="year", min_value=first, max_value=last),
            e.ExpectColumnValuesToBeBetween(column="value", min_value=0),
            e.ExpectColumnValuesToBeInSet(
                column="measure", value_set=["constant_usd_m", "share_of_gdp"]
            ),
        ],
        kit.last_rows("int_sipri_milex_checked"),
    )
