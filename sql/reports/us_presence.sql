-- US active-duty troops hosted per state and year (troopdata; NULL outside 1950-2024).
select
    ccode,
    year,
    us_troops_hosted,
    pko_missions,
    pko_troops_estimated
from mart_country_year
where us_troops_hosted is not null or pko_missions is not null
order by ccode, year
