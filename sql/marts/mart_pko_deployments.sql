-- grain, key, columns and checks: sql/marts/mart_pko_deployments.toml
-- Where each state's UN peacekeeping troops go: Geo-PKO v2.3 (1994-2024) per state, year and
-- mission. Troop figures are estimates from unit symbols on UN deployment maps (standard unit
-- sizes), not headcounts; only missions with published maps are covered. Contributors that are
-- not states (UN, CARICOM, unnamed contingents) are left out.
with

entries as (
    select * from int_geo_pko_contributors_resolved
    where reject is null and actor_kind = 'state'
),

countries as (
    select * from int_cow_states_countries_described
),

per_mission as (
    select
        ccode,
        year,
        mission,
        count(*) as locations,
        cast(coalesce(sum(troops), 0) as bigint) as troops_estimated,
        count(*) filter (where size_unknown) as locations_size_unknown,
        string_agg(location, '; ' order by location) as location_list
    from entries
    group by ccode, year, mission
),

final as (
    select
        per_mission.ccode,
        countries.iso3,
        countries.country,
        per_mission.year,
        per_mission.mission,
        per_mission.locations,
        per_mission.troops_estimated,
        per_mission.locations_size_unknown,
        per_mission.location_list
    from per_mission
    inner join countries on per_mission.ccode = countries.ccode
)

select * from final
order by ccode, year, mission
