-- Central Asian states per year since independence: the headline indicators.
select
    iso3,
    country,
    year,
    alliance_partners_defense,
    security_igo_full,
    exercises,
    pko_personnel_mean
from mart_country_year
where iso3 in ('KAZ', 'KGZ', 'TJK', 'TKM', 'UZB')
order by iso3, year
