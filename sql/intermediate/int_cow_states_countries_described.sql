-- grain: one row per COW state
-- key: ccode
-- Name and abbreviation from the state's latest COW spell; ISO3 from the crosswalk (NULL for
-- historical states with no ISO code, e.g. 260 German Federal Republic, 315 Czechoslovakia).
-- first_year and last_year span the state's rows of mart_country_year, including the years
-- after the public frame that its register facts add (int_register_years_extended).
with

spells as (
    select * from stg_cow_states__state_spells
),

crosswalk as (
    select * from stg_cow_states__ccode_iso3
),

state_years as (
    select
        ccode,
        year
    from int_cow_states_years_expanded
    union all
    select
        ccode,
        year
    from int_register_years_extended
),

latest_spell as (
    select
        ccode,
        arg_max(state_name, start_date) as country,
        arg_max(stateabb, start_date) as stateabb,
        count(*) as n_spells
    from spells
    group by ccode
),

membership_years as (
    select
        ccode,
        min(year) as first_year,
        max(year) as last_year
    from state_years
    group by ccode
),

final as (
    select
        latest_spell.ccode,
        crosswalk.iso3,
        latest_spell.stateabb,
        latest_spell.country,
        membership_years.first_year,
        membership_years.last_year,
        latest_spell.n_spells
    from latest_spell
    left join crosswalk on latest_spell.ccode = crosswalk.ccode
    left join membership_years on latest_spell.ccode = membership_years.ccode
)

select * from final
