-- grain: one row per (ccode, year) of the frame inside MME's coverage years
-- key: ccode, year
-- not_null: ccode, year, exercises, exercise_partners
-- 0 when a state held no exercise that year; years outside the coverage have no row, so they
-- stay NULL in mart_country_year. Non-state participants are never counted.
with

frame as (
    select * from covered_country_years('mme')
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

exercise_partners as (
    select
        ccode1 as ccode,
        ccode2 as partner,
        year
    from int_mme_dyad_years_paired
    union all
    select
        ccode2 as ccode,
        ccode1 as partner,
        year
    from int_mme_dyad_years_paired
),

exercise_partner_counts as (
    select
        ccode,
        year,
        count(distinct partner) as exercise_partners
    from exercise_partners
    group by ccode, year
),

final as (
    select
        frame.ccode,
        frame.year,
        coalesce(exercises.exercises, 0) as exercises,
        coalesce(exercises.exercises_bilateral, 0) as exercises_bilateral,
        coalesce(exercises.exercises_multilateral, 0) as exercises_multilateral,
        coalesce(exercise_partner_counts.exercise_partners, 0) as exercise_partners
    from frame
    left join exercises on frame.ccode = exercises.ccode and frame.year = exercises.year
    left join exercise_partner_counts
        on
            frame.ccode = exercise_partner_counts.ccode
            and frame.year = exercise_partner_counts.year
)

select * from final
