-- grain, key, columns and checks: sql/marts/mart_index_inputs.toml
-- The indicator values the published composite used (indices.toml), one row per scored
-- state-year and indicator: the value in the indicator's unit after the documented
-- corrections, the carry-forward of slow commitments (imputed) and, under the relative
-- effort, the division by military expenditure (milex_estimated: the expenditure is a SIPRI
-- estimate); in_current_set / in_core_set: whether the year's current composite and the
-- core composite use it. NULL stays NULL (not covered), never 0. Method: docs/methodology.md.
with

inputs as (
    select * from py_index_inputs
),

countries as (
    select * from mart_countries
),

final as (
    select
        inputs.ccode,
        countries.iso3,
        countries.country,
        cast(inputs.year as integer) as year,
        cast(inputs.indicator as varchar) as indicator,
        inputs.value,
        inputs.imputed,
        inputs.milex_estimated,
        inputs.in_current_set,
        inputs.in_core_set
    from inputs
    inner join countries on inputs.ccode = countries.ccode
)

select * from final
order by ccode, year, indicator
