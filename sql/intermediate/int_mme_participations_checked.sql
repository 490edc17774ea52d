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

state_years as (
    select * from int_state_years_expanded
),

known_states as (
    select distinct ccode from state_years
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
            reject_if(
                participants.ccode is not null and known.ccode is null,
                'unknown_country_code', 'ccode', participants.ccode
            ),
            reject_if(
                participants.ccode is not null and member.ccode is null,
                'not_system_member', 'ccode, year',
                concat_ws(', ', participants.ccode, exercises.start_year)
            )
        ) as reject
    from participants
    left join exercises on participants.mme_row = exercises.mme_row
    left join known_states as known on participants.ccode = known.ccode
    left join state_years as member
        on participants.ccode = member.ccode and exercises.start_year = member.year
),

final as (
    select * from checked
)

select * from final
