-- grain: one row per record of troopdata's host country-year file, valid or rejected
-- key: row_number
-- Seychelles is coded 1036 by troopdata and 591 by COW: recoded. troopdata codes West Germany
-- 255 in every year; COW's state for 1955-1989 is the German Federal Republic, 260: recoded
-- (1990 stays 255, a member from 3 October). US troops in Vietnam in 1954-1975 were in the
-- Republic of Vietnam (COW 817), which troopdata codes 816: recoded. troopdata's row for the
-- United States itself (troops at home) is quarantined as home_state. Other codes >= 1000 are
-- troopdata's own codes for territories (Guam, Diego Garcia...): quarantined as not COW states.
-- Of two rows with one (ccode, year) (one country spelled two ways) the row with the larger
-- active-duty figure stands (then the first); the other is quarantined as duplicate_key.
with

source as (
    select * from raw_us_troops__country_year
),

typed as (
    select
        _source_id as source_id,
        _source_file as source_file,
        _row_number as row_number,
        ccode as ccode_text,
        year as year_text,
        troops_ad as troops_ad_text,
        trim(countryname) as country_name,
        as_int(ccode) as file_ccode,
        case
            when as_int(ccode) = 1036 then 591
            when as_int(ccode) = 255 and as_int(year) between 1955 and 1989 then 260
            when as_int(ccode) = 816 and as_int(year) between 1954 and 1975 then 817
            else as_int(ccode)
        end as ccode,
        as_int(year) as year,
        as_int(troops_ad) as troops_active_duty,
        as_int(total_selected_reserve) as reserves,
        as_int(total_civilian) as civilians
    from source
),

keyed as (
    select
        *,
        row_number() over (
            partition by ccode, year order by troops_active_duty desc nulls last, row_number asc
        ) as key_occurrence,
        first_value(row_number) over (
            partition by ccode, year order by troops_active_duty desc nulls last, row_number asc
        ) as kept_row
    from typed
),

checked as (
    select
        *,
        coalesce(
            reject_if(ccode_text is null, 'null_key', 'ccode', ccode_text),
            reject_if(year_text is null, 'null_key', 'year', year_text),
            reject_if(ccode is null, 'not_integer', 'ccode', ccode_text),
            reject_if(year is null, 'not_integer', 'year', year_text),
            reject_if(troops_active_duty is null, 'not_integer', 'troops_ad', troops_ad_text),
            reject_if(troops_active_duty < 0, 'negative_count', 'troops_ad', troops_ad_text),
            reject_if(ccode = 2, 'home_state', 'ccode', ccode_text || ' (' || country_name || ')'),
            reject_if(
                ccode >= 1000, 'not_a_cow_state', 'ccode',
                ccode_text || ' (' || country_name || ')'
            ),
            reject_if(
                key_occurrence > 1, 'duplicate_key', 'ccode, year',
                concat_ws(', ', ccode_text, year_text) || ' (' || country_name
                || '; row ' || kept_row || ' with the larger troops_ad stands)'
            )
        ) as reject
    from keyed
),

final as (
    select
        source_id,
        source_file,
        row_number,
        country_name,
        file_ccode,
        ccode,
        year,
        troops_active_duty,
        reserves,
        civilians,
        reject
    from checked
)

select * from final
