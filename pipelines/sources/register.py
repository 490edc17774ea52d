"""The analysts' register: cooperation facts recorded by hand, with their sources (issue 6).

Unlike the public datasets, the register is edited by analysts, so its files are not pinned
in raw/sources.toml: every *.csv and *.xlsx in raw/register/ is read (TEMPLATE.* and editor
lock files excepted) and its sha256 goes into the run's load summary. Every cell is read as
text, as for the other sources: the staging SQL casts and rejects. File-level problems (wrong
header, bad encoding, unreadable workbook, ragged CSV row) stop with a message naming the file.

Each file is read once into memory; its sha256 and its rows come from those same bytes, so a
file saved again while a refresh runs cannot be loaded under another version's checksum.

A workbook gives up its facts only when nothing can be lost or altered on the way:
  - one sheet is read: the sheet named "register" (the template's), else the first visible
    sheet; any OTHER sheet that holds a value is refused (facts there would be dropped);
  - a formula cell with no saved value (a workbook written by a script and never opened in
    Excel) is refused by cell: its value is unknown, and reading it as empty would, say,
    turn a dated fact into an undated one;
  - hidden rows and merged cells are read as stored (a merged range's value sits in its first
    cell only) and reported as warnings naming the cells.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.errors import DiskFullError, InputFileError, is_disk_full
from pipelines.sources.base import header_problems

log = logging.getLogger(__name__)
# The sheet a workbook's facts are read from when it has one of this name (the template's).
SHEET_NAME = "register"

SOURCE_ID = "register"
LABEL = "facts recorded by analysts, with their citations (docs/register.md)"
# What the refresh did with an accepted fact (int_register_facts_checked.status).
REGISTER_STATUSES = [
    "counted", "superseded_by_public_source", "low_confidence", "not_exact", "no_mart_column",
    "undated",
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
    warnings: tuple[str, ...] = ()


@dataclass
class FileContent:
    """One register file as read: its rows, the sha256 of the bytes they came from, and what
    the reader noticed but accepted (hidden rows, merged cells)."""

    sha256: str
    rows: list[tuple[int, list[str | None]]]
    warnings: list[str] = field(default_factory=list)


def register_dir(raw_dir: Path) -> Path:
    return raw_dir / "register"


def is_template(path: Path) -> bool:
    return path.stem.upper() == "TEMPLATE"


def register_files(directory: Path) -> list[Path]:
    """The register's data files, in name order: *.csv and *.xlsx, not templates or lock files.

    A symlink that leads outside the register directory is refused: coop reads inputs only
    from raw/.
    """
    if not directory.is_dir():
        return []
    files = sorted(
        path
        for path in directory.iterdir()
        if path.suffix.lower() in SUFFIXES
        and not path.name.startswith((".", "~$"))
        and not is_template(path)
        and (path.is_file() or path.is_symlink())
    )
    root = directory.resolve()
    for path in files:
        resolved = path.resolve()
        if root not in resolved.parents:
            raise InputFileError(
                f"{path}: a symlink that leads outside {directory} (to {resolved}). coop reads "
                f"inputs only from raw/: copy the file into {directory} instead."
            )
        if not resolved.is_file():
            raise InputFileError(f"{path}: not a regular file (a broken link?). Remove it.")
    return files


def fingerprint(checksums: dict[str, str]) -> str:
    """One hash over the register's files: {path relative to raw/: sha256}.  The refresh plan
    computes it from the files in raw/register/, the load stage from the bytes it loaded."""
    digest = hashlib.sha256()
    for name, sha256 in sorted(checksums.items()):
        digest.update(f"{name}\t{sha256}\n".encode())
    return digest.hexdigest()


def _check_header(path: Path, header: list[str]) -> None:
    problems = header_problems([(name or "").strip() for name in header], list(COLUMNS))
    if not problems:
        return
    raise InputFileError(
        f"{path}: header does not match the register template: {'; '.join(problems)}. "
        f"Expected: {', '.join(COLUMNS)}. Start from raw/register/TEMPLATE.csv or "
        f"`coop register template`."
    )


def _csv_rows(path: Path, data: bytes) -> list[tuple[int, list[str | None]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}). Re-save the file as "
            f"UTF-8 (in Excel: CSV UTF-8), or save it as .xlsx."
        ) from exc
    if not text.strip():
        raise InputFileError(f"{path}: empty file (no header). Start from TEMPLATE.csv.")
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        _check_header(path, next(reader))
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


def _is_formula(cell) -> bool:
    return cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("="))


def _first_value(sheet) -> str | None:
    """The coordinate of the sheet's first non-empty cell (formulas count), or None."""
    from openpyxl.utils import get_column_letter

    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        for column, value in enumerate(row, start=1):
            if value is not None and (not isinstance(value, str) or value.strip()):
                return f"{get_column_letter(column)}{number}"
    return None


