"""US military personnel abroad by host country-year (troopdata, from DoD/DMDC reports).

Quirks handled downstream: codes >= 1000 are troopdata's own codes for territories (Guam 1008,
Diego Garcia 1004, Hong Kong 1009...): kept apart, never counted as states, except Seychelles,
which troopdata codes 1036 instead of COW 591 and is recoded. (ccode, year) repeats in 29 pairs
where one country is spelled two ways (Czechia / Czech Republic): the larger active-duty figure
stands (usually the other spelling is all zeros). Figures are the maximum of a year's quarterly
reports and exclude contingency-operation personnel (Uzbekistan shows 0-3 troops in 2001-2005
despite Karshi-Khanabad).
"""

from pipelines.sources.base import CsvSpec

SOURCE_ID = "us_troops"

FILES = (
    CsvSpec(
        file_name="us_troops_country_year",
        table="raw_us_troops__country_year",
        columns=(
            "countryname", "year", "ccode", "iso3c", "region", "troops_ad", "army_ad", "navy_ad",
            "air_force_ad", "marine_corps_ad", "coast_guard_ad", "space_force_ad",
            "army_national_guard", "air_national_guard", "army_reserve", "navy_reserve",
            "marine_corps_reserve", "air_force_reserve", "coast_guard_reserve",
            "total_selected_reserve", "army_civilian", "navy_civilian", "marine_corps_civilian",
            "air_force_civilian", "dod_civilian", "total_civilian",
        ),
    ),
)

LABEL = "US active-duty troops hosted (foreign military presence)"
# The most US troops ever recorded in one host-year (Germany, 1950s-1980s) is about 275,000.
MAX_TROOPS = 1_000_000


def accepted_suite(kit):
    """GX suite over the accepted host-years: key, counts, coverage, membership."""
    e = kit.expectations
    first, last = kit.coverage(SOURCE_ID)
    return kit.suite(
        "source_us_troops",
        kit.member_flags(["ccode"], kit.accepted("int_us_troops_country_years_checked")),
        [
            *(e.ExpectColumnValuesToNotBeNull(column=c) for c in ("ccode", "year")),
            e.ExpectCompoundColumnsToBeUnique(column_list=["ccode", "year"]),
            e.ExpectColumnValuesToBeBetween(
                column="troops_active_duty", min_value=0, max_value=MAX_TROOPS
            ),
            e.ExpectColumnValuesToBeBetween(column="ccode", min_value=1, max_value=999),
            e.ExpectColumnValuesToBeBetween(column="year", min_value=first, max_value=last),
            e.ExpectColumnValuesToBeInSet(column="ccode_is_member", value_set=[True]),
        ],
        kit.last_rows("int_us_troops_country_years_checked"),
    )
