-- grain: one row per MME exercise record, valid or rejected, after the coverage check
-- key: mme_row
with

exercises as (
    select * from stg_mme__exercises
),

checked as (
    select
        exercises.* exclude (reject),
        coalesce(
            exercises.reject,
            reject_outside_coverage('mme', exercises.start_year, 's.year', exercises.start_year)
        ) as reject
    from exercises
),

final as (
    select * from checked
)

select * from final
