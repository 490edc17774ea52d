-- grain: one row per (sheet, country, year) cell of the SIPRI milex workbook (valid or not)
-- key: row_number
-- row_number is the record's position in the melted raw table; `cell` is its address in the
-- sheet. "..." (data unavailable) and "xxx" (country did not exist or was not independent) are
-- NULL values with their marker kept; SIPRI's blue figures (legacy palette index 12) are its
-- estimates and red ones (index 10) highly uncertain. Share of GDP is a fraction in the sheet.
with

source as (
    select * from raw_sipri_milex__country_year
),

final as (
    select
        _source_id as source_id,
        _source_file as source_file,
        _row_number as row_number,
        sheet,
        measure,
        cell,
        trim(country) as country,
        notes,
        cast(year as integer) as year,
        value_text,
        try_cast(value_text as double) as value,
        case
            when value_text = '...' then 'not_available'
            when value_text = 'xxx' then 'not_independent'
            when value_text is null or trim(value_text) = '' then 'empty'
        end as marker,
        font_colour in ('indexed:12', 'rgb:FF0000FF') as is_estimate,
        font_colour in ('indexed:10', 'rgb:FFFF0000') as is_uncertain
    from source
)

select * from final
