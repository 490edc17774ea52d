"""IPI Peacekeeping Database: UN personnel contributed per country and month.

Quirks handled downstream: a month appears only when the country contributed, so an absent
month inside the coverage window is 0; empty cells mean none reported (0); the ccode column was
added from an undated crosswalk, so int_ipi_contributions_checked re-resolves the ISO3 code by
date (Czech contributions before 1993 belong to Czechoslovakia, 315).
"""

from pipelines.sources.base import CsvSpec

SOURCE_ID = "ipi"
LABEL = "UN peacekeeping personnel (operational pillar)"

FILES = (
    CsvSpec(
        file_name="contributor_month",
        table="raw_ipi__contributor_month",
        columns=("date", "contributor", "iso3", "ccode", "troops", "police", "experts"),
    ),
)

# The most personnel one state has contributed in a month, with a wide margin.
MAX_MONTHLY_PERSONNEL = 50_000


def accepted_suite(kit):
    """GX suite over the accepted contributor-months: key, counts, coverage, membership."""
    e = kit.expectations
    first, last = kit.coverage(SOURCE_ID)
    return kit.suite(
        "source_ipi",
        kit.member_flags(["ccode"], kit.accepted("int_ipi_contributions_checked")),
        [
            *(e.ExpectColumnValuesToNotBeNull(column=c) for c in ("iso3", "month_end", "ccode")),
            e.ExpectCompoundColumnsToBeUnique(column_list=["iso3", "month_end"]),
            *(
                e.ExpectColumnValuesToBeBetween(column=c, min_value=0)
                for c in ("troops", "police", "experts")
            ),
            e.ExpectColumnValuesToBeBetween(
                column="personnel", min_value=0, max_value=MAX_MONTHLY_PERSONNEL
            ),
            e.ExpectColumnValuesToBeBetween(column="year", min_value=first, max_value=last),
            e.ExpectColumnValuesToBeInSet(column="ccode_is_member", value_set=[True]),
        ],
        kit.last_rows("int_ipi_contributions_checked"),
    )
