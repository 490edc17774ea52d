-- grain, key, columns and checks: sql/marts/mart_dyad_year.toml
-- Every pair of states that are both system members that year, tie or not, so a 0 is a
-- measured absence; a source's columns are NULL outside its coverage years. The dyad-year
-- frame plus one join per source (int_<source>_dyad_years_aggregated).
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
        mme.joint_exercises
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
)

select * from final
order by ccode1, ccode2, year
