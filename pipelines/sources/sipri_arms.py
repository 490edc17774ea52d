"""SIPRI Arms Transfers Database: the trade register (one row per deal), export of 2026-05-18.

Quirks: the file is latin-1 ("W\xe4rtsil\xe4"), with an 11-line preamble of notes before the
header; three header cells are blank: they are SIPRI's '?' uncertainty flags for the year of
order, the number ordered and the number delivered, loaded here as *_flag columns. The 1,220
deals with no delivery yet (number delivered 0, no delivery years) are orders, not deliveries.
Countries are names; supplier and recipient are resolved by pipelines/names.py.
"""

from pipelines.sources.base import CsvSpec

SOURCE_ID = "sipri_arms"

REGISTER_COLUMNS = (
    "Recipient",
    "Supplier",
    "Year of order",
    " ",
    "Number ordered",
    " ",
    "Weapon designation",
    "Weapon description",
    "Number delivered",
    " ",
    "Year(s) of delivery",
    "status",
    "Comments",
    "SIPRI TIV per unit",
    "SIPRI TIV for total order",
    "SIPRI TIV of delivered weapons",
)

FILES = (
    CsvSpec(
        file_name="trade_register",
        table="raw_sipri_arms__trade_register",
        columns=REGISTER_COLUMNS,
        encoding="latin-1",
        skip_lines=11,
        table_columns=(
            "recipient",
            "supplier",
            "year_of_order",
            "year_of_order_flag",
            "number_ordered",
            "number_ordered_flag",
            "weapon_designation",
            "weapon_description",
            "number_delivered",
            "number_delivered_flag",
            "years_of_delivery",
            "status",
            "comments",
            "tiv_per_unit",
            "tiv_total_order",
            "tiv_delivered",
        ),
    ),
)

# The raw columns holding country names, resolved in the load stage (pipelines/names.py).
NAME_COLUMNS = {"raw_sipri_arms__trade_register": ("recipient", "supplier")}
