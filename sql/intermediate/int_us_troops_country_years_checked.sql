-- grain: one row per record of troopdata's host country-year file, valid or rejected
-- key: row_number
-- A host that is not a COW system member that year (e.g. a colony before independence) or a
-- year outside 1950-2024 is quarantined.
with

troops as (
    select * from stg_us_troops__country_years
),

state_years as (
    select * from int_state_years_expanded
),

coverage as (
    select
        first_year,
        last_year
    from stg_sources__coverage
    where source_id = 'us_troops'
),

checked as (
    select
        troops.* exclude (reject),
        coalesce(
            troops.reject,
            reject_if(
                troops.year not between coverage.first_year and coverage.last_year,
                'outside_coverage', 'year', troops.year
            ),
            reject_if(
                member.ccode is null, 'not_system_member', 'ccode, year',
                concat_ws(', ', troops.ccode, troops.year) || ' (' || troops.country_name || ')'
            )
        ) as reject
    from troops
    cross join coverage
    left join state_years as member
        on troops.ccode = member.ccode and troops.year = member.year
),

final as (
    select * from checked
)

select * from final
