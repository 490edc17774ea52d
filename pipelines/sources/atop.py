"""ATOP v5.1 directed dyad-year alliance obligations.

Quirk handled downstream (stg_atop__directed_dyad_years, int_alliance_dyad_years_undirected):
the file is symmetric, every A->B row has a B->A row, so undirected pairs keep ccode1 < ccode2
and partner counts count distinct ccode2 per ccode1 without adding both directions.
"""

from pipelines.sources.base import CsvSpec

SOURCE_ID = "atop"

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
