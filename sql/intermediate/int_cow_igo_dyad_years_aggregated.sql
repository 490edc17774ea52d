-- grain: one row per pair of system members (ccode1 < ccode2) per year inside COW IGO's years
-- key: ccode1, ccode2, year
-- 0 when the pair has no joint full membership that year; years outside the
-- coverage have no row, so they stay NULL in mart_dyad_year.
with

pairs as (
    select * from covered_dyad_years('cow_igo')
),

records as (
    select * from int_cow_igo_dyad_years_paired
),

final as (
    select
        pairs.ccode1,
        pairs.ccode2,
        pairs.year,
        coalesce(records.joint_igo_full, 0) as joint_igo_full,
        coalesce(records.joint_security_igo_full, 0) as joint_security_igo_full
    from pairs
    left join records
        on
            pairs.ccode1 = records.ccode1
            and pairs.ccode2 = records.ccode2
            and pairs.year = records.year
)

select * from final
