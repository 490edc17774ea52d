"""`coop register template PATH`: an empty register file (.csv or .xlsx) with the header.

The .xlsx template also offers drop-down lists for the columns with a fixed vocabulary
(family from seeds/register_families.csv, partner_type, count_qualifier, confidence).
"""

from __future__ import annotations

import csv
from pathlib import Path

from pipelines.errors import CoopError
from pipelines.sources import register

QUALIFIERS = ("exact", "at_least", "at_most", "approximately")
CONFIDENCES = ("confirmed", "reported", "low")
PARTNER_TYPES = ("state", "organisation")
# Excel refuses an inline list longer than this.
_MAX_LIST_CHARS = 255


def families(seeds_dir: Path) -> list[str]:
    with (seeds_dir / "register_families.csv").open(encoding="utf-8", newline="") as handle:
        return [row["family"].strip() for row in csv.DictReader(handle)]


def write_template(path: Path, seeds_dir: Path) -> Path:
    """Write an empty register file; refuses to overwrite an existing file."""
    if path.exists():
        raise CoopError(f"{path}: already exists; choose a new file name.")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerow(register.COLUMNS)
        return path
    if suffix == ".xlsx":
        _write_xlsx(path, families(seeds_dir))
        return path
    raise CoopError(f"{path}: a register file must end in .csv or .xlsx.")


def _write_xlsx(path: Path, family_names: list[str]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "register"
    sheet.append(list(register.COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    lists = {
        "family": family_names,
        "partner_type": PARTNER_TYPES,
        "count_qualifier": QUALIFIERS,
        "confidence": CONFIDENCES,
    }
    for position, column in enumerate(register.COLUMNS, start=1):
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = max(12, len(column) + 4)
        allowed = ",".join(lists.get(column, ()))
        if allowed and len(allowed) + 2 <= _MAX_LIST_CHARS:
            validation = DataValidation(type="list", formula1=f'"{allowed}"', allow_blank=True)
            validation.add(f"{letter}2:{letter}5000")
            sheet.add_data_validation(validation)
    workbook.save(path)
