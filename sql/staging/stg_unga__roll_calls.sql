-- grain: one row per record of the unvotes roll-call file, valid or rejected
-- key: row_number
-- rcid is written as a whole number ('3') here and as '3.0' in the votes file; both are read
-- as the same integer. A roll call's year is its session's (year = session + 1945, as in
-- Voeten's dyadic data), so the votes of session 74 held on 14 January 2020 count in 2019; the
-- date itself resolves the voters' codes. Without a session the date's year is used.
with

source as (
    select * from raw_unga__roll_calls
),

typed as (
    select
        _source_id as source_id,
        _source_file as source_file,
        _row_number as row_number,
        rcid as rcid_text,
        date as date_text,
        case
            when regexp_full_match(trim(rcid), '[0-9]+(\.0+)?')
                then cast(cast(trim(rcid) as double) as bigint)
        end as rcid,
        try_cast(trim(date) as date) as vote_date,
        as_int(regexp_replace(trim(session), '\.0+$', '')) as session,
        trim(importantvote) = '1' as is_important,
        nullif(trim(unres), '') as resolution,
        nullif(trim(short), '') as short_title
    from source
),

keyed as (
    select
        *,
        row_number() over (partition by rcid order by row_number) as key_occurrence
    from typed
),

checked as (
    select
        *,
        coalesce(
            reject_if(rcid_text is null, 'null_key', 'rcid', rcid_text),
            reject_if(rcid is null, 'not_integer', 'rcid', rcid_text),
            reject_if(vote_date is null, 'not_a_date', 'date', date_text),
            reject_if(key_occurrence > 1, 'duplicate_key', 'rcid', rcid_text)
        ) as reject
    from keyed
),

final as (
    select
        source_id,
        source_file,
        row_number,
        rcid,
        vote_date,
        coalesce(session + 1945, year(vote_date)) as year,
        year(vote_date) as calendar_year,
        session,
        is_important,
        resolution,
        short_title,
        reject
    from checked
)

select * from final
