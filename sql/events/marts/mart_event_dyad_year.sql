-- grain: one row per (source, dyad type, state A, state B, year, CAMEO family) with events
-- key: source_id, dyad_type, ccode_a, ccode_b, year, family
-- not_null: events_observed, event_days_observed, reports_observed, coverage_days, full_year
-- accepted_values: dyad_type = 'directed', 'undirected'
-- engines: duckdb, spark
-- Directed rows: A (actor 1, the initiator) to B (actor 2). Undirected rows pool both
-- directions with ccode_a < ccode_b. *_observed count what the covered files hold; the annual
-- columns (events, event_days, reports, sources) are NULL unless the source covers the
-- whole year: a sample of minutes or days must never read as a year's count.
with

events as (
    select * from int_events_resolved
    where actor1_kind = 'state' and actor2_kind = 'state' and actor1_ccode <> actor2_ccode
),

coverage as (
    select * from int_event_coverage_years
),

directed as (
    select
        source_id,
        'directed' as dyad_type,
        actor1_ccode as ccode_a,
        actor2_ccode as ccode_b,
        year,
        family,
        family_role,
        event_date,
        records,
        reports,
        sources,
        goldstein
    from events
),

undirected as (
    select
        source_id,
        'undirected' as dyad_type,
        least(actor1_ccode, actor2_ccode) as ccode_a,
        greatest(actor1_ccode, actor2_ccode) as ccode_b,
        year,
        family,
        family_role,
        event_date,
        records,
        reports,
        sources,
        goldstein
    from events
),

dyad_events as (
    select * from directed
    union all
    select * from undirected
),

aggregated as (
    select
        source_id,
        dyad_type,
        ccode_a,
        ccode_b,
        year,
        family,
        min(family_role) as family_role,
        count(*) as events_observed,
        count(distinct event_date) as event_days_observed,
        cast(sum(records) as bigint) as records_observed,
        cast(sum(reports) as bigint) as reports_observed,
        cast(sum(sources) as bigint) as sources_observed,
        avg(goldstein) as mean_goldstein
    from dyad_events
    group by source_id, dyad_type, ccode_a, ccode_b, year, family
),

final as (
    select
        aggregated.*,
        coalesce(coverage.coverage_days, 0) as coverage_days,
        coalesce(coverage.full_year, false) as full_year,
        case when coverage.full_year then aggregated.events_observed end as events,
        case when coverage.full_year then aggregated.event_days_observed end as event_days,
        case when coverage.full_year then aggregated.reports_observed end as reports,
        case when coverage.full_year then aggregated.sources_observed end as sources
    from aggregated
    left join coverage
        on aggregated.source_id = coverage.source_id and aggregated.year = coverage.year
)

select * from final
