-- grain: one row per (source, calendar year) covered, even partly, by converted event files
-- key: source_id, year
-- not_null: covered_seconds, coverage_days, days_in_year, full_year
-- engines: duckdb, spark
-- Each event source's exact coverage: first and last instant covered (UTC), seconds and days
-- covered, and whether the whole year is covered (full_year), which annual counts require.
select * from int_event_coverage_years
