-- grain: one row per valid exercise with at least one valid state participant
-- key: mme_row
-- bilateral = exactly two states; multilateral = three or more; single_state = one state
-- (its other listed participants were missing or non-state).
with

participations as (
    select * from int_mme_participations_checked
    where reject is null
),

sized as (
    select
        mme_row,
        any_value(year) as year,
        count(distinct ccode) filter (where not is_non_state) as n_states,
        count(*) filter (where is_non_state) as n_non_state
    from participations
    group by mme_row
),

final as (
    select
        mme_row,
        year,
        n_states,
        n_non_state,
        case
            when n_states >= 3 then 'multilateral'
            when n_states = 2 then 'bilateral'
            else 'single_state'
        end as exercise_kind
    from sized
    where n_states >= 1
)

select * from final
