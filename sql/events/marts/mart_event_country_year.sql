-- grain: one row per (source, state, year, CAMEO family) in which the state initiated or received events
-- key: source_id, ccode, year, family
-- not_null: events_sent_observed, events_received_observed, coverage_days, full_year
-- engines: duckdb, spark
-- Counts over events whose other party is any actor (state, region, territory, none,
-- unresolved): partners counts the distinct states among them. As in mart_event_dyad_year, the
-- annual columns are NULL unless the source covers the whole year.
with

events as (
    select * from int_events_resolved
),

coverage as (
    select * from int_event_coverage_years
),

sides as (
    select
        source_id,
        actor1_ccode as ccode,
        actor2_ccode as partner_ccode,
        year,
        family,
        event_date,
        1 as sent,
        0 as received,
        reports,
        goldstein
    from events
    where actor1_kind = 'state'
    union all
    select
        source_id,
        actor2_ccode as ccode,
        actor1_ccode as partner_ccode,
        year,
        family,
        event_date,
        0 as sent,
        1 as received,
        reports,
        goldstein
    from events
    where actor2_kind = 'state'
),

aggregated as (
    select
        source_id,
        ccode,
        year,
        family,
        cast(sum(sent) as bigint) as events_sent_observed,
        cast(sum(received) as bigint) as events_received_observed,
        count(distinct event_date) as event_days_observed,
        count(distinct partner_ccode) as partners_observed,
        cast(sum(reports) as bigint) as reports_observed,
        avg(goldstein) as mean_goldstein
    from sides
    group by source_id, ccode, year, family
),

final as (
    select
        aggregated.*,
        coalesce(coverage.coverage_days, 0) as coverage_days,
        coalesce(coverage.full_year, false) as full_year,
        case when coverage.full_year then aggregated.events_sent_observed end as events_sent,
        case when coverage.full_year then aggregated.events_received_observed end as events_received,
        case when coverage.full_year then aggregated.event_days_observed end as event_days
    from aggregated
    left join coverage
        on aggregated.source_id = coverage.source_id and aggregated.year = coverage.year
)

select * from final
