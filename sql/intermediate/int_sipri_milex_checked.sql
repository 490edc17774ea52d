-- grain: one row per cell of the SIPRI milex workbook, valid or rejected, with its ccode
-- key: row_number
-- A cell that is neither a number nor a documented marker, or a country name that resolves to
-- nothing, is quarantined. A resolved non-state row (the European Union) is kept but is not a
-- state (is_state false). A state outside the COW frame that year is kept, is_member false.
with

cells as (
    select * from stg_sipri_milex__cells
),

names as (
    select * from int_country_names_resolved
    where source_id = 'sipri_milex'
),

state_years as (
    select * from int_cow_states_years_expanded
),

resolved as (
    select
        cells.*,
        names.actor_kind,
        names.ccode
    from cells
    left join names
        on cells.country = names.raw_name and cells.year between names.first_year and names.last_year
),

-- Two SIPRI rows can map to one state-year (USSR/Russia, Czechoslovakia/Czechia,
-- Yugoslavia/Serbia, Yemen North/Yemen): SIPRI fills one and marks the other "xxx"; a second
-- value for the same state, year and measure would be a conflict and is quarantined.
keyed as (
    select
        *,
        row_number() over (
            partition by ccode, year, measure order by value is null, row_number
        ) as key_occurrence
    from resolved
),

checked as (
    select
        *,
        coalesce(
            reject_if(
                value is null and marker is null, 'unexpected_marker', sheet || '!' || cell,
                value_text
            ),
            reject_if(
                actor_kind is null or actor_kind = 'unresolved', 'unresolved_name', 'Country',
                country
            ),
            reject_if(
                ccode is not null and value is not null and key_occurrence > 1, 'duplicate_key',
                'Country, year', concat_ws(', ', country, year)
            )
        ) as reject
    from keyed
),

final as (
    select
        checked.*,
        coalesce(checked.actor_kind = 'state', false) as is_state,
        member.ccode is not null as is_member
    from checked
    left join state_years as member
        on checked.ccode = member.ccode and checked.year = member.year
)

select * from final
