-- grain: one row per (source, year, family, actor 1 kind, actor 2 kind)
-- key: source_id, year, family, actor1_kind, actor2_kind
-- not_null: events_observed, records_observed
-- engines: duckdb, spark
-- Non-state actors kept apart: how many collapsed events (and the records behind them) have a
-- state, a region, a territory, no country or an unresolved code on each side. Only
-- state-to-state events reach the dyad mart; this mart shows what the others amount to.
with

events as (
    select * from int_events_resolved
),

final as (
    select
        source_id,
        year,
        family,
        actor1_kind,
        actor2_kind,
        count(*) as events_observed,
        cast(sum(records) as bigint) as records_observed,
        cast(sum(reports) as bigint) as reports_observed
    from events
    group by source_id, year, family, actor1_kind, actor2_kind
)

select * from final
