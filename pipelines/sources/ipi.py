"""IPI Peacekeeping Database: UN personnel contributed per country and month.

Quirks handled downstream: a month appears only when the country contributed, so an absent
month inside the coverage window is 0; empty cells mean none reported (0); the ccode column was
added from an undated crosswalk, so int_pko_contributions_resolved re-resolves the ISO3 code by
date (Czech contributions before 1993 belong to Czechoslovakia, 315).
"""

from pipelines.sources.base import CsvSpec

SOURCE_ID = "ipi"

FILES = (
    CsvSpec(
        file_name="contributor_month",
        table="raw_ipi__contributor_month",
        columns=("date", "contributor", "iso3", "ccode", "troops", "police", "experts"),
    ),
)
