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

LABEL = "arms transfers between states, SIPRI TIV (military-technical cooperation)"


def accepted_suite(kit):
    """GX suites over the accepted deals and over the deliveries the state marts count."""
    e = kit.expectations
    first, last = kit.coverage(SOURCE_ID)
    deals = kit.suite(
        "source_sipri_arms",
        kit.accepted("int_sipri_arms_deals_checked"),
        [
            *(
                e.ExpectColumnValuesToNotBeNull(column=c)
                for c in ("supplier", "recipient", "order_year", "supplier_kind", "recipient_kind")
            ),
            e.ExpectColumnValuesToBeInSet(
                column="supplier_kind",
                value_set=["state", "organisation", "armed_group", "territory", "unknown_party"],
            ),
            e.ExpectColumnValuesToBeInSet(
                column="recipient_kind",
                value_set=["state", "organisation", "armed_group", "territory", "unknown_party"],
            ),
            e.ExpectColumnValuesToBeBetween(column="tiv_delivered", min_value=0),
            e.ExpectColumnValuesToBeBetween(column="number_delivered", min_value=0),
            e.ExpectColumnValuesToBeBetween(column="order_year", max_value=last),
            e.ExpectColumnValuesToBeBetween(
                column="first_delivery_year", min_value=first, max_value=last
            ),
            e.ExpectColumnValuesToBeBetween(
                column="last_delivery_year", min_value=first, max_value=last
            ),
        ],
        kit.last_rows("int_sipri_arms_deals_checked"),
    )
    state_deliveries = kit.suite(
        "source_sipri_arms_state_deliveries",
        kit.member_flags(
            ["supplier_ccode", "recipient_ccode"],
            "(select * from int_sipri_arms_deliveries_spread where is_state_dyad)",
        ),
        [
            e.ExpectColumnValuesToBeInSet(column="supplier_ccode_is_member", value_set=[True]),
            e.ExpectColumnValuesToBeInSet(column="recipient_ccode_is_member", value_set=[True]),
            e.ExpectColumnValuesToBeBetween(column="year", min_value=first, max_value=last),
            e.ExpectColumnValuesToBeBetween(column="tiv_delivered", min_value=0),
            e.ExpectCompoundColumnsToBeUnique(column_list=["row_number", "year"]),
        ],
        None,
    )
    return [deals, state_deliveries]
