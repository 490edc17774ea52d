-- grain, key, columns and checks: sql/marts/mart_index_weights.toml
-- Nominal and effective weights of the indicators of the (current) composite. nominal_weight
-- is the indicator's weight within its pillar times the pillar's weight; effective_weight is
-- its squared Pearson correlation with the composite over the ranked country-years, as a
-- share of the sum over indicators (COINr-style effective weights). status says whether the
-- indicator is used or why it is left out (a pending source; no variance in the index years).
with

weights as (
    select * from py_index_weights
),

final as (
    select
        indicator,
        pillar,
        label,
        unit,
        source,
        core,
        cast(carry_forward_years as integer) as carry_forward_years,
        per_milex,
        nominal_weight,
        effective_weight,
        r2_with_composite,
        status
    from weights
)

select * from final
order by pillar, indicator
