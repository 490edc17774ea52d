-- grain: one row per COW system member (ccode) per year, 1816 to the last year any source covers
-- key: ccode, year
-- not_null: ccode, year, country, stateabb
-- Each source's columns are NULL outside that source's coverage years, 0 inside it when the
-- state has no record: alliances (ATOP) 1815-2018, memberships (COW IGO) 1816-2014,
-- exercises (MME) 1980-2010, peacekeeping (IPI) 1990-2014. Outside those years the analysts'
-- register may fill alliance_partners_total, igo_full, exercises and pko_personnel_peak; the
-- <column>_source columns name where each value came from (docs/register.md). States with
-- register facts after the public frame get rows up to their last register year.
with

state_years as (
    select
        ccode,
        year
    from int_state_years_expanded
    union all
    select
        ccode,
        year
    from int_register_years_extended
),

register as (
    select * from int_register_country_years_aggregated
),

countries as (
    select * from int_countries_described
),

coverage as (
    select * from int_source_coverage_pivoted
),

alliances as (
    -- ATOP obligations can be one-sided (a guarantee), so a state's partners are counted
    -- from its own directed rows (ccode1), never by adding both directions.
    select
        ccode1 as ccode,
        year,
        count(distinct ccode2) filter (where atop_defense = 1) as partners_defense,
        count(distinct ccode2) filter (where atop_offense = 1) as partners_offense,
        count(distinct ccode2) filter (where atop_neutral = 1) as partners_neutrality,
        count(distinct ccode2) filter (where atop_nonagg = 1) as partners_nonaggression,
        count(distinct ccode2) filter (where atop_consul = 1) as partners_consultation,
        count(distinct ccode2) as partners_total
    from int_alliance_dyad_years_checked
    where reject is null
    group by ccode1, year
),

memberships as (
    select
        memberships.ccode,
        memberships.year,
        count(*) filter (where memberships.status = 1) as igo_full,
        count(*) filter (where memberships.status = 2) as igo_associate,
        count(*) filter (where memberships.status = 3) as igo_observer,
        count(*) filter (where memberships.status = -9) as igo_unknown_status,
        count(*) filter (
            where memberships.status = 1 and security.ioname_lower is not null
        ) as security_igo_full,
        string_agg(security.label, '; ' order by security.label) filter (
            where memberships.status = 1 and security.ioname_lower is not null
        ) as security_igos
    from int_igo_memberships_checked as memberships
    left join stg_seeds__security_igos as security
        on memberships.ioname = security.ioname_lower
    where memberships.reject is null
    group by memberships.ccode, memberships.year
),

exercise_partners as (
    select
        ccode1 as ccode,
        ccode2 as partner,
        year
    from int_exercise_dyads_paired
    union all
    select
        ccode2 as ccode,
        ccode1 as partner,
        year
    from int_exercise_dyads_paired
),

exercises as (
    select
        participations.ccode,
        participations.year,
        count(distinct participations.mme_row) as exercises,
        count(distinct participations.mme_row) filter (
            where sized.exercise_kind = 'bilateral'
        ) as exercises_bilateral,
        count(distinct participations.mme_row) filter (
            where sized.exercise_kind = 'multilateral'
        ) as exercises_multilateral
    from int_mme_participations_checked as participations
    inner join int_mme_exercises_sized as sized on participations.mme_row = sized.mme_row
    where participations.reject is null and not participations.is_non_state
    group by participations.ccode, participations.year
),

exercise_partner_counts as (
    select
        ccode,
        year,
        count(distinct partner) as exercise_partners
    from exercise_partners
    group by ccode, year
),

peacekeeping as (
    select * from int_pko_country_years_aggregated
),

