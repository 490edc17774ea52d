-- grain: one row per MME participant record, valid or rejected, dated by its exercise
-- key: row_number
-- year is the exercise's start year.  Non-state participants pass (is_non_state) and are
-- published in mart_non_state_participants rather than counted as states.
with

participants as (
    select * from stg_mme__participants
),

exercises as (
    select * from int_mme_exercises_checked
),

checked as (
    select
        participants.* exclude (reject),
        exercises.start_year as year,
        exercises.exercise_name,
        coalesce(
            participants.reject,
            reject_if(
                exercises.mme_row is null, 'unknown_exercise', 'mme_row', participants.mme_row
            ),
            reject_if(
                exercises.reject is not null, 'exercise_rejected', 'mme_row',
                participants.mme_row
            ),
            -- a participant without a ccode is a non-state one, not an unknown state
            case
                when participants.ccode is not null
                    then coalesce(
                        reject_unknown_state(participants.ccode, 'ccode'),
                        reject_not_member(participants.ccode, exercises.start_year, 'ccode, year')
                    )
            end
        ) as reject
    from participants
    left join exercises on participants.mme_row = exercises.mme_row
),

final as (
    select * from checked
)

select * from final
