-- grain: one row per (ccode, year) of mart_country_year: the COW frame plus register years
-- key: ccode, year
-- The state-year frame every source's country-year aggregate and mart_country_year join to:
-- COW system membership (int_cow_states_years_expanded) and, after it, the years the
-- register's dated facts add for states still members (int_register_years_extended).
with

frame as (
    select
        ccode,
        year
    from int_cow_states_years_expanded
),

register_years as (
    select
        ccode,
        year
    from int_register_years_extended
),

final as (
    select * from frame
    union all
    select * from register_years
)

select * from final
