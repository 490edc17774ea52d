"""Write the register (.xlsx and .csv) and gzip files of the bad-input corpus (SYNTHETIC).

Run once from the project root (`.venv/bin/python tests/bad_inputs/_make_register_files.py`);
the files it writes are committed, so the tests read fixed bytes.  Every workbook holds the
same one synthetic fact: Uzbekistan (UZB) held 1 exercise with Kazakhstan (KAZ) on 2012-05-01,
from "Synthetic test source"; what differs is how the workbook stores it.
"""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
HEADER = ["date", "year", "country", "partner_type", "partner", "family", "subtype", "count",
          "count_qualifier", "source_citation", "source_url", "confidence", "notes"]
FACT = ["2012-05-01", "2012", "UZB", "state", "KAZ", "exercise", None, "1", None,
        "Synthetic test source", None, "reported", None]


def fact(date=dt.datetime(2012, 5, 1)) -> list:
    return [date, 2012, *FACT[2:7], 1, *FACT[8:]]


def workbook(title: str = "register") -> tuple[Workbook, object]:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(HEADER)
    return book, sheet


def main() -> None:
    # Facts on a hidden first sheet and on a visible second one (main read only the first).
    book, hidden = workbook("old facts")
    hidden.append(fact())
    hidden.sheet_state = "hidden"
    visible = book.create_sheet("Sheet2")
    visible.append(HEADER)
    visible.append(fact(dt.datetime(2012, 6, 1)))
    book.save(HERE / "register__hidden_first_sheet.xlsx")

    # The register sheet and a second sheet with more facts (main dropped the second).
    book, sheet = workbook()
    sheet.append(fact())
    more = book.create_sheet("more facts")
    more.append(HEADER)
    more.append(fact(dt.datetime(2012, 6, 1)))
    book.save(HERE / "register__second_sheet.xlsx")

    # A date written as a formula and never calculated: openpyxl saves no cached value, so
    # main read the date as empty and published the fact as undated.
    book, sheet = workbook()
    sheet.append(fact("=DATE(2012,5,1)"))
    book.save(HERE / "register__formula_without_value.xlsx")

    # Dates stored as Excel dates and as text: both read as 2012-05-01.
    book, sheet = workbook()
    sheet.append(fact())
    book.save(HERE / "register__date_as_date.xlsx")
    book, sheet = workbook()
    sheet.append(fact("2012-05-01"))
    book.save(HERE / "register__date_as_text.xlsx")

    # A hidden row and a merged range: read, with warnings.
    book, sheet = workbook()
    sheet.append(fact())
    sheet.append(fact(dt.datetime(2012, 6, 1)))
    sheet.row_dimensions[3].hidden = True
    sheet.merge_cells("M2:M3")
    book.save(HERE / "register__hidden_row_and_merged_cells.xlsx")

    # A CSV saved under the .xlsx name, and a workbook cut short.
    (HERE / "register__not_a_zip.xlsx").write_text(
        ",".join(HEADER) + "\n", encoding="utf-8")
    whole = (HERE / "register__date_as_date.xlsx").read_bytes()
    (HERE / "register__truncated.xlsx").write_bytes(whole[: len(whole) // 2])

    # Register CSVs: Excel's "CSV UTF-8" (with a byte-order mark) and a latin-1 one.
    line = ",".join("" if v is None else v for v in FACT)
    (HERE / "register__utf8_bom.csv").write_bytes(
        b"\xef\xbb\xbf" + (",".join(HEADER) + "\n" + line + "\n").encode())
    (HERE / "register__latin1.csv").write_bytes(
        (",".join(HEADER) + "\n" + line.replace("Synthetic", "Synth\u00e9tic") + "\n")
        .encode("latin-1"))

    # A gzip file cut short, pinned by its (truncated) checksum: verification passes, the
    # read fails.
    atop = ("ccode1,ccode2,year,atop_defense,atop_offense,atop_neutral,atop_nonagg,"
            "atop_consul\n" + "".join(f"2,365,{1990 + i % 29},1,0,0,0,0\n" for i in range(2000)))
    whole = gzip.compress(atop.encode(), mtime=0)
    (HERE / "atop__truncated_gzip.csv.gz").write_bytes(whole[: len(whole) // 2])


if __name__ == "__main__":
    main()
