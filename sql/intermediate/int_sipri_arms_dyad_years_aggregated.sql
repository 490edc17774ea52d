-- grain: one row per pair of system members (ccode1 < ccode2) per year inside SIPRI's arms years
-- key: ccode1, ccode2, year
-- not_null: ccode1, ccode2, year, arms_tiv_1_to_2, arms_tiv_2_to_1
-- TIV delivered in each direction (deals spread over their delivery years, docs/sipri.md); 0
-- when nothing was delivered that year; years outside 1950-2025 have no row, so they stay
-- NULL in mart_dyad_year.
with

pairs as (
    select * from covered_dyad_years('sipri_arms')
),

directed as (
    select * from int_sipri_arms_directed_dyad_years_aggregated
    where tiv_delivered > 0
),

final as (
    select
        pairs.ccode1,
        pairs.ccode2,
        pairs.year,
        coalesce(forward.tiv_delivered, 0) as arms_tiv_1_to_2,
        coalesce(backward.tiv_delivered, 0) as arms_tiv_2_to_1
    from pairs
    left join directed as forward
        on
            pairs.ccode1 = forward.supplier_ccode
            and pairs.ccode2 = forward.recipient_ccode
            and pairs.year = forward.year
    left join directed as backward
        on
            pairs.ccode2 = backward.supplier_ccode
            and pairs.ccode1 = backward.recipient_ccode
            and pairs.year = backward.year
)

select * from final
