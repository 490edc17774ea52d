-- One country's cooperation index year by year, with the uncertainty of its rank.
-- Parameters: the `set variable` lines below hold the defaults; a value already set in the
-- session wins (see docs/queries.md). Run from the project root:
--   coop sql -- "$(cat sql/examples/country_index_trend.sql)"
--   duckdb -readonly marts/coop.duckdb < sql/examples/country_index_trend.sql
-- Marts: mart_cooperation_index (pillars and composite on 0-100, rank 1 = highest) and
-- mart_index_uncertainty (median rank and 5-95 % rank interval over the Monte-Carlo draws).
-- Years in which the country has at least one pillar. The (current) composite, rank and
-- interval exist only where both pillars do (1990-2014 with the shipped sources); read a rank
-- with its interval. Method: docs/methodology.md sections 3 and 7.
set variable iso3 = coalesce(getvariable('iso3'), 'KAZ');

with

index_scores as (
    select * from mart_cooperation_index
    where iso3 = getvariable('iso3')
),

uncertainty as (
    select * from mart_index_uncertainty
    where iso3 = getvariable('iso3')
),

final as (
    select
        index_scores.year,
        index_scores.iso3,
        index_scores.country,
        round(index_scores.institutional, 2) as institutional,
        round(index_scores.operational, 2) as operational,
        round(index_scores.composite, 2) as composite,
        round(index_scores.pillar_gap, 2) as pillar_gap,
        index_scores.rank,
        index_scores.n_ranked,
        uncertainty.median_rank,
        uncertainty.rank_p05,
        uncertainty.rank_p95,
        uncertainty.most_influential_choice
    from index_scores
    left join uncertainty
        on index_scores.ccode = uncertainty.ccode and index_scores.year = uncertainty.year
    where index_scores.institutional is not null or index_scores.operational is not null
)

select * from final
order by year;
