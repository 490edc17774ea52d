-- grain, key, columns and checks: sql/marts/mart_arms_tiv_agreement.toml
-- How far mart_arms_transfers.tiv_delivered (deals spread evenly over their delivery years)
-- is from SIPRI's exact yearly TIV, over the state supplier-recipient-years with a delivery in
-- either. Within x%: |spread - exact| <= max(x% of exact, 0.5 TIV).
with

agreement as (
    select * from int_sipri_tiv_agreement_summarised
),

final as (
    select
        period,
        first_year,
        last_year,
        n_dyad_years,
        n_spread_only,
        n_exact_only,
        tiv_spread,
        tiv_exact,
        spread_to_exact_ratio,
        correlation,
        mean_abs_difference,
        share_within_10pct,
        share_within_25pct
    from agreement
)

select * from final
order by first_year, last_year - first_year
