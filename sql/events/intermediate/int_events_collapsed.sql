-- grain: one row per (source, event date, actor 1, actor 2, CAMEO code): an event, not a report
-- key: source_id, event_date, actor1_key, actor2_key, event_code
-- engines: duckdb, spark
-- Event data count reports. The stated rule (docs/events.md): (1) a GDELT GLOBALEVENTID counts
-- once (the first record seen); (2) records of one source with the same date, actors and CAMEO
-- code are one event ("one-a-day"); the records they collapse, and GDELT's NumMentions and
-- NumSources summed over them, are kept as report counts. An ICEWS record is one report from
-- one source. Missing actors are keyed '' so the key is never null.
with

gdelt as (
    select * from stg_gdelt__events
    where reject_reason is null
),

gdelt_ranked as (
    select
        *,
        row_number() over (partition by global_event_id order by source_file, row_number) as copy_number
    from gdelt
),

gdelt_events as (
    select
        source_id,
        event_date,
        coalesce(actor1_code, '') as actor1_key,
        coalesce(actor2_code, '') as actor2_key,
        actor1_country_code as actor1_country,
        actor2_country_code as actor2_country,
        actor1_type,
        actor2_type,
        event_code,
        goldstein,
        num_mentions as reports,
        num_sources as sources,
        source_file,
        row_number
    from gdelt_ranked
    where copy_number = 1
),

icews as (
    select * from stg_icews__events
    where reject_reason is null
),

icews_events as (
    select
        source_id,
        event_date,
        coalesce(source_name, '') as actor1_key,
        coalesce(target_name, '') as actor2_key,
        source_country as actor1_country,
        target_country as actor2_country,
        source_sectors as actor1_type,
        target_sectors as actor2_type,
        event_code,
        goldstein,
        cast(1 as bigint) as reports,
        cast(1 as bigint) as sources,
        source_file,
        row_number
    from icews
),

records as (
    select * from gdelt_events
    union all
    select * from icews_events
),

final as (
    select
        source_id,
        event_date,
        actor1_key,
        actor2_key,
        event_code,
        min(actor1_country) as actor1_country,
        min(actor2_country) as actor2_country,
        min(actor1_type) as actor1_type,
        min(actor2_type) as actor2_type,
        count(*) as records,
        cast(sum(reports) as bigint) as reports,
        cast(sum(sources) as bigint) as sources,
        avg(goldstein) as goldstein,
        min(source_file) as first_source_file
    from records
    group by source_id, event_date, actor1_key, actor2_key, event_code
)

select * from final
