-- The indicator definitions of indices.toml as published (label, unit, pillar, source) with
-- their nominal and effective weights, or why an indicator is left out.
select
    indicator,
    pillar,
    label,
    unit,
    source,
    core,
    per_milex,
    carry_forward_years,
    nominal_weight,
    effective_weight,
    status
from mart_index_weights
order by pillar, indicator
