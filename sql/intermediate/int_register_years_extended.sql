-- grain: one row per (ccode, year) after the end of the COW frame that the register needs
-- key: ccode, year
-- int_cow_states_years_expanded stops at the last year any public source covers. A state still a
-- member when COW v2016 ends gets the years after that, up to its last dated register fact,
-- so mart_country_year can show those facts; every public source's columns stay NULL there.
with

frame as (
    select
        ccode,
        max(year) as last_year
    from int_cow_states_years_expanded
    group by ccode
),

ongoing as (
    select distinct ccode from stg_cow_states__state_spells
    where is_ongoing
),

register_years as (
    select
        ccode,
        max(year) as last_year
    from int_register_facts_checked
    where reject is null and is_dated
    group by ccode
),

extended as (
    select
        frame.ccode,
        unnest(range(frame.last_year + 1, register_years.last_year + 1)) as year
    from frame
    inner join ongoing on frame.ccode = ongoing.ccode
    inner join register_years
        on frame.ccode = register_years.ccode and frame.last_year < register_years.last_year
),

final as (
    select
        ccode,
        cast(year as integer) as year
    from extended
)

select * from final
