-- grain: one row per record of the UNGA ideal-point file, valid or rejected
-- key: row_number
-- idealpointfp is the estimate that reaches 2024 (idealpointall and idealpointlegacy are empty
-- in 2024); an empty estimate stays NULL, it is not a reject.
with

source as (
    select * from raw_unga__ideal_points
),

typed as (
    select
        _source_id as source_id,
        _source_file as source_file,
        _row_number as row_number,
        ccode as ccode_text,
        year as year_text,
        idealpointfp as idealpointfp_text,
        as_int(ccode) as ccode,
        as_int(year) as year,
        nullif(trim(iso3c), '') as iso3,
        nullif(trim(countryname), '') as country_name,
        try_cast(nullif(trim(idealpointfp), '') as double) as idealpointfp,
        try_cast(nullif(trim(idealpointall), '') as double) as idealpointall,
        try_cast(nullif(trim(idealpointlegacy), '') as double) as idealpointlegacy,
        try_cast(nullif(trim(nvotesfp), '') as double) as nvotesfp,
        try_cast(nullif(trim(nvotesall), '') as double) as nvotesall
    from source
),

keyed as (
    select
        *,
        row_number() over (partition by ccode, year order by row_number) as key_occurrence
    from typed
),

checked as (
    select
        *,
        coalesce(
            reject_if(ccode_text is null, 'null_key', 'ccode', ccode_text),
            reject_if(year_text is null, 'null_key', 'year', year_text),
            reject_if(ccode is null, 'not_integer', 'ccode', ccode_text),
            reject_if(year is null, 'not_integer', 'year', year_text),
            reject_if(
                idealpointfp is null and nullif(trim(idealpointfp_text), '') is not null,
                'not_a_number', 'idealpointfp', idealpointfp_text
            ),
            reject_if(
                key_occurrence > 1, 'duplicate_key', 'ccode, year',
                concat_ws(', ', ccode_text, year_text)
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
        iso3,
        country_name,
        idealpointfp,
        idealpointall,
        idealpointlegacy,
        nvotesfp,
        nvotesall,
        reject
    from checked
)

select * from final
