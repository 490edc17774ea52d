-- grain, key, columns and checks: sql/marts/mart_cooperation_index.toml
-- Computed by pipelines/indices from indices.toml (method: docs/methodology.md). Pillar
-- scores and the composite are on 0-100 (100 = the most cooperation in the panel). A pillar is
-- NULL, never 0, when too few of its indicators are observed; composite, symbolic_gap and rank
-- exist only where both pillars do (1990-2010 with the shipped sources). rank 1 = highest.
with

indices as (
    select * from py_cooperation_index
),

countries as (
    select * from mart_countries
),

final as (
    select
        indices.ccode,
        countries.iso3,
        countries.country,
        indices.year,
        indices.institutional,
        indices.operational,
        indices.composite,
        indices.symbolic_gap,
        cast(indices.rank as integer) as rank,
        cast(indices.n_ranked as integer) as n_ranked,
        cast(indices.institutional_indicators_observed as integer) as institutional_indicators_observed,
        cast(indices.institutional_indicators_total as integer) as institutional_indicators_total,
        cast(indices.operational_indicators_observed as integer) as operational_indicators_observed,
        cast(indices.operational_indicators_total as integer) as operational_indicators_total
    from indices
    inner join countries on indices.ccode = countries.ccode
)

select * from final
order by ccode, year
