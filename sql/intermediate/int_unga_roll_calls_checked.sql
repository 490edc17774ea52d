-- grain: one row per record of the unvotes roll-call file, valid or rejected
-- key: row_number
-- Adds the coverage check to staging's own (a roll call whose session year lies outside the
-- source's years is quarantined); the votes of a rejected roll call are quarantined in turn
-- as unknown_roll_call (int_unga_votes_checked).
with

roll_calls as (
    select * from stg_unga__roll_calls
),

checked as (
    select
        roll_calls.* exclude (reject),
        coalesce(
            roll_calls.reject,
            reject_outside_coverage('unga', roll_calls.year, 'session', roll_calls.session)
        ) as reject
    from roll_calls
),

final as (
    select * from checked
)

select * from final
