-- The state-system checks every *_checked model of a source shares: is the record inside the
-- source's coverage, is its ccode a COW state at all, was that state a system member that
-- year.  Each returns a reject (see reject_if in macros.sql) or NULL.
-- These macros read models (the COW frame, the coverage table), so the runner creates them
-- once those are built and orders every model that calls them after them. Callers pass
-- qualified columns (dyads.ccode1): the subqueries' own columns are qualified by alias, and
-- the macro parameters are not columns (hence the RF03 exemptions).

create or replace macro reject_outside_coverage(source, year_value, column_name, offending_value) as
reject_if(
    year_value not between (
        select coverage.first_year from stg_sources__coverage as coverage
        where coverage.source_id = source  -- noqa: RF03
    ) and (
        select coverage.last_year from stg_sources__coverage as coverage
        where coverage.source_id = source  -- noqa: RF03
    ),
    'outside_coverage', column_name, offending_value
);

create or replace macro reject_unknown_state(ccode_value, column_name) as
reject_if(
    not exists (
        select 1 from int_cow_states_years_expanded as frame
        where frame.ccode = ccode_value  -- noqa: RF03
    ),
    'unknown_country_code', column_name, ccode_value
);

create or replace macro reject_not_member(ccode_value, year_value, column_name) as
reject_if(
    not exists (
        select 1 from int_cow_states_years_expanded as frame
        where frame.ccode = ccode_value and frame.year = year_value  -- noqa: RF03
    ),
    'not_system_member', column_name, concat_ws(', ', ccode_value, year_value)
);
