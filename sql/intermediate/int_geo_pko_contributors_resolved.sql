-- grain: one row per Geo-PKO contributor entry, valid or rejected, with what its name denotes
-- key: row_number, entry_position
-- Names are resolved by pipelines/names.py (int_country_names_resolved, source 'geo_pko', by
-- year). Organisations (UN, CARICOM) and unnamed contingents ('TCC name unknown',
-- 'Multinational') are kept with actor_kind and never counted as states; an unresolved name,
-- a state that is not a system member that year or a year outside 1994-2024 is quarantined.
with

entries as (
    select * from stg_geo_pko__contributors
),

names as (
    select * from int_country_names_resolved
    where source_id = 'geo_pko'
),

state_years as (
    select * from int_state_years_expanded
),

coverage as (
    select
        first_year,
        last_year
    from stg_sources__coverage
    where source_id = 'geo_pko'
),

resolved as (
    select
        entries.*,
        names.actor_kind,
        names.ccode,
        names.reason as name_reason
    from entries
    left join names
        on
            entries.contributor_name = names.raw_name
            and entries.year between names.first_year and names.last_year
),

checked as (
    select
        resolved.* exclude (reject),
        coalesce(
            resolved.reject,
            reject_if(
                resolved.year not between coverage.first_year and coverage.last_year,
                'outside_coverage', 'year', resolved.year
            ),
            reject_if(
                resolved.actor_kind is null or resolved.actor_kind = 'unresolved',
                'unresolved_name', 'contributor',
                resolved.contributor_name || coalesce(' (' || resolved.name_reason || ')', '')
            ),
            reject_if(
                resolved.actor_kind = 'state' and member.ccode is null, 'not_system_member',
                'ccode, year', concat_ws(', ', resolved.ccode, resolved.year)
            )
        ) as reject
    from resolved
    cross join coverage
    left join state_years as member
        on resolved.ccode = member.ccode and resolved.year = member.year
),

final as (
    select * from checked
)

select * from final
