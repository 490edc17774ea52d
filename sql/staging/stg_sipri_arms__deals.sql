-- grain: one row per deal of the SIPRI trade register (valid or not; checks come downstream)
-- key: row_number
-- row_number is the deal's position in the file (1 = first data row after the preamble and the
-- header, i.e. file line 13). A '?' flag marks SIPRI's uncertainty about that one value. An
-- empty number ordered means SIPRI has no figure yet (NULL, not 0). A deal with no delivery
-- years and 0 delivered is an order still pending.
with

source as (
    select * from raw_sipri_arms__trade_register
),

typed as (
    select
        _source_id as source_id,
        _source_file as source_file,
        _row_number as row_number,
        trim(supplier) as supplier,
        trim(recipient) as recipient,
        year_of_order as year_of_order_text,
        cast(as_int(year_of_order) as integer) as order_year,
        coalesce(trim(year_of_order_flag) = '?', false) as order_year_uncertain,
        number_ordered as number_ordered_text,
        as_int(number_ordered) as number_ordered,
        coalesce(trim(number_ordered_flag) = '?', false) as number_ordered_uncertain,
        trim(weapon_designation) as weapon_designation,
        trim(weapon_description) as weapon_description,
        number_delivered as number_delivered_text,
        coalesce(as_int(number_delivered), case when number_delivered is null then 0 end)
            as number_delivered,
        coalesce(trim(number_delivered_flag) = '?', false) as number_delivered_uncertain,
        coalesce(trim(years_of_delivery), '') as delivery_years_text,
        trim(status) as deal_status,
        comments,
        tiv_per_unit as tiv_per_unit_text,
        tiv_total_order as tiv_total_order_text,
        tiv_delivered as tiv_delivered_text,
        try_cast(tiv_per_unit as double) as tiv_per_unit,
        try_cast(tiv_total_order as double) as tiv_total_order,
        coalesce(try_cast(tiv_delivered as double), case when tiv_delivered is null then 0 end)
            as tiv_delivered
    from source
),

final as (
    select
        *,
        -- '1979; 1980; 1982' -> [1979, 1980, 1982]; an element that is not a year stays NULL
        list_transform(
            string_split(nullif(delivery_years_text, ''), ';'), lambda y: cast(as_int(y) as integer)
        ) as delivery_years,
        delivery_years_text = '' as is_pending
    from typed
)

select * from final
