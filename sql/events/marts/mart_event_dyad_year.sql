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

-- The aggregations below group by integers only, so that DuckDB can spill them to disk under
-- its memory cap: with string grouping columns (source_id, family, dyad_type) and a
-- count(distinct event_date), 200M SYNTHETIC events ran out of a 1 GB cap (BENCHMARKS.md).
-- One small numbered row per (source, family), with the family's role (seeds/
-- cameo_families.csv gives each family one role; 'other' for unlisted codes).
families as (
    select
        source_id,
        family,
        min(family_role) as family_role,
        row_number() over (order by source_id, family) as family_key
    from events
    group by source_id, family
),

keyed as (
    select
        families.family_key,
        events.actor1_ccode,
        events.actor2_ccode,
        events.year,
        events.event_date,
        events.records,
        events.reports,
        events.sources,
        events.goldstein
    from events
    inner join families
        on events.source_id = families.source_id and events.family = families.family
),

-- dyad_kind 1 = directed (A the initiator, B the target), 2 = undirected (A < B)
dyad_events as (
    select
        family_key,
        1 as dyad_kind,
        actor1_ccode as ccode_a,
        actor2_ccode as ccode_b,
        year,
        event_date,
        records,
        reports,
        sources,
        goldstein
    from keyed
    union all
    select
        family_key,
        2 as dyad_kind,
        least(actor1_ccode, actor2_ccode) as ccode_a,
        greatest(actor1_ccode, actor2_ccode) as ccode_b,
        year,
        event_date,
        records,
        reports,
        sources,
        goldstein
    from keyed
),

-- Two stages instead of count(distinct event_date): one row per dyad x year x family x day,
-- then count those rows for the distinct days (plain hash aggregates, which spill).
daily as (
    select
        family_key,
        dyad_kind,
        ccode_a,
        ccode_b,
        year,
        event_date,
        count(*) as events,
        sum(records) as records,
        sum(reports) as reports,
        sum(sources) as sources,
        sum(goldstein) as goldstein_sum,
        count(goldstein) as goldstein_n
    from dyad_events
    group by family_key, dyad_kind, ccode_a, ccode_b, year, event_date
),

aggregated as (
    select
        family_key,
        dyad_kind,
        ccode_a,
        ccode_b,
        year,
        cast(sum(events) as bigint) as events_observed,
        count(event_date) as event_days_observed,
        cast(sum(records) as bigint) as records_observed,
        cast(sum(reports) as bigint) as reports_observed,
        cast(sum(sources) as bigint) as sources_observed,
        sum(goldstein_sum) / nullif(sum(goldstein_n), 0) as mean_goldstein
    from daily
    group by family_key, dyad_kind, ccode_a, ccode_b, year
),

final as (
    select
        families.source_id,
        case aggregated.dyad_kind when 1 then 'directed' else 'undirected' end as dyad_type,
        aggregated.ccode_a,
        aggregated.ccode_b,
        aggregated.year,
        families.family,
        families.family_role,
        aggregated.events_observed,
        aggregated.event_days_observed,
        aggregated.records_observed,
        aggregated.reports_observed,
        aggregated.sources_observed,
        aggregated.mean_goldstein,
        coalesce(coverage.coverage_days, 0) as coverage_days,
        coalesce(coverage.full_year, false) as full_year,
        case when coverage.full_year then aggregated.events_observed end as events,
        case when coverage.full_year then aggregated.event_days_observed end as event_days,
        case when coverage.full_year then aggregated.reports_observed end as reports,
        case when coverage.full_year then aggregated.sources_observed end as sources
    from aggregated
    inner join families on aggregated.family_key = families.family_key
    left join coverage
        on families.source_id = coverage.source_id and aggregated.year = coverage.year
)

select * from final
