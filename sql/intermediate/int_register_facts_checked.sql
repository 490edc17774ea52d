-- grain: one row per record of a register file, valid or rejected, with its resolved codes
-- key: source_file, row_number
-- The country (and a partner state) is an ISO3 code or a COW ccode. An ISO3 code is resolved
-- on the fact's date (31 December for a year alone) through seeds/iso3_ccode_periods.csv, then
-- the crosswalk; an undated fact uses the crosswalk. A dated fact's states must be COW members
-- that year; spells still running when COW v2016 ends stay open up to the current year.
-- status (accepted rows only) says what the refresh does with the fact; see docs/register.md.
with

facts as (
    select * from stg_register__facts
),

families as (
    select * from stg_seeds__register_families
),

spells as (
    select
        ccode,
        year(start_date) as first_year,
        case when is_ongoing then year(current_date) else year(end_date) end as last_year
    from stg_cow_states__state_spells
),

known_states as (
    select distinct ccode from spells
),

periods as (
    select * from stg_seeds__iso3_ccode_periods
),

crosswalk as (
    select * from stg_cow_states__ccode_iso3
    where iso3 is not null
),

coverage as (
    select * from stg_sources__coverage
),

dated as (
    select
        *,
        coalesce(fact_date, make_date(year, 12, 31)) as reference_date,
        case
            when partner_type = 'state' then upper(partner)
            when partner_type = 'organisation' then lower(partner)
        end as partner_key
    from facts
),

-- Every (code, date) to resolve, so that a country and a partner state resolve by one rule.
wanted_codes as (
    select
        country_text as code,
        reference_date
    from dated
    union
    select
        partner_key as code,
        reference_date
    from dated
    where partner_type = 'state'
),

codes as (
    select
        wanted.code,
        wanted.reference_date,
        case
            when regexp_full_match(wanted.code, '[0-9]+') then state.ccode
            when regexp_full_match(wanted.code, '[A-Z]{3}') then coalesce(period.ccode, crosswalk.ccode)
        end as ccode
    from wanted_codes as wanted
    left join known_states as state on try_cast(wanted.code as integer) = state.ccode
    left join periods as period
        on
            wanted.code = period.iso3
            and wanted.reference_date between period.valid_from and period.valid_to
    left join crosswalk on wanted.code = crosswalk.iso3
),

resolved as (
    select
        dated.*,
        country.ccode,
        partner.ccode as partner_ccode
    from dated
    left join codes as country
        on
            dated.country_text = country.code
            and dated.reference_date is not distinct from country.reference_date
    left join codes as partner
        on
            dated.partner_type = 'state'
            and dated.partner_key = partner.code
            and dated.reference_date is not distinct from partner.reference_date
),

checked as (
    select
        resolved.* exclude (reject),
        families.label as family_label,
        families.public_source,
        families.mart_column,
        coalesce(
            resolved.reject,
            reject_if(resolved.ccode is null, 'unknown_country', 'country', resolved.country_text),
            reject_if(families.family is null, 'unknown_family', 'family', resolved.family),
            reject_if(
                resolved.partner_type is not null
                and not list_contains(families.partner_types, resolved.partner_type),
                'partner_not_allowed', 'partner_type', resolved.partner_type
            ),
            reject_if(
                resolved.partner_type = 'state' and resolved.partner_ccode is null,
                'unknown_partner', 'partner', resolved.partner
            ),
            reject_if(
                resolved.partner_ccode = resolved.ccode, 'self_dyad', 'country, partner',
                concat_ws(', ', resolved.country_text, resolved.partner)
            ),
            reject_if(
                resolved.year is not null and not exists (
                    select 1 from spells
                    where
                        spells.ccode = resolved.ccode
                        and resolved.year between spells.first_year and spells.last_year
                ),
                'not_system_member', 'country, year', concat_ws(', ', resolved.country_text, resolved.year)
            ),
            reject_if(
                resolved.year is not null and resolved.partner_ccode is not null and not exists (
                    select 1 from spells
                    where
                        spells.ccode = resolved.partner_ccode
                        and resolved.year between spells.first_year and spells.last_year
                ),
                'not_system_member', 'partner, year', concat_ws(', ', resolved.partner, resolved.year)
            )
        ) as reject
    from resolved
    left join families on resolved.family = families.family
),

fact_keys as (
    select
        *,
        row_number() over fact_window as occurrence,
        first_value(source_file) over fact_window as first_file,
        first_value(row_number) over fact_window as first_row
    from checked
    window fact_window as (
        partition by
            reject is null, ccode, partner_type, coalesce(cast(partner_ccode as varchar), partner_key),
            family, subtype, fact_date, year, lower(source_citation)
        order by file_order, row_number
    )
),

deduplicated as (
    select
        * exclude (reject, occurrence, first_file, first_row),
        coalesce(
            reject,
            reject_if(
                occurrence > 1, 'duplicate_fact', 'fact',
                concat_ws(', ', country_text, partner, family, subtype, coalesce(date_text, year_text))
                || ' (first in ' || first_file || ' row ' || first_row || ')'
            )
        ) as reject
    from fact_keys
),

final as (
    select
        deduplicated.* exclude (deduplicated.reject),
        deduplicated.year is not null as is_dated,
        coverage.first_year as public_first_year,
        coverage.last_year as public_last_year,
        case
            when deduplicated.reject is not null then null
            when deduplicated.year is null then 'undated'
            when deduplicated.mart_column is null then 'no_mart_column'
            when deduplicated.year between coverage.first_year and coverage.last_year
                then 'superseded_by_public_source'
            when deduplicated.confidence = 'low' then 'low_confidence'
            when deduplicated.count_qualifier != 'exact' then 'not_exact'
            else 'counted'
        end as status,
        deduplicated.reject
    from deduplicated
    left join coverage on deduplicated.public_source = coverage.source_id
)

select * from final
