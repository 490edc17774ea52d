-- How one country's UN General Assembly votes align with Russia, China and the USA, year by
-- year: its ideal point, the distance to each power's ideal point, and the share of roll
-- calls on which it voted exactly as each power (of the roll calls both voted on).
-- Parameters: the `set variable` lines below hold the defaults; a value already set in the
-- session wins (see docs/queries.md). Run from the project root:
--   coop sql -- "$(cat sql/examples/unga_alignment_with_powers.sql)"
--   duckdb -readonly marts/coop.duckdb < sql/examples/unga_alignment_with_powers.sql
-- Marts: mart_country_year (unga_ideal_point, idealpointfp of Bailey, Strezhnev and Voeten,
-- 1946-2024) and mart_dyad_year (distance and vote agreement; the roll-call votes end with
-- session 74, 2019, so agreement is NULL after it, never 0). votes_* is the denominator.
set variable iso3 = coalesce(getvariable('iso3'), 'UZB');
set variable from_year = coalesce(getvariable('from_year'), 2016);
set variable to_year = coalesce(getvariable('to_year'), 2024);

with

country_years as (
    select * from mart_country_year
    where
        iso3 = getvariable('iso3')
        and year between getvariable('from_year') and getvariable('to_year')
),

dyads as (
    select
        year,
        case when iso3_1 = getvariable('iso3') then iso3_2 else iso3_1 end as power,
        unga_ideal_point_distance,
        unga_agreement,
        unga_votes_both
    from mart_dyad_year
    where
        getvariable('iso3') in (iso3_1, iso3_2)
        and (iso3_1 in ('RUS', 'CHN', 'USA') or iso3_2 in ('RUS', 'CHN', 'USA'))
        and year between getvariable('from_year') and getvariable('to_year')
),

final as (
    select
        country_years.year,
        country_years.iso3,
        country_years.country,
        country_years.unga_ideal_point as ideal_point,
        max(dyads.unga_ideal_point_distance) filter (where dyads.power = 'RUS') as distance_rus,
        max(dyads.unga_ideal_point_distance) filter (where dyads.power = 'CHN') as distance_chn,
        max(dyads.unga_ideal_point_distance) filter (where dyads.power = 'USA') as distance_usa,
        max(dyads.unga_agreement) filter (where dyads.power = 'RUS') as agreement_rus,
        max(dyads.unga_agreement) filter (where dyads.power = 'CHN') as agreement_chn,
        max(dyads.unga_agreement) filter (where dyads.power = 'USA') as agreement_usa,
        max(dyads.unga_votes_both) filter (where dyads.power = 'RUS') as votes_rus,
        max(dyads.unga_votes_both) filter (where dyads.power = 'CHN') as votes_chn,
        max(dyads.unga_votes_both) filter (where dyads.power = 'USA') as votes_usa
    from country_years
    left join dyads on country_years.year = dyads.year
    group by
        country_years.year, country_years.iso3, country_years.country,
        country_years.unga_ideal_point
)

select * from final
order by year;
