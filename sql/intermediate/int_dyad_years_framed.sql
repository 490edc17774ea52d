-- grain: one row per undirected pair of COW system members (ccode1 < ccode2) per year
-- key: ccode1, ccode2, year
-- The dyad-year frame every source's dyad-year aggregate and mart_dyad_year join to: every
-- pair of states that are both members that year, tie or not.
with

state_years as (
    select * from int_cow_states_years_expanded
),

final as (
    select
        first_state.ccode as ccode1,
        second_state.ccode as ccode2,
        first_state.year
    from state_years as first_state
    inner join state_years as second_state
        on first_state.year = second_state.year and first_state.ccode < second_state.ccode
)

select * from final
