-- The indicator values the published composite used (indices.toml), per scored state-year
-- and indicator, with the carried-forward and estimated-expenditure flags.
select
    ccode,
    year,
    indicator,
    value,
    imputed,
    milex_estimated,
    in_current_set
from mart_index_inputs
order by ccode, year, indicator
