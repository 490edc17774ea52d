-- grain: one row per undirected pair (ccode1 < ccode2) and year with at least one ATOP alliance
-- key: ccode1, ccode2, year
-- ATOP is symmetric (A->B and B->A); taking both directions and the maximum flag keeps a pair
-- even if one direction was quarantined.
with

dyads as (
    select * from int_alliance_dyad_years_checked
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
