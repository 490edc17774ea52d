-- grain: one row per source in raw/sources.toml
-- key: source_id
with

source as (
    select * from raw_sources__coverage
),

final as (
    select
        source_id,
        dataset,
        version,
        citation,
        role,
        first_year,
        last_year
    from source
)

select * from final
