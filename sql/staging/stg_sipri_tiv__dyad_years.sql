-- grain: one row per record of the 360info SIPRI TIV file (supplier-recipient-year)
-- key: row_number
-- value is SIPRI's TIV delivered in the year, in millions; the file's COW codes ('NA' for
-- non-states) are kept as file_*_ccode for comparison; names are resolved downstream.
with

source as (
    select * from raw_sipri_tiv__dyad_year
),

final as (
    select
        _source_id as source_id,
        _source_file as source_file,
        _row_number as row_number,
        trim(supplier) as supplier,
        trim(recipient) as recipient,
        year as year_text,
        cast(as_int(year) as integer) as year,
        value as value_text,
        try_cast(value as double) as tiv_delivered,
        as_int(supplier_cown) as file_supplier_ccode,
        as_int(recipient_cown) as file_recipient_ccode
    from source
)

select * from final
