-- grain: one row per event record that failed a staging rule
-- key: source_id, source_file, row_number
-- not_null: reject_reason
-- engines: duckdb, spark
-- The rejected records, with their file, row and reason: they are counted nowhere else.
with

gdelt as (
    select
        source_id,
        source_file,
        file_sha256,
        row_number,
        reject_reason
    from stg_gdelt__events
    where reject_reason is not null
),

icews as (
    select
        source_id,
        source_file,
        file_sha256,
        row_number,
        reject_reason
    from stg_icews__events
    where reject_reason is not null
),

final as (
    select * from gdelt
    union all
    select * from icews
)

select * from final
