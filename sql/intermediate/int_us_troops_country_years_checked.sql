-- grain: one row per record of troopdata's host country-year file, valid or rejected
-- key: row_number
-- A host that is not a COW system member that year (a colony before independence, occupied
-- Japan and Austria, Puerto Rico...) or a year outside 1950-2024 is quarantined.
with

troops as (
    select * from stg_us_troops__country_years
),

checked as (
    select
        troops.* exclude (reject),
        coalesce(
            troops.reject,
            reject_outside_coverage('us_troops', troops.year, 'year', troops.year),
            reject_not_member(troops.ccode, troops.year, 'ccode, year')
        ) as reject
    from troops
),

final as (
    select * from checked
)

select * from final
