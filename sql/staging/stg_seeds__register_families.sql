-- grain: one row per register family (seeds/register_families.csv)
-- key: family
-- public_source and mart_column name the public dataset that measures the same thing and the
-- mart_country_year column a register fact may fill outside that dataset's years.
with

source as (
    select * from seed_register_families
),

final as (
    select
        lower(trim(family)) as family,
        label,
        nullif(trim(public_source), '') as public_source,
        nullif(trim(mart_column), '') as mart_column,
        string_split(lower(trim(partner_types)), '|') as partner_types,
        description
    from source
)

select * from final
