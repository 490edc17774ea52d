-- grain, key, columns and checks: sql/marts/mart_country_year.toml
-- The state-year frame plus one join per source: each int_<source>_country_years_aggregated
-- has a row only inside its source's years (0 when the state has no record), so a source's
-- columns are NULL outside them: alliances (ATOP) 1815-2018, memberships (COW IGO) 1816-2014,
-- exercises (MME) 1980-2010, peacekeeping (IPI) 1990-2014. Outside those years the analysts'
-- register may fill alliance_partners_total, igo_full, exercises and pko_personnel_peak; the
-- <column>_source columns name where each value came from (docs/register.md). States with
-- register facts after the public frame get rows up to their last register year.
with

frame as (
    select * from int_country_years_framed
),

countries as (
    select * from int_cow_states_countries_described
),

atop as (
    select * from int_atop_country_years_aggregated
),

cow_igo as (
    select * from int_cow_igo_country_years_aggregated
),

mme as (
    select * from int_mme_country_years_aggregated
),

ipi as (
    select * from int_ipi_country_years_aggregated
),

register as (
    select * from int_register_country_years_aggregated
),

final as (
    select
        frame.ccode,
        countries.iso3,
        countries.stateabb,
        countries.country,
        frame.year,
        atop.alliance_partners_defense,
        atop.alliance_partners_offense,
        atop.alliance_partners_neutrality,
        atop.alliance_partners_nonaggression,
        atop.alliance_partners_consultation,
        case
            when atop.year is not null then atop.alliance_partners_total
            else register.alliance_partners_total
        end as alliance_partners_total,
        case
            when cow_igo.year is not null then cow_igo.igo_full else register.igo_full
        end as igo_full,
        cow_igo.igo_associate,
        cow_igo.igo_observer,
        cow_igo.igo_unknown_status,
        cow_igo.security_igo_full,
        cow_igo.security_igos,
        case when mme.year is not null then mme.exercises else register.exercises end as exercises,
        mme.exercises_bilateral,
        mme.exercises_multilateral,
        mme.exercise_partners,
        ipi.pko_personnel_mean,
        case
            when ipi.year is not null then ipi.pko_personnel_peak
            else register.pko_personnel_peak
        end as pko_personnel_peak,
        ipi.pko_months_contributing,
        case
            when atop.year is not null then 'atop'
            when register.alliance_partners_total is not null then 'register'
        end as alliance_partners_total_source,
        case
            when cow_igo.year is not null then 'cow_igo'
            when register.igo_full is not null then 'register'
        end as igo_full_source,
        case
            when mme.year is not null then 'mme'
            when register.exercises is not null then 'register'
        end as exercises_source,
        case
            when ipi.year is not null then 'ipi'
            when register.pko_personnel_peak is not null then 'register'
        end as pko_personnel_peak_source,
        coalesce(register.register_facts, 0) as register_facts
    from frame
    inner join countries on frame.ccode = countries.ccode
    left join atop on frame.ccode = atop.ccode and frame.year = atop.year
    left join cow_igo on frame.ccode = cow_igo.ccode and frame.year = cow_igo.year
    left join mme on frame.ccode = mme.ccode and frame.year = mme.year
    left join ipi on frame.ccode = ipi.ccode and frame.year = ipi.year
    left join register on frame.ccode = register.ccode and frame.year = register.year
)

select * from final
order by ccode, year
