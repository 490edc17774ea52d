-- grain: one row per record of the unvotes vote file (country x roll call), valid or rejected
-- key: row_number
-- vote_code: 1 yes, 2 abstain, 3 no (absences are not rows). country_code is ISO2, read as
-- text, so Namibia's 'NA' is a code, not a missing value; an empty code is kept ('') and
-- resolved by name downstream.
with

source as (
    select * from raw_unga__votes
),

typed as (
    select
        _source_id as source_id,
        _source_file as source_file,
        _row_number as row_number,
        rcid as rcid_text,
        vote as vote_text,
        case
            when regexp_full_match(trim(rcid), '[0-9]+(\.0+)?')
                then cast(cast(trim(rcid) as double) as bigint)
        end as rcid,
        trim(coalesce(country, '')) as country,
        upper(trim(coalesce(country_code, ''))) as country_code,
        case lower(trim(vote)) when 'yes' then 1 when 'abstain' then 2 when 'no' then 3 end
            as vote_code
    from source
),

checked as (
    select
        *,
        coalesce(
            reject_if(rcid_text is null, 'null_key', 'rcid', rcid_text),
            reject_if(rcid is null, 'not_integer', 'rcid', rcid_text),
            reject_if(
                country_code = '' and country = '', 'null_key', 'country_code, country', ''
            ),
            reject_if(vote_code is null, 'unknown_vote', 'vote', vote_text)
        ) as reject
    from typed
),

final as (
    select
        source_id,
        source_file,
        row_number,
        rcid,
        country,
        country_code,
        vote_code,
        reject
    from checked
)

select * from final
