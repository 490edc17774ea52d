-- grain: one row per COW state-system membership spell
-- key: ccode, start_date
-- Reference data: a value that fails to cast stops the build rather than being quarantined.
with

source as (
    select * from raw_cow_states__state_spells
),

renamed as (
    select
        cast(ccode as integer) as ccode,
        stateabb,
        statenme as state_name,
        make_date(
            cast(styear as integer), cast(stmonth as integer), cast(stday as integer)
        ) as start_date,
        make_date(
            cast(endyear as integer), cast(endmonth as integer), cast(endday as integer)
        ) as end_date,
        cast(version as integer) as list_version
    from source
),

final as (
    select
        *,
        -- v2016 closes every spell still running on the last day of the data, 2016-12-31
        end_date = make_date(list_version, 12, 31) as is_ongoing
    from renamed
)

select * from final
