-- grain: one row per undirected pair (ccode1 < ccode2) and year with at least one ATOP alliance
-- key: ccode1, ccode2, year
-- ATOP has a row for each direction (A->B and B->A), but an obligation can be one-sided: a
-- pair's flag is 1 when either direction carries it.
with

dyads as (
    select * from int_atop_dyad_years_checked
    where reject is null
),

undirected as (
    select
        least(ccode1, ccode2) as ccode1,
        greatest(ccode1, ccode2) as ccode2,
        year,
        max(atop_defense) as atop_defense,
        max(atop_offense) as atop_offense,
        max(atop_neutral) as atop_neutral,
        max(atop_nonagg) as atop_nonagg,
        max(atop_consul) as atop_consul
    from dyads
    group by all
),

final as (
    select * from undirected
)

select * from final
