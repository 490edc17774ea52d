-- Where Central Asian troops deploy: each UN mission a Central Asian state sent troops to, by
-- year, with Geo-PKO's map-based troop estimate (standard unit sizes, not a headcount) and
-- the number of deployment sites whose size the maps do not give.
-- Parameters: the `set variable` lines below hold the defaults; a value already set in the
-- session wins (see docs/queries.md). Run from the project root:
--   coop sql -- "$(cat sql/examples/central_asia_peacekeeping.sql)"
--   duckdb -readonly marts/coop.duckdb < sql/examples/central_asia_peacekeeping.sql
-- Mart: mart_pko_deployments (Geo-PKO v2.3, 1994-2024, only missions with published
-- deployment maps; police and individual officers are largely not attributed to states).
set variable from_year = coalesce(getvariable('from_year'), 2016);
set variable to_year = coalesce(getvariable('to_year'), 2024);

with

deployments as (
    select * from mart_pko_deployments
    where
        iso3 in ('KAZ', 'KGZ', 'TJK', 'TKM', 'UZB')
        and year between getvariable('from_year') and getvariable('to_year')
),

final as (
    select
        year,
        iso3,
        country,
        mission,
        locations,
        troops_estimated,
        locations_size_unknown
    from deployments
)

select * from final
order by iso3, year, mission;
