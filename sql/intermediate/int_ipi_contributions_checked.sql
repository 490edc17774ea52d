-- grain: one row per IPI contributor-month record, valid or rejected, with its dated ccode
-- key: row_number
-- The file's own ccode came from an undated crosswalk; the code is re-resolved from ISO3 and
-- the month (seeds/iso3_ccode_periods.csv first, then the crosswalk).
with

contributions as (
    select * from stg_ipi__contributor_months
),

periods as (
    select * from stg_seeds__iso3_ccode_periods
),

crosswalk as (
    select * from stg_cow_states__ccode_iso3
    where iso3 is not null
),

resolved as (
    select
        contributions.*,
        coalesce(periods.ccode, crosswalk.ccode) as ccode
    from contributions
    left join periods
        on
            contributions.iso3 = periods.iso3
            and contributions.month_end between periods.valid_from and periods.valid_to
    left join crosswalk on contributions.iso3 = crosswalk.iso3
),

checked as (
    select
        resolved.* exclude (reject),
        coalesce(
            resolved.reject,
            reject_outside_coverage('ipi', resolved.year, 'date', resolved.month_end),
            reject_if(resolved.ccode is null, 'unresolved_iso3', 'iso3', resolved.iso3),
            reject_not_member(resolved.ccode, resolved.year, 'ccode, year')
        ) as reject
    from resolved
),

final as (
    select * from checked
)

select * from final
