-- The states with most exercise partners in the last year MME covers.
select
    country_years.country,
    country_years.iso3,
    country_years.year,
    country_years.exercise_partners,
    country_years.exercises
from mart_country_year as country_years
inner join mart_source_coverage as coverage
    on country_years.year = coverage.last_year and coverage.source_id = 'mme'
order by country_years.exercise_partners desc, country_years.country asc
limit 15
