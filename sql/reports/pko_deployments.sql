-- UN peacekeeping deployments per state, mission and year (Geo-PKO v2.3 map-based estimates).
select
    ccode,
    year,
    mission,
    locations,
    troops_estimated,
    locations_size_unknown
from mart_pko_deployments
order by ccode, year, mission
