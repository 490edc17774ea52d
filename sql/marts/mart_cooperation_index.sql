-- grain, key, columns and checks: sql/marts/mart_cooperation_index.toml
-- Computed by pipelines/indices from indices.toml (methodology v2: docs/methodology.md).
-- Pillars and composites are on 0-100 (100 = the most cooperation in the panel), from the
-- index years on (indices.toml first_year). The current composite (institutional,
-- operational, composite, rank) uses the indicators observed that year for most states
-- (indicator_set); the core composite (core_*) uses the fixed core set and is NULL where one
-- core indicator is missing. A state-year is scored only with >= min_months_member months of
-- system membership (scored, months_member). imputed_indicators lists the slow commitments
-- carried past their source's end for this row; corrections_applied the documented source
-- corrections (seeds/corrections.csv) that entered it. symbolic_share: share of the state's
-- military commitments with no practice in the window (NULL with no commitment).
-- pillar_gap = institutional - operational (v1's "symbolic gap"). effort: the operational
-- effort of the published scores (absolute, or relative_to_milex: per military expenditure);
-- estimated_indicators lists the values resting on a SIPRI-estimated expenditure.
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
        cast(indices.rank as integer) as rank,
        cast(indices.n_ranked as integer) as n_ranked,
        indices.core_institutional,
        indices.core_operational,
        indices.core_composite,
        cast(indices.core_rank as integer) as core_rank,
        cast(indices.core_n_ranked as integer) as core_n_ranked,
        indices.pillar_gap,
        indices.symbolic_share,
        indices.symbolic_share_no_exercise,
        cast(indices.commitments as integer) as commitments,
        cast(indices.commitments_without_practice as integer) as commitments_without_practice,
        cast(indices.practice_layers as varchar) as practice_layers,
        cast(indices.indicator_set as varchar) as indicator_set,
        cast(indices.imputed_indicators as varchar) as imputed_indicators,
        cast(indices.estimated_indicators as varchar) as estimated_indicators,
        cast(indices.effort as varchar) as effort,
        cast(indices.corrections_applied as varchar) as corrections_applied,
        indices.scored,
        indices.months_member,
        cast(indices.institutional_indicators_observed as integer) as institutional_indicators_observed,
        cast(indices.institutional_indicators_total as integer) as institutional_indicators_total,
        cast(indices.operational_indicators_observed as integer) as operational_indicators_observed,
        cast(indices.operational_indicators_total as integer) as operational_indicators_total
    from indices
    inner join countries on indices.ccode = countries.ccode
)

select * from final
order by ccode, year
