-- grain: one row per record of the COW IGO v3 state-year-IGO file, valid or rejected
-- key: row_number
-- status: 1 full, 2 associate, 3 observer, -9 unknown (kept and counted apart, never as membership)
with

source as (
    select * from raw_cow_igo__state_year_igo
),

typed as (
    select
        _source_id as source_id,
        _source_file as source_file,
        _row_number as row_number,
        ccode as ccode_text,
        year as year_text,
        status as status_text,
        as_int(ccode) as ccode,
        as_int(year) as year,
        lower(trim(ioname)) as ioname,
        as_int(status) as status
    from source
),

keyed as (
    select
        *,
        row_number() over (
            partition by ccode, year, ioname order by row_number
        ) as key_occurrence
    from typed
),

checked as (
    select
        *,
        coalesce(
            reject_if(ccode_text is null, 'null_key', 'ccode', ccode_text),
            reject_if(year_text is null, 'null_key', 'year', year_text),
            reject_if(ioname is null or ioname = '', 'null_key', 'ioname', ioname),
            reject_if(ccode is null, 'not_integer', 'ccode', ccode_text),
            reject_if(year is null, 'not_integer', 'year', year_text),
            reject_if(
                status is null or status not in (1, 2, 3, -9),
                'unknown_status', 'status', status_text
            ),
            reject_if(
                key_occurrence > 1, 'duplicate_key', 'ccode, year, ioname',
                concat_ws(', ', ccode_text, year_text, ioname)
            )
        ) as reject
    from keyed
),

final as (
    select
        source_id,
        source_file,
        row_number,
        ccode,
        year,
        ioname,
        status,
        reject
    from checked
)

select * from final
