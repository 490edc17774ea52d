-- grain, key, columns and checks: sql/marts/mart_index_uncertainty.toml
-- Monte-Carlo over the methodological choices of indices.toml [uncertainty] (seeded):
-- normalisation, weights, aggregation, one indicator left out, the organisation list, the
-- corrections on/off, carrying slow commitments forward on/off and the operational effort
-- (absolute or per military expenditure). Median rank and 5-95 %
-- rank interval over the draws that rank the state-year; nominal_outside_interval flags a
-- published rank outside its own interval. shift_<choice> is the mean absolute rank shift
-- when only that choice leaves the nominal one (shift_window: the smoothing window, another
-- estimand, reported apart and never drawn); first_order_<choice> is the share of the rank
-- variance explained by that choice alone. Method: docs/methodology.md section 7.
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
        uncertainty.nominal_outside_interval,
        cast(uncertainty.n_draws as integer) as n_draws,
        cast(uncertainty.n_draws_ranked as integer) as n_draws_ranked,
        uncertainty.shift_normalisation,
        uncertainty.shift_weights,
        uncertainty.shift_aggregation,
        uncertainty.shift_exclusion,
        uncertainty.shift_organisation_list,
        uncertainty.shift_corrections,
        uncertainty.shift_carry_forward,
        uncertainty.shift_effort,
        uncertainty.shift_window,
        uncertainty.most_influential_choice,
        uncertainty.first_order_normalisation,
        uncertainty.first_order_aggregation,
        uncertainty.first_order_exclusion,
        uncertainty.first_order_organisation_list,
        uncertainty.first_order_corrections,
        uncertainty.first_order_carry_forward,
        uncertainty.first_order_effort
    from uncertainty
    inner join countries on uncertainty.ccode = countries.ccode
)

select * from final
order by ccode, year
