-- grain: one row per COW state
-- key: ccode
-- not_null: ccode, country, stateabb
with

countries as (
    select * from int_cow_states_countries_described
),

final as (
    select
        ccode,
        iso3,
        stateabb,
        country,
        first_year,
        last_year,
        n_spells
    from countries
)

select * from final
order by ccode
