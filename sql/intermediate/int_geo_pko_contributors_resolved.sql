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
            reject_outside_coverage('geo_pko', resolved.year, 'year', resolved.year),
            reject_if(
                resolved.actor_kind is null or resolved.actor_kind = 'unresolved',
                'unresolved_name', 'contributor',
                resolved.contributor_name || coalesce(' (' || resolved.name_reason || ')', '')
            ),
            case
                when resolved.actor_kind = 'state'
                    then reject_not_member(resolved.ccode, resolved.year, 'ccode, year')
            end
        ) as reject
    from resolved
),

final as (
    select * from checked
)

select * from final
