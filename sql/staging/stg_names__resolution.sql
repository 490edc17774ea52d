-- grain: one row per (source, raw name, override span) from pipelines/names.py
-- key: source_id, raw_name, span_first_year
-- not_null: source_id, raw_name, actor_kind, method
-- accepted_values: actor_kind = 'state', 'organisation', 'armed_group', 'territory', 'unknown_party', 'unresolved'
-- accepted_values: method = 'override', 'marker', 'library', 'none'
with

source as (
    select * from raw_names__resolution
),

final as (
    select
        source_id,
        raw_name,
        first_year,
        last_year,
        -- first_year is NULL for a name resolved in every year: the key uses -9999 then.
        coalesce(first_year, -9999) as span_first_year,
        actor_kind,
        ccode,
        iso3,
        method,
        reason
    from source
)

select * from final
