-- grain: one row per record of the UNGA ideal-point file, valid or rejected
-- key: row_number
-- The file's own COW code is used as it stands; a row for a state that is not a COW system
-- member that year, or a year outside the source's coverage, is quarantined.
with

ideal_points as (
    select * from stg_unga__ideal_points
),

state_years as (
    select * from int_state_years_expanded
),

coverage as (
    select
        first_year,
        last_year
    from stg_sources__coverage
    where source_id = 'unga'
),

checked as (
    select
        ideal_points.* exclude (reject),
        coalesce(
            ideal_points.reject,
            reject_if(
                ideal_points.year not between coverage.first_year and coverage.last_year,
                'outside_coverage', 'year', ideal_points.year
            ),
            reject_if(
                member.ccode is null, 'not_system_member', 'ccode, year',
                concat_ws(', ', ideal_points.ccode, ideal_points.year)
            )
        ) as reject
    from ideal_points
    cross join coverage
    left join state_years as member
        on ideal_points.ccode = member.ccode and ideal_points.year = member.year
),

final as (
    select * from checked
)

select * from final
