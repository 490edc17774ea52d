-- Top partners of one country in one year: its partnerships ranked by partnership_score,
-- with the ties behind each one (alliance, joint security IGOs and IGOs, joint exercises).
-- Parameters: the `set variable` lines below hold the defaults; a value already set in the
-- session wins (see docs/queries.md). Run from the project root:
--   coop sql -- "$(cat sql/examples/top_partners.sql)"
--   duckdb -readonly marts/coop.duckdb < sql/examples/top_partners.sql
-- Marts: mart_partnership (criteria on 0-1, docs/methodology.md section 4) and
-- mart_dyad_year (the ties). A pair is listed from its first military tie on; pairs whose
-- score cannot be computed (fewer than 3 criteria observed) come last. NULL = not covered
-- by the source that year (exercises stop in 2010, IGO memberships in 2014), never zero.
set variable iso3 = coalesce(getvariable('iso3'), 'KAZ');
set variable year = coalesce(getvariable('year'), 2005);

with

partnerships as (
    select * from mart_partnership
    where year = getvariable('year') and getvariable('iso3') in (iso3_1, iso3_2)
),

dyads as (
    select * from mart_dyad_year
    where year = getvariable('year')
),

final as (
    select
        partnerships.year,
        case
            when partnerships.iso3_1 = getvariable('iso3') then partnerships.iso3_2
            else partnerships.iso3_1
        end as partner_iso3,
        case
            when partnerships.iso3_1 = getvariable('iso3') then partnerships.country2
            else partnerships.country1
        end as partner,
        round(partnerships.partnership_score, 3) as partnership_score,
        round(partnerships.comprehensiveness, 3) as comprehensiveness,
        round(partnerships.longevity, 3) as longevity,
        round(partnerships.reciprocity, 3) as reciprocity,
        round(partnerships.coherence, 3) as coherence,
        partnerships.longevity_years,
        partnerships.alliance_level,
        dyads.joint_security_igo_full,
        dyads.joint_igo_full,
        dyads.joint_exercises
    from partnerships
    left join dyads
        on
            partnerships.ccode1 = dyads.ccode1
            and partnerships.ccode2 = dyads.ccode2
            and partnerships.year = dyads.year
)

select * from final
order by partnership_score desc nulls last, joint_exercises desc nulls last, partner asc
limit 10;
