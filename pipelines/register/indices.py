"""How register values reach the cooperation index without distorting it.

mart_country_year carries register values outside each public source's years (marked in
<column>_source). The index is relative: every indicator is normalised over the whole panel
and ranked per year. A year in which only a handful of countries have a register value would
produce scores and ranks of that handful alone (one country's facts for 2022 would make it
"first of one" in 2022). So a register value enters the index only for an indicator-year
that at least MIN_COUNTRY_SHARE of the year's states observe (from any source); elsewhere the
index reads it as not observed. mart_country_year itself keeps every value.
"""

from __future__ import annotations

import duckdb
import pandas as pd

REGISTER = "register"
# Half of the states of the year: below that a year's scores would compare a small,
# self-selected group (the countries someone chose to research) rather than the system.
MIN_COUNTRY_SHARE = 0.5


def states_per_year(con: duckdb.DuckDBPyConnection) -> pd.Series:
    """COW system members per year of the frame (int_cow_states_years_expanded)."""
    frame = con.execute(
        "select year, count(*) as states from int_cow_states_years_expanded group by year"
    ).df()
    return frame.set_index("year")["states"]


def mask_thin_register_values(
    panel: pd.DataFrame,
    indicators: list[str],
    states: pd.Series,
    min_share: float = MIN_COUNTRY_SHARE,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """The panel with register values set to missing in thinly observed indicator-years.

    `states` counts the states per year; years after its last year (register-only rows) use
    the last year's count, the states whose membership was still running. Returns the panel
    and, per indicator, how many register values were masked.
    """
    panel = panel.copy()
    last_year = int(states.index.max())
    year = panel["year"].astype(int)
    denominator = year.clip(upper=last_year).map(states).astype(float)
    masked: dict[str, int] = {}
    for name in indicators:
        source_column = f"{name}_source"
        if source_column not in panel.columns:
            continue
        observed = panel[name].notna().groupby(year).transform("sum")
        thin = observed / denominator < min_share
        mask = (panel[source_column] == REGISTER) & thin
        panel[name] = panel[name].mask(mask)
        masked[name] = int(mask.sum())
    return panel, masked
