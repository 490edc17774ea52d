-- grain: one row per record of the COW IGO long file, valid or rejected, after state-system checks
-- key: row_number
with

memberships as (
    select * from stg_cow_igo__memberships
),

state_years as (
    select * from int_state_years_expanded
),

known_states as (
    select distinct ccode from state_years
),

coverage as (
    select
        first_year,
        last_year
    from stg_sources__coverage
    where source_id = 'cow_igo'
),

checked as (
    select
        memberships.* exclude (reject),
        coalesce(
            memberships.reject,
            reject_if(
                memberships.year not between coverage.first_year and coverage.last_year,
                'outside_coverage', 'year', memberships.year
            ),
            reject_if(known.ccode is null, 'unknown_country_code', 'ccode', memberships.ccode),
            reject_if(
                member.ccode is null, 'not_system_member', 'ccode, year',
                concat_ws(', ', memberships.ccode, memberships.year)
            )
        ) as reject
    from memberships
    cross join coverage
    left join known_states as known on memberships.ccode = known.ccode
    left join state_years as member
        on memberships.ccode = member.ccode and memberships.year = member.year
),

final as (
    select * from checked
)

select * from final
