-- grain: one row per record of the 360info SIPRI TIV file, valid or rejected, with its parties
-- key: row_number
-- Names are resolved on the record's year like the trade register's, so both SIPRI files meet
-- on the same codes; is_state_dyad is false for non-state parties and for a state that is not a
-- COW system member that year (kept, not rejected).
with

dyad_years as (
    select * from stg_sipri_tiv__dyad_years
),

names as (
    select * from int_country_names_resolved
    where source_id = 'sipri_tiv'
),

state_years as (
    select * from int_cow_states_years_expanded
),

coverage as (
    select
        first_year,
        last_year
    from stg_sources__coverage
    where source_id = 'sipri_tiv'
),

resolved as (
    select
        dyad_years.*,
        supplier_name.actor_kind as supplier_kind,
        supplier_name.ccode as supplier_ccode,
        recipient_name.actor_kind as recipient_kind,
        recipient_name.ccode as recipient_ccode
    from dyad_years
    left join names as supplier_name
        on
            dyad_years.supplier = supplier_name.raw_name
            and coalesce(dyad_years.year, 0) between supplier_name.first_year
            and supplier_name.last_year
    left join names as recipient_name
        on
            dyad_years.recipient = recipient_name.raw_name
            and coalesce(dyad_years.year, 0) between recipient_name.first_year
            and recipient_name.last_year
),

keyed as (
    select
        *,
        row_number() over (
            partition by supplier, recipient, year order by row_number
        ) as key_occurrence
    from resolved
),

checked as (
    select
        keyed.*,
        coalesce(
            reject_if(keyed.year is null, 'not_integer', 'year', keyed.year_text),
            reject_if(keyed.tiv_delivered is null, 'not_a_number', 'value', keyed.value_text),
            reject_if(
                keyed.year not between coverage.first_year and coverage.last_year,
                'outside_coverage', 'year', keyed.year_text
            ),
            reject_if(
                keyed.supplier_kind is null or keyed.supplier_kind = 'unresolved',
                'unresolved_name', 'supplier', keyed.supplier
            ),
            reject_if(
                keyed.recipient_kind is null or keyed.recipient_kind = 'unresolved',
                'unresolved_name', 'recipient', keyed.recipient
            ),
            reject_if(
                keyed.key_occurrence > 1, 'duplicate_key', 'supplier, recipient, year',
                concat_ws(', ', keyed.supplier, keyed.recipient, keyed.year_text)
            )
        ) as reject
    from keyed
    cross join coverage
),

final as (
    select
        checked.*,
        coalesce(
            checked.supplier_kind = 'state'
            and checked.recipient_kind = 'state'
            and supplier_member.ccode is not null
            and recipient_member.ccode is not null,
            false
        ) as is_state_dyad
    from checked
    left join state_years as supplier_member
        on checked.supplier_ccode = supplier_member.ccode and checked.year = supplier_member.year
    left join state_years as recipient_member
        on checked.recipient_ccode = recipient_member.ccode and checked.year = recipient_member.year
)

select * from final
