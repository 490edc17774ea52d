-- grain: one row per (source, calendar year) that a converted event file covers, even partly
-- key: source_id, year
-- engines: duckdb, spark
-- What each source really covers: the publication windows of its files (a GDELT export: 15
-- minutes; the ICEWS sample: 2 days), cut at year boundaries by the converter. A year is
-- full_year only when its windows add up to every second of it; annual counts need that.
with

coverage as (
    select * from raw_events__coverage
),

by_year as (
    select
        source_id,
        year,
        count(*) as files,
        cast(sum(file_rows) as bigint) as file_rows,
        cast(sum(covered_seconds) as bigint) as covered_seconds,
        min(covered_from) as covered_from,
        max(covered_to) as covered_to
    from coverage
    group by source_id, year
),

final as (
    select
        source_id,
        year,
        files,
        file_rows,
        covered_seconds,
        covered_from,
        covered_to,
        case when year % 4 = 0 and (year % 100 <> 0 or year % 400 = 0) then 366 else 365 end as days_in_year,
        cast(covered_seconds as double) / 86400 as coverage_days,
        covered_seconds
        >= 86400 * case when year % 4 = 0 and (year % 100 <> 0 or year % 400 = 0) then 366 else 365 end
            as full_year
    from by_year
)

select * from final
