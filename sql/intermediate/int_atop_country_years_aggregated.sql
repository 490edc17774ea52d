-- grain: one row per (ccode, year) of the frame inside ATOP's coverage years
-- key: ccode, year
-- not_null: ccode, year, alliance_partners_total
-- 0 when a state has no obligation that year; years outside ATOP's coverage have no row, so
-- they stay NULL in mart_country_year. ATOP obligations can be one-sided (a guarantee), so a
-- state's partners are counted from its own directed rows (ccode1), never by adding both
-- directions.
with

frame as (
    select * from covered_country_years('atop')
),

alliances as (
    select
        ccode1 as ccode,
        year,
        count(distinct ccode2) filter (where atop_defense = 1) as partners_defense,
        count(distinct ccode2) filter (where atop_offense = 1) as partners_offense,
        count(distinct ccode2) filter (where atop_neutral = 1) as partners_neutrality,
        count(distinct ccode2) filter (where atop_nonagg = 1) as partners_nonaggression,
        count(distinct ccode2) filter (where atop_consul = 1) as partners_consultation,
        count(distinct ccode2) as partners_total
    from int_atop_dyad_years_checked
    where reject is null
    group by ccode1, year
),

final as (
    select
        frame.ccode,
        frame.year,
        coalesce(alliances.partners_defense, 0) as alliance_partners_defense,
        coalesce(alliances.partners_offense, 0) as alliance_partners_offense,
        coalesce(alliances.partners_neutrality, 0) as alliance_partners_neutrality,
        coalesce(alliances.partners_nonaggression, 0) as alliance_partners_nonaggression,
        coalesce(alliances.partners_consultation, 0) as alliance_partners_consultation,
        coalesce(alliances.partners_total, 0) as alliance_partners_total
    from frame
    left join alliances on frame.ccode = alliances.ccode and frame.year = alliances.year
)

select * from final
