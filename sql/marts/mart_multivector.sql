-- grain, key, columns and checks: sql/marts/mart_multivector.toml
-- Shares of a state's cooperation with the partner blocs of seeds/blocs.csv (one share_<bloc>
-- column per bloc; the columns follow the file), the rest in other_share; hhi and
-- effective_blocs over the bloc shares re-scaled without "other"; the largest bloc and its
-- share of all ties. Method and overlap rule: docs/methodology.md.
with

multivector as (
    select * from py_multivector
),

countries as (
    select * from mart_countries
),

named as (
    select
        multivector.*,
        countries.iso3,
        countries.country
    from multivector
    inner join countries on multivector.ccode = countries.ccode
),

final as (
    select
        ccode,
        iso3,
        country,
        year,
        * exclude (ccode, iso3, country, year)
    from named
)

select * from final
order by ccode, year
