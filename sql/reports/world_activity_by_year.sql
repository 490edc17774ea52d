-- The whole system per year: states, alliance ties, exercises and peacekeeping contributors.
select
    year,
    count(*) as states,
    sum(alliance_partners_defense) / 2 as defence_pacts_dyads,
    sum(exercises) filter (where exercises > 0) as exercise_participations,
    -- NULL, not 0, in years the peacekeeping source does not cover
    case
        when count(pko_personnel_peak) > 0
            then count(*) filter (where pko_personnel_peak > 0)
    end as pko_contributors
from mart_country_year
where year >= 1946
group by year
order by year
