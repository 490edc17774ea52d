-- grain: one row per pair of system members (ccode1 < ccode2) per year inside ATOP's years
-- key: ccode1, ccode2, year
-- 0 when the pair has no alliance obligation that year; years outside the
-- coverage have no row, so they stay NULL in mart_dyad_year.
with

pairs as (
    select * from covered_dyad_years('atop')
),

records as (
    select * from int_atop_dyad_years_undirected
),

final as (
    select
        pairs.ccode1,
        pairs.ccode2,
        pairs.year,
        coalesce(records.atop_defense, 0) as atop_defense,
        coalesce(records.atop_offense, 0) as atop_offense,
        coalesce(records.atop_neutral, 0) as atop_neutral,
        coalesce(records.atop_nonagg, 0) as atop_nonagg,
        coalesce(records.atop_consul, 0) as atop_consul,
        cast(records.ccode1 is not null as integer) as atop_any
    from pairs
    left join records
        on
            pairs.ccode1 = records.ccode1
            and pairs.ccode2 = records.ccode2
            and pairs.year = records.year
)

select * from final
