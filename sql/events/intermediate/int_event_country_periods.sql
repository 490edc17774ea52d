-- grain: one row per period in which an ISO3 / CAMEO country code denotes one COW state
-- key: iso3, valid_from
-- engines: duckdb, spark
-- COW spells from the state list, joined to the ccode-ISO3 crosswalk, plus the dated
-- exceptions of seeds/iso3_ccode_periods.csv (which take precedence over the same iso3).
-- The v2016 list closes every running spell on 2016-12-31: such a spell stays open (valid_to
-- null) so that events after 2016 resolve to the state that still exists.
with

spells as (
    select
        cast(ccode as integer) as ccode,
        make_date(cast(styear as integer), cast(stmonth as integer), cast(stday as integer)) as start_date,
        make_date(cast(endyear as integer), cast(endmonth as integer), cast(endday as integer)) as end_date,
        cast(version as integer) as list_version
    from raw_cow_states__state_spells
),

crosswalk as (
    select distinct
        cast(ccode as integer) as ccode,
        iso3
    from raw_cow_states__ccode_iso3
    where iso3 is not null and iso3 <> ''
),

overrides as (
    select
        iso3,
        cast(ccode as integer) as ccode,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to
    from seed_iso3_ccode_periods
),

from_spells as (
    select
        crosswalk.iso3,
        spells.ccode,
        spells.start_date as valid_from,
        case when spells.end_date <> make_date(spells.list_version, 12, 31) then spells.end_date end as valid_to
    from crosswalk
    inner join spells on crosswalk.ccode = spells.ccode
),

not_overridden as (
    select from_spells.*
    from from_spells
    left join overrides
        on
            from_spells.iso3 = overrides.iso3
            and from_spells.valid_from <= overrides.valid_to
            and (from_spells.valid_to is null or from_spells.valid_to >= overrides.valid_from)
    where overrides.iso3 is null
),

final as (
    select
        iso3,
        ccode,
        valid_from,
        valid_to
    from not_overridden
    union all
    select
        iso3,
        ccode,
        valid_from,
        valid_to
    from overrides
)

select * from final
