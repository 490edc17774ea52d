"""COW IGO v3 state-year-IGO memberships and the IGO list.

Quirks handled in stg_cow_igo__memberships: status -9 means "unknown" and is counted apart,
never as membership; -1 ("IGO does not exist") and 0 rows were dropped when the long file was
derived, and any that reappear are quarantined.
"""

from pipelines.sources.base import CsvSpec

SOURCE_ID = "cow_igo"

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
