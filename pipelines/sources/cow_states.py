"""COW State System Membership v2016 and the ccode <-> ISO3 crosswalk (reference data)."""

from pipelines.sources.base import CsvSpec

SOURCE_ID = "cow_states"
LABEL = "which states exist in which years"

FILES = (
    CsvSpec(
        file_name="state_spells",
        table="raw_cow_states__state_spells",
        columns=(
            "stateabb",
            "ccode",
            "statenme",
            "styear",
            "stmonth",
            "stday",
            "endyear",
            "endmonth",
            "endday",
            "version",
        ),
    ),
    CsvSpec(
        file_name="ccode_iso3_crosswalk",
        table="raw_cow_states__ccode_iso3",
        columns=("ccode", "iso3", "cow_stateabb", "cow_statenme", "iso3_source"),
    ),
)



def accepted_suite(kit):
    """Reference data: no accepted-rows suite of its own (every other suite checks ccodes
    against these spells, and the build checks the staging keys)."""
    return []
