-- grain: one row per source dataset
-- key: source_id
-- not_null: source_id, dataset, version, citation, first_year, last_year
-- Outside [first_year, last_year] a source's columns in the marts are NULL, never 0.
with

coverage as (
    select * from stg_sources__coverage
),

final as (
    select
        source_id,
        dataset,
        version,
        role,
        first_year,
        last_year,
        citation
    from coverage
)

select * from final
order by source_id
