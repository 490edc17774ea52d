-- Who gained most over the last decade of index data: the change in the composite index
-- between the last year with a composite and ten years earlier, for the states that have
-- one in both years. The composite is scaled over the whole panel (every country-year), so
-- scores compare across years; ranks compare within a year.
-- Parameters: the `set variable` lines below hold the defaults; a value already set in the
-- session wins (see docs/queries.md). Run from the project root:
--   coop sql -- "$(cat sql/examples/biggest_gainers.sql)"
--   duckdb -readonly marts/coop.duckdb < sql/examples/biggest_gainers.sql
-- Mart: mart_cooperation_index (composite on 0-100, rank 1 = highest). With the shipped
-- sources the current composite ends in 2014, so this compares 2004-2014 (for a comparison on
-- one indicator set over time use core_composite; docs/methodology.md section 3.4).
-- Losers: change `desc` to `asc` in the last order by.
set variable span_years = coalesce(getvariable('span_years'), 10);

with

scores as (
    select * from mart_cooperation_index
    where composite is not null
),

last_year as (
    select max(year) as to_year from scores
),

periods as (
    select
        to_year - getvariable('span_years') as from_year,
        to_year
    from last_year
),

start_scores as (
    select scores.* from scores
    inner join periods on scores.year = periods.from_year
),

end_scores as (
    select scores.* from scores
    inner join periods on scores.year = periods.to_year
),

final as (
    select
        end_scores.iso3,
        end_scores.country,
        start_scores.year as from_year,
        end_scores.year as to_year,
        round(start_scores.composite, 2) as composite_from,
        round(end_scores.composite, 2) as composite_to,
        round(end_scores.composite - start_scores.composite, 2) as composite_gain,
        start_scores.rank as rank_from,
        end_scores.rank as rank_to,
        start_scores.rank - end_scores.rank as ranks_gained
    from end_scores
    inner join start_scores on end_scores.ccode = start_scores.ccode
)

select * from final
order by composite_gain desc, country asc
limit 15;
