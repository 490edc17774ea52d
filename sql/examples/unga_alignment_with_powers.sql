-- How one country's UN General Assembly votes align with Russia, China and the USA, year by
-- year: its ideal point, the distance to each power's ideal point, and the share of roll
-- calls on which it voted exactly as each power (of the roll calls both voted on).
-- Parameters: the `set variable` lines below hold the defaults; a value already set in the
-- session wins (see docs/queries.md). Run from the project root:
--   coop sql -- "$(cat sql/examples/unga_alignment_with_powers.sql)"
--   duckdb -readonly marts/coop.duckdb < sql/examples/unga_alignment_with_powers.sql
-- Marts: mart_unga_alignment (ideal point, idealpointfp of Bailey, Strezhnev and Voeten,
-- 1946-2024; distance and vote agreement with each power, also on disarmament and nuclear
-- votes: agreement_di_*, agreement_nu_*; the roll-call votes end with session 74, 2019, so
-- agreement is NULL after it, never 0; votes_* is the denominator) and mart_country_year (the
-- years the state exists, listed even without UN data).
set variable iso3 = coalesce(getvariable('iso3'), 'UZB');
set variable from_year = coalesce(getvariable('from_year'), 2016);
set variable to_year = coalesce(getvariable('to_year'), 2024);

with

country_years as (
    select
        ccode,
        iso3,
        country,
        year
    from mart_country_year
    where
        iso3 = getvariable('iso3')
        and year between getvariable('from_year') and getvariable('to_year')
),

final as (
    select
        country_years.year,
        country_years.iso3,
        country_years.country,
        alignment.unga_ideal_point as ideal_point,
        alignment.distance_rus,
        alignment.distance_chn,
        alignment.distance_usa,
        alignment.agreement_rus,
        alignment.agreement_chn,
        alignment.agreement_usa,
        alignment.votes_rus,
        alignment.votes_chn,
        alignment.votes_usa
    from country_years
    left join mart_unga_alignment as alignment
        on country_years.ccode = alignment.ccode and country_years.year = alignment.year
)

select * from final
order by year;
