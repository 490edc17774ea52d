-- The frames a source's aggregates start from, cut to the source's coverage years. These
-- macros read models, so the runner creates them once those are built (pipelines/models.py).

-- The state-year frame (int_country_years_framed) inside a source's coverage years: every
-- per-source country-year aggregate starts from it, so its columns are 0 inside the years
-- (no record) and, having no row outside them, NULL there once joined to the frame.
create or replace macro covered_country_years(source) as table
    select
        frame.ccode,
        frame.year
    from int_country_years_framed as frame
    inner join stg_sources__coverage as coverage
        on
            coverage.source_id = source  -- noqa: RF02
            and frame.year between coverage.first_year and coverage.last_year;

-- The same for the dyad-year frame (int_dyad_years_framed).
create or replace macro covered_dyad_years(source) as table
    select
        pairs.ccode1,
        pairs.ccode2,
        pairs.year
    from int_dyad_years_framed as pairs
    inner join stg_sources__coverage as coverage
        on
            coverage.source_id = source  -- noqa: RF02
            and pairs.year between coverage.first_year and coverage.last_year;