def _data_sheet(path: Path, book) -> str:
    """The title of the sheet to read; refuses a workbook whose other sheets hold values."""
    named = [ws.title for ws in book.worksheets if ws.title.strip().lower() == SHEET_NAME]
    visible = [ws.title for ws in book.worksheets if ws.sheet_state == "visible"]
    if named:
        chosen = named[0]
    elif visible:
        chosen = visible[0]
    else:
        raise InputFileError(f"{path}: every sheet is hidden; unhide the register sheet.")
    for sheet in book.worksheets:
        if sheet.title == chosen:
            continue
        where = _first_value(sheet)
        if where is not None:
            state = "" if sheet.sheet_state == "visible" else f" ({sheet.sheet_state})"
            raise InputFileError(
                f"{path}: sheet '{sheet.title}'{state} holds values (first at {where}), but "
                f"only one sheet of a workbook is read: '{chosen}'. Move its facts to sheet "
                f"'{chosen}' (or to a file of its own) and empty or delete sheet '{sheet.title}'."
            )
    return chosen


def _layout(data: bytes, member: str) -> tuple[set[int], list[str], list[str]]:
    """Hidden rows, hidden columns (letters) and merged ranges of one worksheet, read from
    its XML (openpyxl's fast read-only mode does not parse them)."""
    from xml.etree.ElementTree import iterparse

    from openpyxl.utils import get_column_letter

    hidden_rows: set[int] = set()
    hidden_columns: list[str] = []
    merged: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(member) as handle:
        for _event, element in iterparse(handle, events=("start",)):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "row" and element.get("hidden") in ("1", "true"):
                hidden_rows.add(int(element.get("r", "0")))
            elif tag == "col" and element.get("hidden") in ("1", "true"):
                first, last = int(element.get("min", "1")), int(element.get("max", "1"))
                hidden_columns += [get_column_letter(n) for n in range(first, min(last, 64) + 1)]
            elif tag == "mergeCell":
                merged.append(element.get("ref", "?"))
            elif tag == "c":
                element.clear()
    return hidden_rows, hidden_columns, merged


def _open_workbook(path: Path, data: bytes, data_only: bool):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError,
            TypeError, IndexError, AttributeError) as exc:
        kind = "not a zip archive" if isinstance(exc, zipfile.BadZipFile) else exc
        raise InputFileError(
            f"{path}: cannot be read as an .xlsx workbook ({kind}). Open it in Excel and save "
            f"it again as .xlsx (Excel Workbook), or save the sheet as CSV UTF-8."
        ) from exc


