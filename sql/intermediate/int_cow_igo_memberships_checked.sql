-- grain: one row per record of the COW IGO long file, valid or rejected, after state-system checks
-- key: row_number
with

memberships as (
    select * from stg_cow_igo__memberships
),

checked as (
    select
        memberships.* exclude (reject),
        coalesce(
            memberships.reject,
            reject_outside_coverage('cow_igo', memberships.year, 'year', memberships.year),
            reject_unknown_state(memberships.ccode, 'ccode'),
            reject_not_member(memberships.ccode, memberships.year, 'ccode, year')
        ) as reject
    from memberships
),

final as (
    select * from checked
)

select * from final
