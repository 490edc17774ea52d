-- grain: one row per dated ISO2 (or, for entities without one, name) -> ccode span
-- key: iso2, country, valid_from
-- seeds/iso2_ccode_periods.csv: the ISO2 codes of the UN votes resolved to COW by date (DE is
-- the Federal Republic, 260, before 1990-10-03; YE the Yemen Arab Republic, 678, before
-- 1990-05-22); three entities with no ISO2 are matched by name.
with

source as (
    select * from seed_iso2_ccode_periods
),

final as (
    select
        upper(trim(coalesce(iso2, ''))) as iso2,
        trim(coalesce(country, '')) as country,
        cast(ccode as integer) as ccode,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
        note
    from source
)

select * from final
