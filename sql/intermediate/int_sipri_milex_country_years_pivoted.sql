-- grain: one row per (ccode, year) with a SIPRI milex value or marker in either measure
-- key: ccode, year
-- Constant 2022 US$ (millions) and share of GDP (per cent) side by side; NULL where SIPRI says
-- "..." or "xxx"; *_is_estimate where SIPRI prints the figure in blue, *_is_uncertain in red.
-- Only COW members in the year; the non-state rows and non-member years stay in
-- int_sipri_milex_checked.
with

cells as (
    select * from int_sipri_milex_checked
    where reject is null and is_state and is_member
),

final as (
    select
        ccode,
        year,
        max(value) filter (where measure = 'constant_usd_m') as milex_constant_usd_m,
        max(value * 100) filter (where measure = 'share_of_gdp') as milex_share_of_gdp_pct,
        coalesce(bool_or(is_estimate) filter (
            where measure = 'constant_usd_m' and value is not null
        ), false)
            as milex_usd_is_estimate,
        coalesce(bool_or(is_uncertain) filter (
            where measure = 'constant_usd_m' and value is not null
        ), false)
            as milex_usd_is_uncertain,
        coalesce(bool_or(is_estimate) filter (
            where measure = 'share_of_gdp' and value is not null
        ), false)
            as milex_gdp_is_estimate,
        coalesce(bool_or(is_uncertain) filter (
            where measure = 'share_of_gdp' and value is not null
        ), false)
            as milex_gdp_is_uncertain,
        count(*) as n_cells
    from cells
    group by ccode, year
)

select * from final
