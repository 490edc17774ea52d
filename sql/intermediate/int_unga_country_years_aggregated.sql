-- grain: one row per (ccode, year) of the frame inside the UNGA source's years (1946-2024)
-- key: ccode, year
-- unga_ideal_point is Bailey, Strezhnev and Voeten's idealpointfp, the estimate that reaches
-- 2024 (idealpointall is empty in 2024); NULL when the state has no estimate that year (an
-- ideal point has no zero). unga_ideal_point_votes is the number of votes behind it
-- (nvotesfp). Years outside the coverage have no row, so they stay NULL in mart_country_year.
with

frame as (
    select * from covered_country_years('unga')
),

ideal_points as (
    select * from int_unga_ideal_points_checked
    where reject is null
),

final as (
    select
        frame.ccode,
        frame.year,
        round(ideal_points.idealpointfp, 4) as unga_ideal_point,
        round(ideal_points.idealpointall, 4) as unga_ideal_point_all,
        cast(ideal_points.nvotesfp as integer) as unga_ideal_point_votes
    from frame
    left join ideal_points on frame.ccode = ideal_points.ccode and frame.year = ideal_points.year
)

select * from final
