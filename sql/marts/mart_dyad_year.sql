-- grain: one row per undirected pair of COW system members (ccode1 < ccode2) per year
-- key: ccode1, ccode2, year
-- not_null: ccode1, ccode2, year, country1, country2
-- accepted_values: atop_defense = 0, 1
-- accepted_values: atop_offense = 0, 1
-- accepted_values: atop_neutral = 0, 1
-- accepted_values: atop_nonagg = 0, 1
-- accepted_values: atop_consul = 0, 1
-- accepted_values: atop_any = 0, 1
-- Every pair of states that are both system members that year, tie or not, so a 0 is a
-- measured absence; a source's columns are NULL outside its coverage years.
with

state_years as (
    select * from int_state_years_expanded
),

countries as (
    select * from int_countries_described
),

coverage as (
    select * from int_source_coverage_pivoted
),

pairs as (
    select
        first_state.ccode as ccode1,
        second_state.ccode as ccode2,
        first_state.year
    from state_years as first_state
    inner join state_years as second_state
        on first_state.year = second_state.year and first_state.ccode < second_state.ccode
),

joined as (
    select
        pairs.ccode1,
        pairs.ccode2,
        first_country.iso3 as iso3_1,
        second_country.iso3 as iso3_2,
        first_country.country as country1,
        second_country.country as country2,
        pairs.year,
        pairs.year between coverage.atop_first and coverage.atop_last as in_atop,
        pairs.year between coverage.igo_first and coverage.igo_last as in_igo,
        pairs.year between coverage.mme_first and coverage.mme_last as in_mme,
        alliances.atop_defense,
        alliances.atop_offense,
        alliances.atop_neutral,
        alliances.atop_nonagg,
        alliances.atop_consul,
        alliances.ccode1 is not null as has_alliance,
        igos.joint_igo_full,
        igos.joint_security_igo_full,
        exercises.joint_exercises
    from pairs
    cross join coverage
    inner join countries as first_country on pairs.ccode1 = first_country.ccode
    inner join countries as second_country on pairs.ccode2 = second_country.ccode
    left join int_alliance_dyad_years_undirected as alliances
        on
            pairs.ccode1 = alliances.ccode1
            and pairs.ccode2 = alliances.ccode2
            and pairs.year = alliances.year
    left join int_igo_joint_memberships_paired as igos
        on pairs.ccode1 = igos.ccode1 and pairs.ccode2 = igos.ccode2 and pairs.year = igos.year
    left join int_exercise_dyads_paired as exercises
        on
            pairs.ccode1 = exercises.ccode1
            and pairs.ccode2 = exercises.ccode2
            and pairs.year = exercises.year
),

final as (
    select
        ccode1,
        ccode2,
        iso3_1,
        iso3_2,
        country1,
        country2,
        year,
        case when in_atop then coalesce(atop_defense, 0) end as atop_defense,
        case when in_atop then coalesce(atop_offense, 0) end as atop_offense,
        case when in_atop then coalesce(atop_neutral, 0) end as atop_neutral,
        case when in_atop then coalesce(atop_nonagg, 0) end as atop_nonagg,
        case when in_atop then coalesce(atop_consul, 0) end as atop_consul,
        case when in_atop then cast(has_alliance as integer) end as atop_any,
        case when in_igo then coalesce(joint_igo_full, 0) end as joint_igo_full,
        case when in_igo then coalesce(joint_security_igo_full, 0) end as joint_security_igo_full,
        case when in_mme then coalesce(joint_exercises, 0) end as joint_exercises
    from joined
)

select * from final
order by ccode1, ccode2, year
