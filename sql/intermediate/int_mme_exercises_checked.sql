-- grain: one row per MME exercise record, valid or rejected, after the coverage check
-- key: mme_row
with

exercises as (
    select * from stg_mme__exercises
),

coverage as (
    select
        first_year,
        last_year
    from stg_sources__coverage
    where source_id = 'mme'
),

checked as (
    select
        exercises.* exclude (reject),
        coalesce(
            exercises.reject,
            reject_if(
                exercises.start_year not between coverage.first_year and coverage.last_year,
                'outside_coverage', 's.year', exercises.start_year
            )
        ) as reject
    from exercises
    cross join coverage
),

final as (
    select * from checked
)

select * from final
