-- grain, key, columns and checks: sql/marts/mart_non_state_participants.toml
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
