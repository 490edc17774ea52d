-- grain: one row per documented correction to a source's data (seeds/corrections.csv)
-- key: correction_id
-- Each row says what is corrected (source, entity, state, item, years, field), the corrected
-- value, the evidence and the citation. Applied by int_cow_igo_memberships_corrected.
with

source as (
    select * from seed_corrections
),

final as (
    select
        lower(trim(correction_id)) as correction_id,
        lower(trim(source_id)) as source_id,
        lower(trim(entity)) as entity,
        cast(ccode as integer) as ccode,
        lower(trim(item)) as item,
        cast(first_year as integer) as first_year,
        cast(last_year as integer) as last_year,
        lower(trim(field)) as field,
        cast(corrected_value as integer) as corrected_value,
        evidence,
        citation
    from source
)

select * from final
