-- grain, key, columns and checks: sql/marts/mart_dyad_year.toml
-- Every pair of states that are both system members that year, tie or not, so a 0 is a
-- measured absence; a source's columns are NULL outside its coverage years. The dyad-year
-- frame plus one join per source (int_<source>_dyad_years_aggregated). UN voting: ideal-point
-- distance 1946-2024, vote agreement 1946-2019; peacekeeping co-deployment (Geo-PKO) 1994-2024.
with

pairs as (
    select * from int_dyad_years_framed
),

countries as (
    select * from int_cow_states_countries_described
),

atop as (
    select * from int_atop_dyad_years_aggregated
),

cow_igo as (
    select * from int_cow_igo_dyad_years_aggregated
),

mme as (
    select * from int_mme_dyad_years_aggregated
),

sipri_arms as (
    select * from int_sipri_arms_dyad_years_aggregated
),

unga as (
    select * from int_unga_dyad_years_aggregated
),

geo_pko as (
    select * from int_geo_pko_dyad_years_aggregated
),

final as (
    select
        pairs.ccode1,
        pairs.ccode2,
        first_country.iso3 as iso3_1,
        second_country.iso3 as iso3_2,
        first_country.country as country1,
        second_country.country as country2,
        pairs.year,
        atop.atop_defense,
        atop.atop_offense,
        atop.atop_neutral,
        atop.atop_nonagg,
        atop.atop_consul,
        atop.atop_any,
        cow_igo.joint_igo_full,
        cow_igo.joint_security_igo_full,
        mme.joint_exercises,
        sipri_arms.arms_tiv_1_to_2,
        sipri_arms.arms_tiv_2_to_1,
        unga.unga_ideal_point_distance,
        unga.unga_votes_both,
        unga.unga_agreement,
        unga.unga_agreement_s,
        unga.unga_votes_both_di,
        unga.unga_agreement_di,
        unga.unga_votes_both_nu,
        unga.unga_agreement_nu,
        geo_pko.pko_codeployed,
        geo_pko.pko_shared_missions,
        geo_pko.pko_shared_locations
    from pairs
    inner join countries as first_country on pairs.ccode1 = first_country.ccode
    inner join countries as second_country on pairs.ccode2 = second_country.ccode
    left join atop
        on pairs.ccode1 = atop.ccode1 and pairs.ccode2 = atop.ccode2 and pairs.year = atop.year
    left join cow_igo
        on
            pairs.ccode1 = cow_igo.ccode1
            and pairs.ccode2 = cow_igo.ccode2
            and pairs.year = cow_igo.year
    left join mme
        on pairs.ccode1 = mme.ccode1 and pairs.ccode2 = mme.ccode2 and pairs.year = mme.year
    left join sipri_arms
        on
            pairs.ccode1 = sipri_arms.ccode1
            and pairs.ccode2 = sipri_arms.ccode2
            and pairs.year = sipri_arms.year
    left join unga
        on pairs.ccode1 = unga.ccode1 and pairs.ccode2 = unga.ccode2 and pairs.year = unga.year
    left join geo_pko
        on
            pairs.ccode1 = geo_pko.ccode1
            and pairs.ccode2 = geo_pko.ccode2
            and pairs.year = geo_pko.year
)

select * from final
order by ccode1, ccode2, year
