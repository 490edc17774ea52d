-- One country's multi-vector profile year by year: the share of its ties that go to each
-- partner bloc of seeds/blocs.csv (one share_<bloc> column per bloc), the rest (other_share),
-- and how concentrated the ties are (hhi, effective number of blocs).
-- Parameters: the `set variable` lines below hold the defaults; a value already set in the
-- session wins (see docs/queries.md). Run from the project root:
--   coop sql -- "$(cat sql/examples/bloc_shares_trend.sql)"
--   duckdb -readonly marts/coop.duckdb < sql/examples/bloc_shares_trend.sql
-- Mart: mart_multivector (shares of tie volume on 0-1, docs/methodology.md section 5).
-- layers_used says which layers the shares rest on: from 2015 only alliances (ATOP) remain.
set variable iso3 = coalesce(getvariable('iso3'), 'KAZ');

with

multivector as (
    select * from mart_multivector
    where iso3 = getvariable('iso3')
),

final as (
    select
        year,
        iso3,
        country,
        layers_used,
        columns('^share_'),
        round(other_share, 3) as other_share,
        round(hhi, 3) as hhi,
        round(effective_blocs, 2) as effective_blocs,
        largest_bloc
    from multivector
)

select * from final
order by year;