def _xlsx_rows(path: Path, data: bytes) -> tuple[list[tuple[int, list[str | None]]], list[str]]:
    """One pass over the sheet in openpyxl's read-only mode (formulas as written); a second,
    over the values Excel saved, only when the sheet has formulas."""
    from openpyxl.utils import get_column_letter

    book = _open_workbook(path, data, data_only=False)
    warnings: list[str] = []
    try:
        title = _data_sheet(path, book)
        sheet = book[title]
        member = sheet._worksheet_path.lstrip("/")  # noqa: SLF001 (no public accessor)
        records = [[(cell.value, _is_formula(cell)) for cell in row] for row in sheet.iter_rows()]
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, EOFError) as exc:
        raise InputFileError(
            f"{path}: cannot be read as an .xlsx workbook ({exc}). Open it in Excel and save "
            f"it again as .xlsx (Excel Workbook), or save the sheet as CSV UTF-8."
        ) from exc
    finally:
        book.close()
    formulas = {(r, c): value for r, record in enumerate(records)
                for c, (value, is_formula) in enumerate(record) if is_formula}
    values = [[value for value, _ in record] for record in records]
    if formulas:
        saved_book = _open_workbook(path, data, data_only=True)
        try:
            saved = list(saved_book[title].iter_rows(values_only=True))
        finally:
            saved_book.close()
        for (r, c), formula in sorted(formulas.items()):
            value = saved[r][c] if r < len(saved) and c < len(saved[r]) else None
            if value is None:
                raise InputFileError(
                    f"{path}: cell {title}!{get_column_letter(c + 1)}{r + 1} holds the formula "
                    f"{str(formula)[:60]!r} with no saved value (the workbook was written by a "
                    f"program and never recalculated). Open and save it in Excel or "
                    f"LibreOffice, or type the value in."
                )
            values[r][c] = value
    header = list(values[0]) if values else []
    if not any(cell is not None for cell in header):
        raise InputFileError(f"{path}: sheet '{title}' has no header row.")
    while header and header[-1] is None:
        header.pop()
    _check_header(path, [cell_text(cell) or "" for cell in header])
    rows = []
    hidden_rows, hidden_columns, merged = _layout(data, member)
    hidden = []
    # Position n is sheet row n + 1, the same numbering as a CSV file's records.
    for position, record in enumerate(values[1:], start=1):
        cells = [cell_text(cell) for cell in record]
        if any(cell is not None for cell in cells[len(COLUMNS):]):
            raise InputFileError(
                f"{path}: sheet row {position + 1} has values beyond the "
                f"{len(COLUMNS)} register columns."
            )
        cells = (cells + [None] * len(COLUMNS))[: len(COLUMNS)]
        if all(cell is None for cell in cells):
            continue
        if position + 1 in hidden_rows:
            hidden.append(position + 1)
        rows.append((position, cells))
    if hidden:
        shown = ", ".join(str(number) for number in hidden[:10])
        warnings.append(
            f"{path}: sheet '{title}' has {len(hidden)} hidden row(s) with facts (row "
            f"{shown}{', ...' if len(hidden) > 10 else ''}); they are read like the others."
        )
    register_columns = {get_column_letter(n) for n in range(1, len(COLUMNS) + 1)}
    hidden_columns = [letter for letter in hidden_columns if letter in register_columns]
    if hidden_columns:
        warnings.append(
            f"{path}: sheet '{title}' has hidden column(s) {', '.join(hidden_columns)}; "
            f"they are read like the others."
        )
    if merged:
        warnings.append(
            f"{path}: sheet '{title}' has merged cells ({', '.join(merged[:10])}); only "
            f"the first cell of a merged range holds its value, the others are read as "
            f"empty. Unmerge them and fill each cell."
        )
    return rows, warnings


def _read_bytes(path: Path) -> bytes:
    if path.is_dir():
        raise InputFileError(f"{path}: is a directory, not a register file.")
    if not path.is_file():
        raise InputFileError(f"{path}: no such register file.")
    if path.suffix.lower() not in SUFFIXES:
        raise InputFileError(f"{path}: a register file must be .csv or .xlsx.")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputFileError(
            f"{path}: cannot be read ({exc.strerror or exc}). Check the file's permissions "
            f"(coop needs to read it: chmod a+r)."
        ) from exc


def _parse(path: Path, data: bytes) -> FileContent:
    sha256 = hashlib.sha256(data).hexdigest()
    if path.suffix.lower() == ".csv":
        return FileContent(sha256, _csv_rows(path, data))
    rows, warnings = _xlsx_rows(path, data)
    return FileContent(sha256, rows, warnings)


def read_file(path: Path) -> FileContent:
    """Read one register file once: its rows, with the sha256 of exactly the bytes parsed.

    Rows are (row number, cells as text or None); blank rows are skipped but keep their place
    in the numbering (row 1 = the first row after the header).
    """
    return _parse(path, _read_bytes(path))


