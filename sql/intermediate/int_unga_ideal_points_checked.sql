-- grain: one row per record of the UNGA ideal-point file, valid or rejected
-- key: row_number
-- The file's own COW code is used as it stands; a row for a state that is not a COW system
-- member that year (Ukraine 369 and Belarus 370 before 1991, Taiwan 713 before 1949...) or a
-- year outside the source's coverage is quarantined.
with

ideal_points as (
    select * from stg_unga__ideal_points
),

checked as (
    select
        ideal_points.* exclude (reject),
        coalesce(
            ideal_points.reject,
            reject_outside_coverage('unga', ideal_points.year, 'year', ideal_points.year),
            reject_not_member(ideal_points.ccode, ideal_points.year, 'ccode, year')
        ) as reject
    from ideal_points
),

final as (
    select * from checked
)

select * from final
