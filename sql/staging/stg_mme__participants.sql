-- grain: one row per participant slot of an MME v7 exercise, valid or rejected
-- key: row_number
-- Non-state participants (no ccode, matched as non_state_participant) are flagged, not
-- rejected: they go to mart_non_state_participants.
with

source as (
    select * from raw_mme__participants
),

typed as (
    select
        _source_id as source_id,
        _source_file as source_file,
        _row_number as row_number,
        mme_row as mme_row_text,
        ccode as ccode_text,
        as_int(mme_row) as mme_row,
        mmeid,
        as_int(participant_position) as participant_position,
        trim(participant_raw) as participant_name,
        as_int(ccode) as ccode,
        ccode_match,
        ccode_match = 'non_state_participant' as is_non_state
    from source
),

keyed as (
    select
        *,
        case
            when ccode is not null
                then row_number() over (
                    partition by mme_row, ccode order by participant_position, row_number
                )
        end as ccode_occurrence
    from typed
),

checked as (
    select
        *,
        coalesce(
            reject_if(mme_row_text is null, 'null_key', 'mme_row', mme_row_text),
            reject_if(mme_row is null, 'not_integer', 'mme_row', mme_row_text),
            reject_if(
                participant_name is null or participant_name = '-9'
                or ccode_match = 'missing_participant',
                'missing_participant', 'participant_raw', participant_name
            ),
            reject_if(
                ccode is null and ccode_text is not null, 'not_integer', 'ccode', ccode_text
            ),
            reject_if(
                ccode is null and not coalesce(is_non_state, false),
                'unknown_country_code', 'participant_raw', participant_name
            ),
            reject_if(
                ccode_occurrence > 1, 'duplicate_participant', 'participant_raw',
                participant_name
            )
        ) as reject
    from keyed
),

final as (
    select
        source_id,
        source_file,
        row_number,
        mme_row,
        mmeid,
        participant_position,
        participant_name,
        ccode,
        ccode_match,
        coalesce(is_non_state, false) as is_non_state,
        reject
    from checked
)

select * from final
