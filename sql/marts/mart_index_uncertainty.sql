-- grain, key, columns and checks: sql/marts/mart_index_uncertainty.toml
-- Monte-Carlo over the methodological choices of indices.toml [uncertainty] (seeded): median
-- rank and 5-95 % rank interval over n_draws draws; shift_<choice> is the mean absolute rank
-- shift when only that choice leaves the nominal one; first_order_<choice> is the share of
-- the rank variance explained by that choice alone. Method: docs/methodology.md.
with

uncertainty as (
    select * from py_index_uncertainty
),

countries as (
    select * from mart_countries
),

final as (
    select
        uncertainty.ccode,
        countries.iso3,
        countries.country,
        uncertainty.year,
        cast(uncertainty.nominal_rank as integer) as nominal_rank,
        uncertainty.median_rank,
        uncertainty.rank_p05,
        uncertainty.rank_p95,
        uncertainty.rank_interval_width,
        cast(uncertainty.n_draws as integer) as n_draws,
        uncertainty.shift_normalisation,
        uncertainty.shift_weights,
        uncertainty.shift_aggregation,
        uncertainty.shift_window,
        uncertainty.most_influential_choice,
        uncertainty.first_order_normalisation,
        uncertainty.first_order_aggregation,
        uncertainty.first_order_window
    from uncertainty
    inner join countries on uncertainty.ccode = countries.ccode
)

select * from final
order by ccode, year
