"""ATOP v5.1 directed dyad-year alliance obligations.

Quirk handled downstream (stg_atop__directed_dyad_years, int_atop_dyad_years_undirected):
the file is symmetric, every A->B row has a B->A row, so undirected pairs keep ccode1 < ccode2
and partner counts count distinct ccode2 per ccode1 without adding both directions.
"""

from pipelines.sources.base import CsvSpec

SOURCE_ID = "atop"
LABEL = "alliance partners by obligation (institutional pillar)"

FILES = (
    CsvSpec(
        file_name="directed_dyad_year",
        table="raw_atop__directed_dyad_year",
        columns=(
            "ccode1",
            "ccode2",
            "year",
            "atop_defense",
            "atop_offense",
            "atop_neutral",
            "atop_nonagg",
            "atop_consul",
        ),
    ),
)


def accepted_suite(kit):
    """GX suite over the accepted ATOP rows: key, flags, coverage, both states members."""
    e = kit.expectations
    first, last = kit.coverage(SOURCE_ID)
    flags = ["atop_defense", "atop_offense", "atop_neutral", "atop_nonagg", "atop_consul"]
    return kit.suite(
        "source_atop",
        kit.member_flags(["ccode1", "ccode2"], kit.accepted("int_atop_dyad_years_checked")),
        [
            *(e.ExpectColumnValuesToNotBeNull(column=c) for c in ("ccode1", "ccode2", "year")),
            e.ExpectCompoundColumnsToBeUnique(column_list=["ccode1", "ccode2", "year"]),
            *(e.ExpectColumnValuesToBeInSet(column=c, value_set=[0, 1]) for c in flags),
            e.ExpectColumnValuesToBeBetween(column="year", min_value=first, max_value=last),
            e.ExpectColumnValuesToBeInSet(column="ccode1_is_member", value_set=[True]),
            e.ExpectColumnValuesToBeInSet(column="ccode2_is_member", value_set=[True]),
        ],
        kit.last_rows("int_atop_dyad_years_checked"),
    )
