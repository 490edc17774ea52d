-- grain: one row per (ccode, year) of the frame inside IPI's coverage years
-- key: ccode, year
-- not_null: ccode, year, pko_personnel_mean, pko_personnel_peak, pko_months_contributing
-- 0 when a state contributed no personnel that year; years outside the coverage have no row,
-- so they stay NULL in mart_country_year.
-- Mean personnel divides by the months the source reports that year (2 in 1990, 3 in 2014,
-- else 12), because a month without a record means the country contributed 0.
with

frame as (
    select * from covered_country_years('ipi')
),

contributions as (
    select * from int_ipi_contributions_checked
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

averaged as (
    select
        per_country.ccode,
        per_country.year,
        per_country.personnel_month_sum / months_reported.months_in_source as personnel_mean,
        per_country.personnel_peak,
        per_country.months_contributing
    from per_country
    inner join months_reported on per_country.year = months_reported.year
),

final as (
    select
        frame.ccode,
        frame.year,
        round(coalesce(averaged.personnel_mean, 0), 2) as pko_personnel_mean,
        coalesce(averaged.personnel_peak, 0) as pko_personnel_peak,
        coalesce(averaged.months_contributing, 0) as pko_months_contributing
    from frame
    left join averaged on frame.ccode = averaged.ccode and frame.year = averaged.year
)

select * from final
