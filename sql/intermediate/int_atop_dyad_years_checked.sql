-- grain: one row per record of the ATOP file, valid or rejected, after the state-system checks
-- key: row_number
with

dyads as (
    select * from stg_atop__directed_dyad_years
),

checked as (
    select
        dyads.* exclude (reject),
        coalesce(
            dyads.reject,
            reject_outside_coverage('atop', dyads.year, 'year', dyads.year),
            reject_unknown_state(dyads.ccode1, 'ccode1'),
            reject_unknown_state(dyads.ccode2, 'ccode2'),
            reject_not_member(dyads.ccode1, dyads.year, 'ccode1, year'),
            reject_not_member(dyads.ccode2, dyads.year, 'ccode2, year')
        ) as reject
    from dyads
),

final as (
    select * from checked
)

select * from final
