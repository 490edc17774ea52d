-- The counts behind the index, per country-year (NULL outside a source's years).
select
    ccode,
    year,
    alliance_partners_defense,
    alliance_partners_offense,
    alliance_partners_neutrality,
    alliance_partners_nonaggression,
    alliance_partners_consultation,
    alliance_partners_total,
    igo_full,
    security_igo_full,
    security_igos,
    exercises,
    exercise_partners,
    pko_personnel_mean,
    pko_months_contributing
from mart_country_year
order by ccode, year
