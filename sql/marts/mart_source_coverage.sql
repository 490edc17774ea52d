-- grain, key, columns and checks: sql/marts/mart_source_coverage.toml
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