joined as (
    select
        state_years.ccode,
        countries.iso3,
        countries.stateabb,
        countries.country,
        state_years.year,
        state_years.year between coverage.atop_first and coverage.atop_last as in_atop,
        state_years.year between coverage.igo_first and coverage.igo_last as in_igo,
        state_years.year between coverage.mme_first and coverage.mme_last as in_mme,
        state_years.year between coverage.ipi_first and coverage.ipi_last as in_ipi,
        alliances.partners_defense,
        alliances.partners_offense,
        alliances.partners_neutrality,
        alliances.partners_nonaggression,
        alliances.partners_consultation,
        alliances.partners_total,
        memberships.igo_full,
        memberships.igo_associate,
        memberships.igo_observer,
        memberships.igo_unknown_status,
        memberships.security_igo_full,
        memberships.security_igos,
        exercises.exercises,
        exercises.exercises_bilateral,
        exercises.exercises_multilateral,
        exercise_partner_counts.exercise_partners,
        peacekeeping.personnel_mean,
        peacekeeping.personnel_peak,
        peacekeeping.months_contributing,
        register.register_facts,
        register.alliance_partners_total as register_alliance_partners_total,
        register.igo_full as register_igo_full,
        register.exercises as register_exercises,
        register.pko_personnel_peak as register_pko_personnel_peak
    from state_years
    cross join coverage
    inner join countries on state_years.ccode = countries.ccode
    left join alliances
        on state_years.ccode = alliances.ccode and state_years.year = alliances.year
    left join memberships
        on state_years.ccode = memberships.ccode and state_years.year = memberships.year
    left join exercises
        on state_years.ccode = exercises.ccode and state_years.year = exercises.year
    left join exercise_partner_counts
        on
            state_years.ccode = exercise_partner_counts.ccode
            and state_years.year = exercise_partner_counts.year
    left join peacekeeping
        on state_years.ccode = peacekeeping.ccode and state_years.year = peacekeeping.year
    left join register
        on state_years.ccode = register.ccode and state_years.year = register.year
),

final as (
    select
        ccode,
        iso3,
        stateabb,
        country,
        year,
        case when in_atop then coalesce(partners_defense, 0) end as alliance_partners_defense,
        case when in_atop then coalesce(partners_offense, 0) end as alliance_partners_offense,
        case
            when in_atop then coalesce(partners_neutrality, 0)
        end as alliance_partners_neutrality,
        case
            when in_atop then coalesce(partners_nonaggression, 0)
        end as alliance_partners_nonaggression,
        case
            when in_atop then coalesce(partners_consultation, 0)
        end as alliance_partners_consultation,
        case
            when in_atop then coalesce(partners_total, 0) else register_alliance_partners_total
        end as alliance_partners_total,
        case when in_igo then coalesce(igo_full, 0) else register_igo_full end as igo_full,
        case when in_igo then coalesce(igo_associate, 0) end as igo_associate,
        case when in_igo then coalesce(igo_observer, 0) end as igo_observer,
        case when in_igo then coalesce(igo_unknown_status, 0) end as igo_unknown_status,
        case when in_igo then coalesce(security_igo_full, 0) end as security_igo_full,
        case when in_igo then coalesce(security_igos, '') end as security_igos,
        case when in_mme then coalesce(exercises, 0) else register_exercises end as exercises,
        case when in_mme then coalesce(exercises_bilateral, 0) end as exercises_bilateral,
        case when in_mme then coalesce(exercises_multilateral, 0) end as exercises_multilateral,
        case when in_mme then coalesce(exercise_partners, 0) end as exercise_partners,
        case when in_ipi then round(coalesce(personnel_mean, 0), 2) end as pko_personnel_mean,
        case
            when in_ipi then coalesce(personnel_peak, 0) else register_pko_personnel_peak
        end as pko_personnel_peak,
        case when in_ipi then coalesce(months_contributing, 0) end as pko_months_contributing,
        case
            when in_atop then 'atop' when register_alliance_partners_total is not null then 'register'
        end as alliance_partners_total_source,
        case when in_igo then 'cow_igo' when register_igo_full is not null then 'register' end as igo_full_source,
        case when in_mme then 'mme' when register_exercises is not null then 'register' end as exercises_source,
        case
            when in_ipi then 'ipi' when register_pko_personnel_peak is not null then 'register'
        end as pko_personnel_peak_source,
        coalesce(register_facts, 0) as register_facts
    from joined
)

select * from final
order by ccode, year
