-- grain: one row per record of Geo-PKO's TCC table (mission x year x location), with the
-- entries set aside in it
-- key: row_number
-- Feeds mart_quarantine, whose key is the file row: a row is listed when at least one of its
-- contributor entries was set aside (the first rule; the value lists every such entry and its
-- reason). The row's other entries still count (int_geo_pko_contributors_resolved).
with

entries as (
    select * from int_geo_pko_contributors_resolved
),

per_row as (
    select
        entry.source_id,
        entry.source_file,
        entry.row_number,
        min(entry.mission) as mission,
        min(entry.year) as year,
        min(entry.location) as location,
        count(*) as entries_total,
        count(*) filter (where entry.reject is not null) as entries_rejected,
        arg_min(entry.reject.rule, entry.entry_position) filter (
            where entry.reject is not null
        ) as first_rule,
        string_agg(
            entry.entry_text || ' [' || entry.reject.rule || ': ' || entry.reject.value || ']',
            '; ' order by entry.entry_position
        ) filter (where entry.reject is not null) as rejected_entries
    from entries as entry
    group by entry.source_id, entry.source_file, entry.row_number
),

final as (
    select
        source_id,
        source_file,
        row_number,
        mission,
        year,
        location,
        entries_total,
        entries_rejected,
        reject_if(
            entries_rejected > 0, first_rule, 'year.overview', rejected_entries
        ) as reject
    from per_row
)

select * from final
