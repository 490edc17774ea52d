-- grain: one row per COW state
-- key: ccode
with

source as (
    select * from raw_cow_states__ccode_iso3
),

final as (
    select
        cast(ccode as integer) as ccode,
        nullif(trim(iso3), '') as iso3,
        cow_stateabb as stateabb,
        cow_statenme as state_name,
        nullif(iso3_source, '') as iso3_source
    from source
)

select * from final
