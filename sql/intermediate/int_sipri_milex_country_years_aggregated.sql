-- grain: one row per (ccode, year) of the frame inside SIPRI milex's years (1948-2023)
-- key: ccode, year
-- not_null: ccode, year, milex_usd_is_estimate, milex_gdp_is_estimate
-- Constant 2022 US$ (millions) and share of GDP (per cent); NULL where SIPRI has no figure
-- ("...", "xxx" or no row for the state); the flags mark SIPRI's blue (estimate) and red
-- (highly uncertain) figures. Years outside the coverage have no row: NULL in the mart.
with

frame as (
    select * from covered_country_years('sipri_milex')
),

values_pivoted as (
    select * from int_sipri_milex_country_years_pivoted
),

final as (
    select
        frame.ccode,
        frame.year,
        values_pivoted.milex_constant_usd_m,
        values_pivoted.milex_share_of_gdp_pct,
        coalesce(values_pivoted.milex_usd_is_estimate, false) as milex_usd_is_estimate,
        coalesce(values_pivoted.milex_usd_is_uncertain, false) as milex_usd_is_uncertain,
        coalesce(values_pivoted.milex_gdp_is_estimate, false) as milex_gdp_is_estimate,
        coalesce(values_pivoted.milex_gdp_is_uncertain, false) as milex_gdp_is_uncertain
    from frame
    left join values_pivoted
        on frame.ccode = values_pivoted.ccode and frame.year = values_pivoted.year
)

select * from final
