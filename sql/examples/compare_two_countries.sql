-- Two countries compared year by year: their index scores and ranks side by side, and the
-- ties between them (alliance, joint security IGOs, joint exercises, partnership score).
-- Parameters: the `set variable` lines below hold the defaults; a value already set in the
-- session wins (see docs/queries.md). Run from the project root:
--   coop sql -- "$(cat sql/examples/compare_two_countries.sql)"
--   duckdb -readonly marts/coop.duckdb < sql/examples/compare_two_countries.sql
-- Marts: mart_cooperation_index, mart_dyad_year, mart_partnership. Years in which both
-- countries are system members and at least one of them has a pillar score.
-- composite_difference > 0: the first country scores higher. NULL = not measured, never 0.
set variable iso3_a = coalesce(getvariable('iso3_a'), 'KAZ');
set variable iso3_b = coalesce(getvariable('iso3_b'), 'UZB');

with

first_country as (
    select * from mart_cooperation_index
    where iso3 = getvariable('iso3_a')
),

second_country as (
    select * from mart_cooperation_index
    where iso3 = getvariable('iso3_b')
),

dyads as (
    select * from mart_dyad_year
    where
        (iso3_1 = getvariable('iso3_a') and iso3_2 = getvariable('iso3_b'))
        or (iso3_1 = getvariable('iso3_b') and iso3_2 = getvariable('iso3_a'))
),

partnerships as (
    select * from mart_partnership
    where
        (iso3_1 = getvariable('iso3_a') and iso3_2 = getvariable('iso3_b'))
        or (iso3_1 = getvariable('iso3_b') and iso3_2 = getvariable('iso3_a'))
),

final as (
    select
        first_country.year,
        first_country.iso3 as iso3_a,
        second_country.iso3 as iso3_b,
        round(first_country.composite, 2) as composite_a,
        round(second_country.composite, 2) as composite_b,
        round(first_country.composite - second_country.composite, 2) as composite_difference,
        first_country.rank as rank_a,
        second_country.rank as rank_b,
        round(first_country.institutional, 2) as institutional_a,
        round(second_country.institutional, 2) as institutional_b,
        round(first_country.operational, 2) as operational_a,
        round(second_country.operational, 2) as operational_b,
        dyads.atop_any as alliance,
        dyads.joint_security_igo_full,
        dyads.joint_exercises,
        round(partnerships.partnership_score, 3) as partnership_score
    from first_country
    inner join second_country on first_country.year = second_country.year
    left join dyads on first_country.year = dyads.year
    left join partnerships on first_country.year = partnerships.year
    where
        coalesce(
            first_country.institutional, first_country.operational,
            second_country.institutional, second_country.operational
        ) is not null
)

select * from final
order by year;
