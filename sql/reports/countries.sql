-- Every state of the marts: one report page each.
select
    ccode,
    iso3,
    stateabb,
    country,
    first_year,
    last_year
from mart_countries
order by country, ccode
