-- grain: one row per (source, raw name, span of years) with what the name denotes in those years
-- key: source_id, raw_name, first_year
-- not_null: source_id, raw_name, actor_kind, method, first_year, last_year
-- Join a source's rows on (source_id, raw_name) and year between first_year and last_year; a
-- row that finds no span is quarantined with `reason` (or "no resolution in that year"). A
-- library match is an ISO3 code, turned into a COW code per year on the 31 December rule:
-- seeds/iso3_ccode_periods.csv first (e.g. DEU is 260 to 1989, 255 from 1990), then the COW
-- crosswalk; an ISO3 code the crosswalk does not know is a territory, not a state. Only
-- actor_kind = 'state' rows carry a ccode; the other kinds are kept apart, never dropped.
with

resolution as (
    select * from stg_names__resolution
),

periods as (
    select * from stg_seeds__iso3_ccode_periods
),

crosswalk as (
    select * from stg_cow_states__ccode_iso3
    where iso3 is not null
),

library as (
    select * from resolution
    where method = 'library'
),

-- A dated exception covers the years whose 31 December falls inside it.
period_years as (
    select
        iso3,
        ccode,
        year(valid_from) as first_year,
        case
            when valid_to = make_date(year(valid_to), 12, 31) then year(valid_to)
            else year(valid_to) - 1
        end as last_year
    from periods
),

period_bounds as (
    select
        iso3,
        min(first_year) as first_year,
        max(last_year) as last_year
    from period_years
    group by iso3
),

-- the years outside the dated exceptions (all years when there are none) use the crosswalk
crosswalk_spans as (
    select
        library.source_id,
        library.raw_name,
        library.iso3,
        -9999 as first_year,
        coalesce(bounds.first_year - 1, 9999) as last_year
    from library
    left join period_bounds as bounds on library.iso3 = bounds.iso3
    union all
    select
        library.source_id,
        library.raw_name,
        library.iso3,
        bounds.last_year + 1 as first_year,
        9999 as last_year
    from library
    inner join period_bounds as bounds on library.iso3 = bounds.iso3
),

library_spans as (
    select
        library.source_id,
        library.raw_name,
        period.first_year,
        period.last_year,
        'state' as actor_kind,
        period.ccode,
        library.iso3,
        library.method,
        'library; ISO3 ' || library.iso3 || ' dated exception in seeds/iso3_ccode_periods.csv'
            as reason
    from library
    inner join period_years as period on library.iso3 = period.iso3
    union all
    select
        span.source_id,
        span.raw_name,
        span.first_year,
        span.last_year,
        case when crosswalk.ccode is null then 'territory' else 'state' end as actor_kind,
        crosswalk.ccode,
        span.iso3,
        'library' as method,
        case
            when crosswalk.ccode is null
                then 'library; ISO3 ' || span.iso3 || ' is not a COW state in the crosswalk'
            else 'library; ISO3 ' || span.iso3 || ' via the COW crosswalk'
        end as reason
    from crosswalk_spans as span
    left join crosswalk on span.iso3 = crosswalk.iso3
),

other_spans as (
    select
        source_id,
        raw_name,
        coalesce(first_year, -9999) as first_year,
        coalesce(last_year, 9999) as last_year,
        actor_kind,
        ccode,
        iso3,
        method,
        reason
    from resolution
    where method <> 'library'
),

final as (
    select * from library_spans
    union all
    select * from other_spans
)

select * from final
order by source_id, raw_name, first_year
