-- grain: one row per (ccode, year) with at least one accepted dated register fact
-- key: ccode, year
-- The register's value for each mart_country_year column it may fill, from the facts with
-- status 'counted' (exact counts of a mapped family outside the public source's years). So
-- that nothing is counted twice (docs/register.md, "One figure per country-year"):
--   1. facts about one partner on one date (or in one year, if undated within it) are the
--      same thing reported by several sources: the largest count stands;
--   2. a country-level total (no partner) and the partner facts of the same subtype: the
--      larger of the total and the sum of the partner facts;
--   3. subtypes: an empty subtype is the family total, named subtypes are parts of it; the
--      larger of the total and the sum of the parts.
-- register_facts counts every accepted dated fact, whatever its status.
with

facts as (
    select * from int_register_facts_checked
    where reject is null and is_dated
),

counted as (
    select
        ccode,
        year,
        mart_column,
        coalesce(subtype, '') as subtype,
        coalesce(cast(partner_ccode as varchar), partner_key) as partner,
        coalesce(cast(fact_date as varchar), '') as fact_date,
        count
    from facts
    where status = 'counted'
),

per_partner as (
    select
        ccode,
        year,
        mart_column,
        subtype,
        partner,
        fact_date,
        max(count) as count
    from counted
    where partner is not null
    group by all
),

partner_sums as (
    select
        ccode,
        year,
        mart_column,
        subtype,
        sum(count) as partner_sum
    from per_partner
    group by all
),

country_totals as (
    select
        ccode,
        year,
        mart_column,
        subtype,
        max(count) as country_total
    from counted
    where partner is null
    group by all
),

per_subtype as (
    select
        coalesce(totals.ccode, sums.ccode) as ccode,
        coalesce(totals.year, sums.year) as year,
        coalesce(totals.mart_column, sums.mart_column) as mart_column,
        coalesce(totals.subtype, sums.subtype) as subtype,
        greatest(totals.country_total, sums.partner_sum) as value
    from country_totals as totals
    full outer join partner_sums as sums
        on
            totals.ccode = sums.ccode
            and totals.year = sums.year
            and totals.mart_column = sums.mart_column
            and totals.subtype = sums.subtype
),

per_column as (
    select
        ccode,
        year,
        mart_column,
        greatest(
            max(value) filter (where subtype = ''),
            sum(value) filter (where subtype != '')
        ) as value
    from per_subtype
    group by all
),

fact_counts as (
    select
        ccode,
        year,
        count(*) as register_facts
    from facts
    group by all
),

final as (
    select
        fact_counts.ccode,
        fact_counts.year,
        fact_counts.register_facts,
        cast(max(per_column.value) filter (where per_column.mart_column = 'alliance_partners_total') as bigint)
            as alliance_partners_total,
        cast(max(per_column.value) filter (where per_column.mart_column = 'igo_full') as bigint) as igo_full,
        cast(max(per_column.value) filter (where per_column.mart_column = 'exercises') as bigint) as exercises,
        cast(max(per_column.value) filter (where per_column.mart_column = 'pko_personnel_peak') as bigint)
            as pko_personnel_peak
    from fact_counts
    left join per_column on fact_counts.ccode = per_column.ccode and fact_counts.year = per_column.year
    group by fact_counts.ccode, fact_counts.year, fact_counts.register_facts
)

select * from final
