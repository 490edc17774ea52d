-- grain: one row per dated ISO3 -> ccode exception (seeds/iso3_ccode_periods.csv)
-- key: iso3, valid_from
with

source as (
    select * from seed_iso3_ccode_periods
),

final as (
    select
        upper(trim(iso3)) as iso3,
        cast(ccode as integer) as ccode,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
        note
    from source
)

select * from final
