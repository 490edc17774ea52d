-- grain: one row per record of an ICEWS coded-event file in the lake (one coded sentence)
-- key: source_file, row_number
-- engines: duckdb, spark
-- Text to types; countries stay names here (int_events_collapsed resolves them). A row that
-- breaks a rule gets a reject_reason and goes to mart_event_quarantine.
with

source as (
    select * from raw_icews__events
),

typed as (
    select
        _source_id as source_id,
        _source_file as source_file,
        _file_sha256 as file_sha256,
        _row_number as row_number,
        as_int(event_id) as event_id,
        case
            when regexp_full_match(event_date, '[0-9]{4}-[0-9]{2}-[0-9]{2}')
                then try_cast(event_date as date)
        end as event_date,
        nullif(trim(source_name), '') as source_name,
        nullif(trim(source_sectors), '') as source_sectors,
        -- ICEWS writes NA where it has no country
        nullif(nullif(trim(source_country), ''), 'NA') as source_country,
        nullif(trim(target_name), '') as target_name,
        nullif(trim(target_sectors), '') as target_sectors,
        nullif(nullif(trim(target_country), ''), 'NA') as target_country,
        cameo_code as event_code,
        case
            when regexp_full_match(intensity, '[+-]?[0-9]+([.][0-9]+)?')
                then cast(intensity as double)
        end as goldstein,
        as_int(story_id) as story_id,
        publisher
    from source
),

final as (
    select
        *,
        case
            when event_id is null then 'event_id is not a whole number'
            when event_date is null then 'event_date is not a date (YYYY-MM-DD)'
            when event_code is null or not regexp_full_match(event_code, '[[:digit:]]{2,4}')
                then 'cameo_code is not a CAMEO code (2-4 digits)'
            when goldstein is null then 'intensity is not a number'
        end as reject_reason
    from typed
)

select * from final
