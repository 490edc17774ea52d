-- grain: one row per undirected pair (ccode1 < ccode2) and year that exercised together
-- key: ccode1, ccode2, year
with

state_participations as (
    select * from int_mme_participations_checked
    where reject is null and not is_non_state
),

paired as (
    select
        first_state.ccode as ccode1,
        second_state.ccode as ccode2,
        first_state.year,
        count(distinct first_state.mme_row) as joint_exercises
    from state_participations as first_state
    inner join state_participations as second_state
        on
            first_state.mme_row = second_state.mme_row
            and first_state.ccode < second_state.ccode
    group by all
),

final as (
    select * from paired
)

select * from final
