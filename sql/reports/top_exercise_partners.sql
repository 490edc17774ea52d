-- The states with most exercise partners in the last year MME covers.
select
    country,
    iso3,
    year,
    exercise_partners,
    exercises
from mart_country_year
where year = (select last_year from mart_source_coverage where source_id = 'mme')
order by exercise_partners desc, country
limit 15
