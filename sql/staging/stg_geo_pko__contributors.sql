-- grain: one row per contributor entry parsed from Geo-PKO's TCC table, valid or rejected
-- key: row_number, entry_position
-- Parsed at load (pipelines/sources/geo_pko.py) from `year.overview`; troops is the largest
-- figure coded for that contributor at that location in that year, a map-based estimate, NULL
-- with size_unknown = true when the map gives no size. row_number is the TCC row's position.
with

entries as (
    select * from raw_geo_pko__contributors
),

locations as (
    select * from raw_geo_pko__tcc_map
),

typed as (
    select
        entries._source_id as source_id,
        entries._source_file as source_file,
        entries._row_number as row_number,
        entries.entry_position,
        entries.entry_text,
        entries.contributor_name,
        entries.troops,
        entries.size_unknown,
        entries.parse_problem,
        trim(locations.mission) as mission,
        locations.year as year_text,
        cast(as_int(locations.year) as integer) as year,
        trim(locations.location) as location,
        as_int(locations."No.TCC") as n_contributors_stated
    from entries
    inner join locations on entries._row_number = locations._row_number
),

checked as (
    select
        *,
        coalesce(
            reject_if(mission is null or mission = '', 'null_key', 'mission', mission),
            reject_if(year_text is null, 'null_key', 'year', year_text),
            reject_if(year is null, 'not_integer', 'year', year_text),
            reject_if(
                parse_problem is not null, 'unparseable_contributor', 'year.overview',
                entry_text || ' (' || parse_problem || ')'
            ),
            reject_if(troops < 0, 'negative_count', 'troops', troops)
        ) as reject
    from typed
),

final as (
    select
        source_id,
        source_file,
        row_number,
        entry_position,
        mission,
        year,
        location,
        contributor_name,
        troops,
        size_unknown,
        entry_text,
        reject
    from checked
)

select * from final
