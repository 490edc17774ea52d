-- grain: one row per record of the unvotes issue file (roll call x issue), valid or rejected
-- key: row_number
-- Issue codes: di arms control and disarmament, nu nuclear weapons, me, hr, co, ec.
with

source as (
    select * from raw_unga__roll_call_issues
),

typed as (
    select
        _source_id as source_id,
        _source_file as source_file,
        _row_number as row_number,
        rcid as rcid_text,
        case
            when regexp_full_match(trim(rcid), '[0-9]+(\.0+)?')
                then cast(cast(trim(rcid) as double) as bigint)
        end as rcid,
        lower(trim(short_name)) as issue_code,
        trim(issue) as issue
    from source
),

keyed as (
    select
        *,
        row_number() over (partition by rcid, issue_code order by row_number) as key_occurrence
    from typed
),

checked as (
    select
        *,
        coalesce(
            reject_if(rcid_text is null, 'null_key', 'rcid', rcid_text),
            reject_if(rcid is null, 'not_integer', 'rcid', rcid_text),
            reject_if(issue_code is null or issue_code = '', 'null_key', 'short_name', issue_code),
            reject_if(
                key_occurrence > 1, 'duplicate_key', 'rcid, short_name',
                concat_ws(', ', rcid_text, issue_code)
            )
        ) as reject
    from keyed
),

final as (
    select
        source_id,
        source_file,
        row_number,
        rcid,
        issue_code,
        issue,
        reject
    from checked
)

select * from final
