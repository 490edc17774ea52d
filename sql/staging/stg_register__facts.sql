-- grain: one row per record of a register file (raw/register/*.csv, *.xlsx), valid or rejected
-- key: source_file, row_number
-- Rules that need only the row itself; int_register_facts_checked adds those that need the
-- state list and the family vocabulary. Words are normalised (lower case, spaces and hyphens
-- to '_'), so 'Visit or meeting' is family visit_or_meeting. An empty count_qualifier means
-- exact. A fact may have a date, a year, both (they must agree) or neither (undated).
with

source as (
    select * from raw_register__facts
),

texts as (
    select
        _source_id as source_id,
        _source_file as source_file,
        _file_sha256 as file_sha256,
        _file_order as file_order,
        _row_number as row_number,
        nullif(trim(date), '') as date_text,
        nullif(trim(year), '') as year_text,
        nullif(upper(trim(country)), '') as country_text,
        nullif(regexp_replace(lower(trim(partner_type)), '[[:space:]-]+', '_', 'g'), '')
            as partner_type_text,
        nullif(trim(partner), '') as partner,
        nullif(regexp_replace(lower(trim(family)), '[[:space:]-]+', '_', 'g'), '') as family,
        nullif(regexp_replace(lower(trim(subtype)), '[[:space:]-]+', '_', 'g'), '') as subtype,
        nullif(trim(count), '') as count_text,
        coalesce(
            nullif(regexp_replace(lower(trim(count_qualifier)), '[[:space:]-]+', '_', 'g'), ''),
            'exact'
        ) as count_qualifier,
        nullif(trim(source_citation), '') as source_citation,
        nullif(trim(source_url), '') as source_url,
        nullif(lower(trim(confidence)), '') as confidence,
        nullif(trim(notes), '') as notes
    from source
),

typed as (
    select
        *,
        case
            when regexp_full_match(date_text, '[0-9]{4}-[0-9]{2}-[0-9]{2}')
                then try_cast(try_strptime(date_text, '%Y-%m-%d') as date)
        end as fact_date,
        as_int(year_text) as year_value,
        as_int(count_text) as count,
        case
            when partner_type_text = 'organization' then 'organisation'
            else partner_type_text
        end as partner_type
    from texts
),

checked as (
    select
        *,
        coalesce(
            reject_if(country_text is null, 'null_key', 'country', country_text),
            reject_if(family is null, 'null_key', 'family', family),
            reject_if(source_citation is null, 'missing_source', 'source_citation', source_citation),
            reject_if(count_text is null, 'not_integer', 'count', count_text),
            reject_if(count is null, 'not_integer', 'count', count_text),
            reject_if(count < 0, 'negative_count', 'count', count_text),
            reject_if(date_text is not null and fact_date is null, 'not_a_date', 'date', date_text),
            reject_if(year_text is not null and year_value is null, 'not_integer', 'year', year_text),
            reject_if(
                year_value is not null and fact_date is not null and year_value != year(fact_date),
                'date_year_mismatch', 'year, date', concat_ws(', ', year_text, date_text)
            ),
            reject_if(
                coalesce(
                    fact_date not between date '1816-01-01' and current_date,
                    year_value not between 1816 and year(current_date)
                ),
                'implausible_date', case when date_text is null then 'year' else 'date' end,
                coalesce(date_text, year_text)
            ),
            reject_if(
                count_qualifier not in ('exact', 'at_least', 'at_most', 'approximately'),
                'unknown_qualifier', 'count_qualifier', count_qualifier
            ),
            reject_if(
                confidence is null or confidence not in ('confirmed', 'reported', 'low'),
                'unknown_confidence', 'confidence', confidence
            ),
            reject_if(
                source_url is not null and not regexp_matches(source_url, '^https?://[^[:space:]]+$'),
                'invalid_url', 'source_url', source_url
            ),
            reject_if(
                partner_type is not null and partner_type not in ('state', 'organisation'),
                'unknown_partner_type', 'partner_type', partner_type_text
            ),
            reject_if(
                partner is not null and partner_type is null, 'missing_partner_type', 'partner_type',
                partner_type_text
            ),
            reject_if(partner is null and partner_type is not null, 'missing_partner', 'partner', partner)
        ) as reject
    from typed
),

final as (
    select
        source_id,
        source_file,
        file_sha256,
        file_order,
        row_number,
        date_text,
        year_text,
        fact_date,
        try_cast(coalesce(year_value, year(fact_date)) as integer) as year,
        country_text,
        partner_type,
        partner,
        family,
        subtype,
        count,
        count_qualifier,
        source_citation,
        source_url,
        confidence,
        notes,
        reject
    from checked
)

select * from final
