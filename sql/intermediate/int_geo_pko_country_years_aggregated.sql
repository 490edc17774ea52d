-- grain: one row per (ccode, year) with at least one valid Geo-PKO state contributor entry
-- key: ccode, year
-- troops_estimated sums, over the state's missions and deployment locations, the largest
-- figure the maps show for it at each location that year: a map-based estimate (standard unit
-- sizes), not a headcount. Entries with size unknown count as deployments but add no troops;
-- locations_size_unknown says how many there were.
with

entries as (
    select * from int_geo_pko_contributors_checked
    where reject is null and actor_kind = 'state'
),

final as (
    select
        ccode,
        year,
        count(distinct mission) as missions,
        count(*) as locations,
        sum(troops) as troops_estimated,
        count(*) filter (where size_unknown) as locations_size_unknown,
        string_agg(distinct mission, ', ' order by mission) as mission_list
    from entries
    group by ccode, year
)

select * from final
