-- grain: one row per non-state participant (an organisation or territory) of an MME exercise
-- key: source_id, row_number
-- not_null: source_id, row_number, mme_row, participant_name
-- Kept apart so that counts of states never include NATO, Hong Kong or Bermuda, and nothing
-- the source lists is dropped silently.
with

participations as (
    select * from int_mme_participations_checked
    where is_non_state and reject is null
),

final as (
    select
        source_id,
        row_number,
        mme_row,
        mmeid,
        year,
        exercise_name,
        participant_name
    from participations
)

select * from final
order by source_id, row_number
