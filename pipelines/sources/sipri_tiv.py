"""SIPRI's exact TIV delivered per supplier-recipient-year to 2021 (360info's processed export).

SIPRI computes these from the yearly deliveries it records; the trade register gives only the
list of delivery years per deal, so this file is the reference the spread of deal TIV over
delivery years is compared with (mart_arms_tiv_agreement). The file's own COW codes are kept
as `file_*_ccode`; the names are resolved by pipelines/names.py like every SIPRI name. A
supplier-recipient-year absent from the file had no recorded deliveries (0 within 1950-2021).
"""

from pipelines.sources.base import CsvSpec

SOURCE_ID = "sipri_tiv"

FILES = (
    CsvSpec(
        file_name="dyad_year",
        table="raw_sipri_tiv__dyad_year",
        columns=(
            "supplier",
            "recipient",
            "year",
            "value",
            "supplier_cown",
            "recipient_cown",
            "supplier_lon",
            "supplier_lat",
            "recipient_lon",
            "recipient_lat",
        ),
    ),
)

NAME_COLUMNS = {"raw_sipri_tiv__dyad_year": ("supplier", "recipient")}

LABEL = "SIPRI's exact yearly TIV per supplier and recipient (reference for the arms spread)"


def accepted_suite(kit):
    """GX suite over the accepted supplier-recipient-years."""
    e = kit.expectations
    first, last = kit.coverage(SOURCE_ID)
    return kit.suite(
        "source_sipri_tiv",
        kit.accepted("int_sipri_tiv_checked"),
        [
            *(e.ExpectColumnValuesToNotBeNull(column=c) for c in ("supplier", "recipient", "year")),
            e.ExpectCompoundColumnsToBeUnique(column_list=["supplier", "recipient", "year"]),
            e.ExpectColumnValuesToBeBetween(column="year", min_value=first, max_value=last),
            e.ExpectColumnValuesToBeBetween(column="tiv_delivered", min_value=0),
        ],
        kit.last_rows("int_sipri_tiv_checked"),
    )
