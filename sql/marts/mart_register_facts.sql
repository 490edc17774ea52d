-- grain, key, columns and checks: sql/marts/mart_register_facts.toml
-- Every figure an analyst recorded, with its citation and where it went. year is NULL for an
-- undated fact (never guessed). status: counted = fills mart_column of mart_country_year
-- (source 'register'); superseded_by_public_source = the public dataset covers that year and
-- its figure stands; not_exact = an at_least / at_most / approximate count, shown but not
-- added; no_mart_column = no public dataset measures this family; undated = kept out of every
-- year-based column. Rejected rows are in mart_quarantine. Rules: docs/register.md.
with

facts as (
    select * from int_register_facts_checked
    where reject is null
),

countries as (
    select * from int_cow_states_countries_described
),

final as (
    select
        facts.source_file as register_file,
        facts.row_number,
        facts.file_sha256,
        facts.ccode,
        countries.iso3,
        countries.country,
        facts.year,
        facts.fact_date as date,
        facts.is_dated,
        facts.family,
        facts.family_label,
        facts.subtype,
        facts.partner_type,
        facts.partner,
        facts.partner_ccode,
        partners.iso3 as partner_iso3,
        facts.count,
        facts.count_qualifier,
        facts.confidence,
        facts.source_citation,
        facts.source_url,
        facts.notes,
        facts.public_source,
        facts.mart_column,
        facts.status,
        case facts.status
            when 'counted' then 'counted in mart_country_year.' || facts.mart_column
            when 'superseded_by_public_source'
                then
                    'not added: ' || facts.public_source || ' covers ' || facts.year
                    || ' and its figure stands'
            when 'not_exact' then 'not added to mart_country_year: the count is ' || facts.count_qualifier
            when 'no_mart_column' then 'register only: no public dataset measures this family'
            when 'undated' then 'undated: kept out of every year-based figure'
        end as status_note
    from facts
    inner join countries on facts.ccode = countries.ccode
    left join countries as partners on facts.partner_ccode = partners.ccode
)

select * from final
order by register_file, row_number
