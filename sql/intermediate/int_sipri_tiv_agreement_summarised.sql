-- grain: one row per period (each year, each decade and the whole span of sipri_tiv)
-- key: period
-- How far the register's TIV spread evenly over delivery years is from SIPRI's exact yearly
-- TIV, over the state dyad-years with a delivery in either (orders alone are left out). Within
-- x%: |spread - exact| <= max(x% of exact, 0.5), since SIPRI rounds to whole TIV millions and
-- prints 0 for less than 0.5. Sums, means and the correlation are computed from exact DECIMAL
-- sums (TIV to 1e-6), so the published figures do not depend on the order in which DuckDB's
-- threads add doubles: the mart's checksum is the same in every run.
with

dyad_years as (
    select * from int_sipri_arms_directed_dyad_years_aggregated
    where
        tiv_sipri_exact is not null
        and (tiv_delivered > 0 or tiv_sipri_exact > 0)
),

exact as (
    select
        year,
        tiv_delivered,
        tiv_sipri_exact,
        cast(tiv_delivered as decimal(38, 6)) as x,
        cast(tiv_sipri_exact as decimal(38, 6)) as y
    from dyad_years
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

sums as (
    select
        periods.period,
        periods.first_year,
        least(periods.last_year, max(exact.year)) as last_year,
        count(*) as n_dyad_years,
        count(*) filter (where exact.tiv_sipri_exact = 0) as n_spread_only,
        count(*) filter (where exact.tiv_delivered = 0) as n_exact_only,
        sum(exact.x) as sum_x,
        sum(exact.y) as sum_y,
        sum(exact.x * exact.x) as sum_xx,
        sum(exact.y * exact.y) as sum_yy,
        sum(exact.x * exact.y) as sum_xy,
        sum(abs(exact.x - exact.y)) as sum_abs_difference,
        count(*) filter (
            where
            abs(exact.tiv_delivered - exact.tiv_sipri_exact)
            <= greatest(0.10 * exact.tiv_sipri_exact, 0.5)
        ) as n_within_10pct,
        count(*) filter (
            where
            abs(exact.tiv_delivered - exact.tiv_sipri_exact)
            <= greatest(0.25 * exact.tiv_sipri_exact, 0.5)
        ) as n_within_25pct
    from periods
    inner join exact
        on exact.year between periods.first_year and periods.last_year
    group by periods.period, periods.first_year, periods.last_year
),

final as (
    select
        period,
        first_year,
        last_year,
        n_dyad_years,
        n_spread_only,
        n_exact_only,
        cast(sum_x as double) as tiv_spread,
        cast(sum_y as double) as tiv_exact,
        cast(sum_x as double) / nullif(cast(sum_y as double), 0) as spread_to_exact_ratio,
        (
            n_dyad_years * cast(sum_xy as double) - cast(sum_x as double) * cast(sum_y as double)
        ) / nullif(
            sqrt(
                (n_dyad_years * cast(sum_xx as double) - cast(sum_x as double) ^ 2)
                * (n_dyad_years * cast(sum_yy as double) - cast(sum_y as double) ^ 2)
            ),
            0
        ) as correlation,
        cast(sum_abs_difference as double) / n_dyad_years as mean_abs_difference,
        n_within_10pct / n_dyad_years as share_within_10pct,
        n_within_25pct / n_dyad_years as share_within_25pct
    from sums
)

select * from final
order by first_year, last_year - first_year
