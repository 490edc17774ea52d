-- grain, key, columns and checks: sql/marts/mart_country_year.toml
-- The state-year frame plus one join per source: each int_<source>_country_years_aggregated
-- has a row only inside its source's years (0 when the state has no record), so a source's
-- columns are NULL outside them: alliances (ATOP) 1815-2018, memberships (COW IGO) 1816-2014,
-- exercises (MME) 1980-2010, peacekeeping (IPI) 1990-2014, arms transfers (SIPRI) 1950-2025,
-- military expenditure (SIPRI) 1948-2023. Outside those years the analysts'
-- register may fill alliance_partners_total, igo_full, exercises and pko_personnel_peak; the
-- <column>_source columns name where each value came from (docs/register.md). States with
-- register facts after the public frame get rows up to their last register year.
-- UN voting (UNGA ideal points) 1946-2024, US troops hosted (troopdata) 1950-2024 and UN
-- peacekeeping deployments (Geo-PKO map-based estimates) 1994-2024 join the same way
-- (docs/alignment_and_presence.md).
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

sipri_arms as (
    select * from int_sipri_arms_country_years_aggregated
),

sipri_milex as (
    select * from int_sipri_milex_country_years_aggregated
),

unga as (
    select * from int_unga_country_years_aggregated
),

us_troops as (
    select * from int_us_troops_country_years_aggregated
),

geo_pko as (
    select * from int_geo_pko_country_years_aggregated
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
        coalesce(register.register_facts, 0) as register_facts,
        sipri_arms.arms_imports_tiv,
        sipri_arms.arms_exports_tiv,
        sipri_arms.arms_n_suppliers,
        sipri_arms.arms_n_recipients,
        sipri_arms.arms_n_state_suppliers,
        sipri_arms.arms_n_state_recipients,
        sipri_arms.arms_imports_uncertain,
        sipri_arms.arms_exports_uncertain,
        sipri_milex.milex_constant_usd_m,
        sipri_milex.milex_share_of_gdp_pct,
        sipri_milex.milex_usd_is_estimate,
        sipri_milex.milex_usd_is_uncertain,
        sipri_milex.milex_gdp_is_estimate,
        sipri_milex.milex_gdp_is_uncertain,
        unga.unga_ideal_point,
        unga.unga_ideal_point_all,
        unga.unga_ideal_point_votes,
        us_troops.us_troops_hosted,
        geo_pko.pko_missions,
        geo_pko.pko_troops_estimated,
        geo_pko.pko_locations,
        geo_pko.pko_locations_size_unknown,
        geo_pko.pko_mission_list
    from frame
    inner join countries on frame.ccode = countries.ccode
    left join atop on frame.ccode = atop.ccode and frame.year = atop.year
    left join cow_igo on frame.ccode = cow_igo.ccode and frame.year = cow_igo.year
    left join mme on frame.ccode = mme.ccode and frame.year = mme.year
    left join ipi on frame.ccode = ipi.ccode and frame.year = ipi.year
    left join register on frame.ccode = register.ccode and frame.year = register.year
    left join sipri_arms on frame.ccode = sipri_arms.ccode and frame.year = sipri_arms.year
    left join sipri_milex on frame.ccode = sipri_milex.ccode and frame.year = sipri_milex.year
    left join unga on frame.ccode = unga.ccode and frame.year = unga.year
    left join us_troops on frame.ccode = us_troops.ccode and frame.year = us_troops.year
    left join geo_pko on frame.ccode = geo_pko.ccode and frame.year = geo_pko.year
)

select * from final
order by ccode, year
