-- grain: one row per record of a GDELT 2.0 event export in the lake
-- key: source_file, row_number
-- engines: duckdb, spark
-- Text to types. A row that breaks a rule keeps its text and gets a reject_reason: it goes to
-- mart_event_quarantine, never into the counts. Numbers are cast only when they are digits.
with

source as (
    select * from raw_gdelt__events
),

typed as (
    select
        _source_id as source_id,
        _source_file as source_file,
        _file_sha256 as file_sha256,
        _row_number as row_number,
        global_event_id as global_event_id_text,
        as_int(global_event_id) as global_event_id,
        sql_date,
        case
            when regexp_full_match(sql_date, '[[:digit:]]{8}')
                then try_cast(
                    substr(sql_date, 1, 4) || '-' || substr(sql_date, 5, 2) || '-' || substr(sql_date, 7, 2)
                    as date
                )
        end as event_date,
        nullif(trim(actor1_code), '') as actor1_code,
        nullif(trim(actor1_country_code), '') as actor1_country_code,
        nullif(trim(actor1_type1_code), '') as actor1_type,
        nullif(trim(actor2_code), '') as actor2_code,
        nullif(trim(actor2_country_code), '') as actor2_country_code,
        nullif(trim(actor2_type1_code), '') as actor2_type,
        event_code,
        case
            when regexp_full_match(goldstein_scale, '[+-]?[0-9]+([.][0-9]+)?')
                then cast(goldstein_scale as double)
        end as goldstein,
        as_int(num_mentions) as num_mentions,
        as_int(num_sources) as num_sources,
        as_int(num_articles) as num_articles,
        nullif(trim(action_geo_country_code), '') as action_country_fips,
        date_added
    from source
),

final as (
    select
        *,
        case
            when global_event_id is null then 'global_event_id is not a whole number'
            when event_date is null then 'sql_date is not a date (YYYYMMDD)'
            when event_code is null or not regexp_full_match(event_code, '[[:digit:]]{2,4}')
                then 'event_code is not a CAMEO code (2-4 digits)'
            when goldstein is null then 'goldstein_scale is not a number'
            when num_mentions is null or num_sources is null or num_articles is null
                then 'num_mentions, num_sources or num_articles is not a whole number'
        end as reject_reason
    from typed
)

select * from final