def read_rows(path: Path) -> list[tuple[int, list[str | None]]]:
    """(row number, cells as text or None) of one register file (see read_file)."""
    return read_file(path).rows


def create_table(con: duckdb.DuckDBPyConnection) -> None:
    columns = [f"{name} {sql_type}" for name, sql_type in LINEAGE.items()]
    columns += [f'"{column}" varchar' for column in COLUMNS]
    con.execute(f"create or replace table {TABLE} ({', '.join(columns)})")


def _loaded_files(con: duckdb.DuckDBPyConnection) -> dict[tuple[int, str], tuple[str, int]]:
    """(file order, file name) -> (sha256, rows) of the table as it stands, if it exists."""
    try:
        found = con.execute(
            f"select _file_order, _source_file, any_value(_file_sha256), count(*), "
            f"count(distinct _file_sha256) from {TABLE} group by all"
        ).fetchall()
    except duckdb.CatalogException:
        return {}
    return {(order, name): (sha, rows) for order, name, sha, rows, shas in found if shas == 1}


def load_files(con: duckdb.DuckDBPyConnection, paths: list[Path]) -> list[RegisterFile]:
    """(Re)create the register table and load `paths` into it, in that order.

    The table a partial refresh starts from (the cached work database) is kept when it holds
    exactly these files, each with the sha256 its bytes have now: the rows would be the same,
    so the files are hashed but not parsed again (a 50,000-row workbook takes seconds to
    parse).  A file with no data rows leaves no trace in the table, so it forces a reload.
    """
    files = [(order, path, _read_bytes(path)) for order, path in enumerate(paths, start=1)]
    wanted = {(order, path.name): hashlib.sha256(data).hexdigest()
              for order, path, data in files}
    loaded = _loaded_files(con)
    if wanted and set(loaded) == set(wanted) and all(
        loaded[key][0] == sha for key, sha in wanted.items()
    ):
        log.info("register: %d file(s) unchanged since the cached load; kept", len(paths))
        return [RegisterFile(path, wanted[(order, path.name)], loaded[(order, path.name)][1])
                for order, path, _data in files]
    contents = [(order, path, _parse(path, data)) for order, path, data in files]
    _insert(con, contents)
    result = []
    for _order, path, content in contents:
        for warning in content.warnings:
            log.warning(warning)
        result.append(RegisterFile(path, content.sha256, len(content.rows),
                                   tuple(content.warnings)))
    return result


def _insert(con: duckdb.DuckDBPyConnection, contents: list[tuple[int, Path, FileContent]]) -> None:
    """One DataFrame insert for all files (a row-by-row insert took minutes for 50,000 rows)."""
    create_table(con)
    records = [
        [SOURCE_ID, path.name, content.sha256, order, number, *cells]
        for order, path, content in contents
        for number, cells in content.rows
    ]
    if not records:
        return
    import pandas as pd  # here, not at the top: a no-op refresh never loads pandas

    frame = pd.DataFrame.from_records(records, columns=[*LINEAGE, *COLUMNS]).astype(
        {column: "object" for column in COLUMNS}
    )
    frame = frame.astype({"_file_order": "int32", "_row_number": "int64"})
    try:
        con.register("register_rows", frame)
        con.execute(f"insert into {TABLE} select * from register_rows")
    except duckdb.Error as exc:
        if is_disk_full(exc):
            raise DiskFullError(
                f"the disk is full: the register could not be loaded into the refresh's "
                f"working database ({str(exc).splitlines()[0]}). Nothing was published; free "
                f"some space and run `coop refresh` again."
            ) from exc
        raise
    finally:
        con.unregister("register_rows")


def accepted_suite(kit):
    """The register's accepted facts: codes, vocabulary, counts, dates, one row per fact.

    No row-count expectation: analysts add and remove register files between runs.
    """
    from pipelines.register.template import CONFIDENCES, QUALIFIERS  # imports this module

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
            e.ExpectColumnValuesToBeInSet(column="confidence", value_set=list(CONFIDENCES)),
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
