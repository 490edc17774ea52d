-- grain: one row per record of the unvotes issue file (roll call x issue), valid or rejected
-- key: row_number
-- An issue code of a roll call that is not in the roll-call file (or was rejected there) is
-- quarantined as unknown_roll_call.
with

issues as (
    select * from stg_unga__roll_call_issues
),

roll_calls as (
    select * from int_unga_roll_calls_checked
    where reject is null
),

checked as (
    select
        issues.* exclude (reject),
        coalesce(
            issues.reject,
            reject_if(roll_calls.rcid is null, 'unknown_roll_call', 'rcid', issues.rcid)
        ) as reject
    from issues
    left join roll_calls on issues.rcid = roll_calls.rcid
),

final as (
    select * from checked
)

select * from final
