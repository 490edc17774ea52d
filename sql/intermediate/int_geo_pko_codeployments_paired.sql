-- grain: one row per undirected pair of states (ccode1 < ccode2) and year in which both sent
-- troops to at least one same UN mission (Geo-PKO)
-- key: ccode1, ccode2, year
-- shared_missions counts the missions both deployed to that year, wherever in the mission;
-- shared_locations the (mission, location) sites where both were shown.
with

entries as (
    select distinct
        ccode,
        year,
        mission,
        location
    from int_geo_pko_contributors_resolved
    where reject is null and actor_kind = 'state'
),

missions as (
    select distinct
        ccode,
        year,
        mission
    from entries
),

mission_pairs as (
    select
        first_state.ccode as ccode1,
        second_state.ccode as ccode2,
        first_state.year,
        count(*) as shared_missions
    from missions as first_state
    inner join missions as second_state
        on
            first_state.year = second_state.year
            and first_state.mission = second_state.mission
            and first_state.ccode < second_state.ccode
    group by all
),

location_pairs as (
    select
        first_state.ccode as ccode1,
        second_state.ccode as ccode2,
        first_state.year,
        count(*) as shared_locations
    from entries as first_state
    inner join entries as second_state
        on
            first_state.year = second_state.year
            and first_state.mission = second_state.mission
            and first_state.location = second_state.location
            and first_state.ccode < second_state.ccode
    group by all
),

final as (
    select
        mission_pairs.ccode1,
        mission_pairs.ccode2,
        mission_pairs.year,
        mission_pairs.shared_missions,
        coalesce(location_pairs.shared_locations, 0) as shared_locations
    from mission_pairs
    left join location_pairs
        on
            mission_pairs.ccode1 = location_pairs.ccode1
            and mission_pairs.ccode2 = location_pairs.ccode2
            and mission_pairs.year = location_pairs.year
)

select * from final
