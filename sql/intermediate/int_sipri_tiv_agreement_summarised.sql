-- grain: one row per period (each year, each decade and the whole span of sipri_tiv)
-- key: period
-- How far the register's TIV spread evenly over delivery years is from SIPRI's exact yearly
-- TIV, over the state dyad-years with a delivery in either (orders alone are left out). Within
-- x%: |spread - exact| <= max(x% of exact, 0.5), since SIPRI rounds to whole TIV millions and
-- prints 0 for less than 0.5.
with

dyad_years as (
    select * from int_sipri_arms_directed_dyad_years_aggregated
    where
        tiv_sipri_exact is not null
        and (tiv_delivered > 0 or tiv_sipri_exact > 0)
),

periods as (
    select
        cast(year as varchar) as period,
        year as first_year,
        year as last_year
    from (select distinct year from dyad_years) as years
    union all
    select
        cast(decade as varchar) || 's' as period,
        decade as first_year,
        decade + 9 as last_year
    from (select distinct year // 10 * 10 as decade from dyad_years) as decades
    union all
    select
        cast(min(year) as varchar) || '-' || cast(max(year) as varchar) as period,
        min(year) as first_year,
        max(year) as last_year
    from dyad_years
),

final as (
    select
        periods.period,
        periods.first_year,
        least(periods.last_year, max(dyad_years.year)) as last_year,
        count(*) as n_dyad_years,
        count(*) filter (where dyad_years.tiv_sipri_exact = 0) as n_spread_only,
        count(*) filter (where dyad_years.tiv_delivered = 0) as n_exact_only,
        sum(dyad_years.tiv_delivered) as tiv_spread,
        sum(dyad_years.tiv_sipri_exact) as tiv_exact,
        sum(dyad_years.tiv_delivered) / nullif(sum(dyad_years.tiv_sipri_exact), 0)
            as spread_to_exact_ratio,
        corr(dyad_years.tiv_delivered, dyad_years.tiv_sipri_exact) as correlation,
        avg(abs(dyad_years.tiv_delivered - dyad_years.tiv_sipri_exact)) as mean_abs_difference,
        avg(
            case
                when
                    abs(dyad_years.tiv_delivered - dyad_years.tiv_sipri_exact)
                    <= greatest(0.10 * dyad_years.tiv_sipri_exact, 0.5)
                    then 1.0
                else 0.0
            end
        ) as share_within_10pct,
        avg(
            case
                when
                    abs(dyad_years.tiv_delivered - dyad_years.tiv_sipri_exact)
                    <= greatest(0.25 * dyad_years.tiv_sipri_exact, 0.5)
                    then 1.0
                else 0.0
            end
        ) as share_within_25pct
    from periods
    inner join dyad_years
        on dyad_years.year between periods.first_year and periods.last_year
    group by periods.period, periods.first_year, periods.last_year
)

select * from final
order by first_year, last_year - first_year
