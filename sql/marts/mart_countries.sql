-- grain, key, columns and checks: sql/marts/mart_countries.toml
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
