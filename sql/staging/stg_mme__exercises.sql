-- grain: one row per exercise record of MME v7 (the file row number; MMEID is not unique)
-- key: mme_row
-- An exercise counts in its start year: only 4 of 3,707 exercises run into a second year.
with

source as (
    select * from raw_mme__exercises
),

typed as (
    select
        _source_id as source_id,
        _source_file as source_file,
        _row_number as row_number,
        _row_number as mme_row,
        mmeid,
        nullif(ex_name, '-9') as exercise_name,
        nullif(series_name, '-9') as series_name,
        nullif(location, '-9') as location,
        try_cast(lat as double) as latitude,
        try_cast(lon as double) as longitude,
        "s.year" as start_year_text,
        as_int("s.year") as start_year,
        as_int("s.month") as start_month,
        as_int("e.year") as end_year,
        as_int(cpx) = 1 as is_command_post,
        as_int(air) = 1 as has_air,
        as_int(land) = 1 as has_land,
        as_int(sea) = 1 as has_sea,
        as_int(amphibious) = 1 as has_amphibious,
        as_int(cyber) = 1 as has_cyber,
        as_int(warfighting) = 1 as is_warfighting,
        as_int(peacekeeping) = 1 as is_peacekeeping,
        as_int(humanitarian) = 1 as is_humanitarian,
        nullif(focusdescription, '-9') as focus_description
    from source
),

checked as (
    select
        *,
        coalesce(
            reject_if(start_year_text is null, 'null_key', 's.year', start_year_text),
            reject_if(start_year is null, 'not_integer', 's.year', start_year_text)
        ) as reject
    from typed
),

final as (
    select
        source_id,
        source_file,
        row_number,
        mme_row,
        mmeid,
        exercise_name,
        series_name,
        location,
        latitude,
        longitude,
        start_year,
        start_month,
        coalesce(end_year, start_year) as end_year,
        is_command_post,
        has_air,
        has_land,
        has_sea,
        has_amphibious,
        has_cyber,
        is_warfighting,
        is_peacekeeping,
        is_humanitarian,
        focus_description,
        reject
    from checked
)

select * from final
