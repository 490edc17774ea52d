-- grain: one row per collapsed event, with its actors resolved to COW states and its family
-- key: source_id, event_date, actor1_key, actor2_key, event_code
-- engines: duckdb, spark
-- GDELT actors carry CAMEO country codes (ISO3 for states); ICEWS actors carry country names
-- (COW names, or seeds/icews_country_names.csv). A code resolves to the COW state it denotes
-- on the event's date (int_event_country_periods). Regions, IGOs' home regions and territories
-- (seeds/cameo_country_codes.csv) are kind 'region' / 'territory'; an actor with no country is
-- 'none'; a code nobody knows is 'unresolved'. Only state-to-state events enter the dyad mart.
with

events as (
    select * from int_events_collapsed
),

periods as (
    select * from int_event_country_periods
),

cameo_codes as (
    select * from seed_cameo_country_codes
),

icews_names as (
    select
        icews_name as country_name,
        iso3,
        kind
    from seed_icews_country_names
    union all
    select
        cow_statenme as country_name,
        iso3,
        'state' as kind
    from raw_cow_states__ccode_iso3
    where
        iso3 is not null and iso3 <> ''
        and cow_statenme not in (select seed.icews_name from seed_icews_country_names as seed)
),

families as (
    select * from seed_cameo_families
),

coded as (
    select
        events.*,
        case
            when events.source_id = 'icews' then names1.iso3
            when codes1.cameo_code is not null then nullif(codes1.iso3, '')
            else events.actor1_country
        end as actor1_iso3,
        case
            when events.source_id = 'icews' then names2.iso3
            when codes2.cameo_code is not null then nullif(codes2.iso3, '')
            else events.actor2_country
        end as actor2_iso3,
        coalesce(names1.kind, codes1.kind) as actor1_listed_kind,
        coalesce(names2.kind, codes2.kind) as actor2_listed_kind
    from events
    left join cameo_codes as codes1
        on events.source_id = 'gdelt' and events.actor1_country = codes1.cameo_code
    left join cameo_codes as codes2
        on events.source_id = 'gdelt' and events.actor2_country = codes2.cameo_code
    left join icews_names as names1
        on events.source_id = 'icews' and events.actor1_country = names1.country_name
    left join icews_names as names2
        on events.source_id = 'icews' and events.actor2_country = names2.country_name
),

resolved as (
    select
        coded.*,
        periods1.ccode as actor1_ccode,
        periods2.ccode as actor2_ccode
    from coded
    left join periods as periods1
        on
            coded.actor1_iso3 = periods1.iso3
            and coded.event_date >= periods1.valid_from
            and (periods1.valid_to is null or coded.event_date <= periods1.valid_to)
    left join periods as periods2
        on
            coded.actor2_iso3 = periods2.iso3
            and coded.event_date >= periods2.valid_from
            and (periods2.valid_to is null or coded.event_date <= periods2.valid_to)
),

final as (
    select
        resolved.source_id,
        resolved.event_date,
        year(resolved.event_date) as year,
        resolved.actor1_key,
        resolved.actor2_key,
        resolved.event_code,
        resolved.actor1_country,
        resolved.actor2_country,
        resolved.actor1_iso3,
        resolved.actor2_iso3,
        resolved.actor1_ccode,
        resolved.actor2_ccode,
        case
            when resolved.actor1_ccode is not null then 'state'
            when resolved.actor1_country is null then 'none'
            when resolved.actor1_listed_kind is not null and resolved.actor1_listed_kind <> 'state'
                then resolved.actor1_listed_kind
            else 'unresolved'
        end as actor1_kind,
        case
            when resolved.actor2_ccode is not null then 'state'
            when resolved.actor2_country is null then 'none'
            when resolved.actor2_listed_kind is not null and resolved.actor2_listed_kind <> 'state'
                then resolved.actor2_listed_kind
            else 'unresolved'
        end as actor2_kind,
        resolved.actor1_type,
        resolved.actor2_type,
        coalesce(families.family, 'other') as family,
        coalesce(families.role, 'other') as family_role,
        resolved.records,
        resolved.reports,
        resolved.sources,
        resolved.goldstein,
        resolved.first_source_file
    from resolved
    left join families on resolved.event_code like families.code_prefix || '%'
)

select * from final
