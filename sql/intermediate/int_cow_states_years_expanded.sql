-- grain: one row per (ccode, year) in which the state is a COW system member on some day
-- key: ccode, year
-- Spells still running when COW v2016 ends (2016-12-31) continue to the last year any source
-- covers, so later source years have a frame; ended spells stop in their end year.
with

spells as (
    select * from stg_cow_states__state_spells
),

coverage as (
    select * from stg_sources__coverage
),

frame_end as (
    select max(last_year) as last_year from coverage
),

spell_years as (
    select
        spells.ccode,
        unnest(
            range(
                year(spells.start_date),
                case
                    when spells.is_ongoing
                        then greatest(frame_end.last_year, year(spells.end_date))
                    else year(spells.end_date)
                end + 1
            )
        ) as year
    from spells
    cross join frame_end
),

final as (
    select distinct
        ccode,
        cast(year as integer) as year
    from spell_years
)

select * from final
