-- grain: one row per (ccode, year) of the frame inside Geo-PKO's years (1994-2024)
-- key: ccode, year
-- pko_missions: UN missions with published deployment maps to which the state sent troops;
-- pko_troops_estimated sums, over its missions and deployment locations, the largest figure
-- the maps show for it at each location that year: a map-based estimate from standard unit
-- sizes, not a headcount (Geo-PKO v2.3). Locations of unknown size count as deployments and
-- add no troops (pko_locations_size_unknown). 0 and '' when the state deployed none.
with

frame as (
    select * from covered_country_years('geo_pko')
),

entries as (
    select * from int_geo_pko_contributors_resolved
    where reject is null and actor_kind = 'state'
),

per_country as (
    select
        ccode,
        year,
        count(distinct mission) as missions,
        count(*) as locations,
        cast(coalesce(sum(troops), 0) as bigint) as troops_estimated,
        count(*) filter (where size_unknown) as locations_size_unknown,
        string_agg(distinct mission, ', ' order by mission) as mission_list
    from entries
    group by ccode, year
),

final as (
    select
        frame.ccode,
        frame.year,
        coalesce(per_country.missions, 0) as pko_missions,
        coalesce(per_country.troops_estimated, 0) as pko_troops_estimated,
        coalesce(per_country.locations, 0) as pko_locations,
        coalesce(per_country.locations_size_unknown, 0) as pko_locations_size_unknown,
        coalesce(per_country.mission_list, '') as pko_mission_list
    from frame
    left join per_country on frame.ccode = per_country.ccode and frame.year = per_country.year
)

select * from final
