"""COW IGO v3 state-year-IGO memberships and the IGO list.

Quirks handled in stg_cow_igo__memberships: status -9 means "unknown" and is counted apart,
never as membership; -1 ("IGO does not exist") and 0 rows were dropped when the long file was
derived, and any that reappear are quarantined.
"""

from pipelines.sources.base import CsvSpec

SOURCE_ID = "cow_igo"
LABEL = "IGO and security-IGO memberships (institutional pillar)"

FILES = (
    CsvSpec(
        file_name="state_year_igo",
        table="raw_cow_igo__state_year_igo",
        columns=("ccode", "year", "ioname", "status"),
    ),
    CsvSpec(
        file_name="igo_list",
        table="raw_cow_igo__igo_list",
        columns=(
            "ioname",
            "orgname",
            "longorgname",
            "ionum",
            "sdate",
            "deaddate",
            "dead",
            "integrated",
            "replaced",
            "igocode",
            "first_year_in_data",
            "last_year_in_data",
            "political",
            "social",
            "economic",
            "ioname_lower",
        ),
    ),
)


def accepted_suite(kit):
    """GX suite over the accepted IGO memberships: key, status codes, coverage, membership."""
    e = kit.expectations
    first, last = kit.coverage(SOURCE_ID)
    return kit.suite(
        "source_cow_igo",
        kit.member_flags(["ccode"], kit.accepted("int_cow_igo_memberships_checked")),
        [
            *(e.ExpectColumnValuesToNotBeNull(column=c) for c in ("ccode", "year", "ioname")),
            e.ExpectCompoundColumnsToBeUnique(column_list=["ccode", "year", "ioname"]),
            e.ExpectColumnValuesToBeInSet(column="status", value_set=[1, 2, 3, -9]),
            e.ExpectColumnValuesToBeBetween(column="year", min_value=first, max_value=last),
            e.ExpectColumnValuesToBeInSet(column="ccode_is_member", value_set=[True]),
        ],
        kit.last_rows("int_cow_igo_memberships_checked"),
    )
