-- grain: one row per (ccode, year) with at least one valid IPI contribution record
-- key: ccode, year
-- Mean personnel divides by the months the source reports that year (2 in 1990, 3 in 2014,
-- else 12), because a month without a record means the country contributed 0.
with

contributions as (
    select * from int_pko_contributions_checked
    where reject is null
),

months_reported as (
    select
        year,
        count(distinct month) as months_in_source
    from contributions
    group by year
),

per_country as (
    select
        ccode,
        year,
        sum(personnel) as personnel_month_sum,
        max(personnel) as personnel_peak,
        count(*) filter (where personnel > 0) as months_contributing
    from contributions
    group by ccode, year
),

final as (
    select
        per_country.ccode,
        per_country.year,
        per_country.personnel_month_sum / months_reported.months_in_source as personnel_mean,
        per_country.personnel_peak,
        per_country.months_contributing,
        months_reported.months_in_source
    from per_country
    inner join months_reported on per_country.year = months_reported.year
)

select * from final
