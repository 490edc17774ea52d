-- grain: one row per record of the ATOP file, valid or rejected, after the state-system checks
-- key: row_number
with

dyads as (
    select * from stg_atop__directed_dyad_years
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
    where source_id = 'atop'
),

checked as (
    select
        dyads.* exclude (reject),
        coalesce(
            dyads.reject,
            reject_if(
                dyads.year not between coverage.first_year and coverage.last_year,
                'outside_coverage', 'year', dyads.year
            ),
            reject_if(known1.ccode is null, 'unknown_country_code', 'ccode1', dyads.ccode1),
            reject_if(known2.ccode is null, 'unknown_country_code', 'ccode2', dyads.ccode2),
            reject_if(
                member1.ccode is null, 'not_system_member', 'ccode1, year',
                concat_ws(', ', dyads.ccode1, dyads.year)
            ),
            reject_if(
                member2.ccode is null, 'not_system_member', 'ccode2, year',
                concat_ws(', ', dyads.ccode2, dyads.year)
            )
        ) as reject
    from dyads
    cross join coverage
    left join known_states as known1 on dyads.ccode1 = known1.ccode
    left join known_states as known2 on dyads.ccode2 = known2.ccode
    left join state_years as member1
        on dyads.ccode1 = member1.ccode and dyads.year = member1.year
    left join state_years as member2
        on dyads.ccode2 = member2.ccode and dyads.year = member2.year
),

final as (
    select * from checked
)

select * from final
