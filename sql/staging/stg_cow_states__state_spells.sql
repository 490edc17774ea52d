-- grain: one row per COW state-system membership spell
-- key: ccode, start_date
-- Reference data: a value that fails to cast stops the build rather than being quarantined.
-- seeds/state_spells_added.csv adds states that entered the system after COW v2016 ended
-- (none so far), in COW's columns plus a citation. As in COW, an end on 31 December of the
-- version year means still a member (e.g. start 2019-07-01, end and version 2019-12-31 / 2019),
-- so the spell runs on with the frame (docs/alignment_and_presence.md).
with

source as (
    select
        stateabb,
        ccode,
        statenme,
        styear,
        stmonth,
        stday,
        endyear,
        endmonth,
        endday,
        version
    from raw_cow_states__state_spells
    union all
    select
        stateabb,
        ccode,
        statenme,
        styear,
        stmonth,
        stday,
        endyear,
        endmonth,
        endday,
        version
    from seed_state_spells_added
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
